"""The transport's retries and error mapping, against a scripted local HTTP server (no Arbiter needed)."""

import json
import socket
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arbiter_client import ArbiterError, Backoff, Client, Result, Submission  # noqa: E402
from arbiter_client.models import to_wire  # noqa: E402
from arbiter_client.transport import retry_after_seconds  # noqa: E402


class Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers, body) of the server's script, and records it."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        self._answer()

    def do_GET(self):  # noqa: N802
        self._answer()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, dict(self.headers.items()), body, time.monotonic()))
        status, headers, answer = self.server.script.pop(0)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class TransportTest(unittest.TestCase):

    def setUp(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
        self.server.script = []
        self.server.seen = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_503_and_429_are_retried_no_sooner_than_retry_after(self):
        problem = {"type": "about:blank", "title": "Unavailable", "status": 503, "detail": "breaker open",
                   "code": 5030}
        self.server.script = [(503, {"Retry-After": "1"}, problem),
                              (429, {"Retry-After": "0"}, dict(problem, status=429, code=4290)),
                              (202, {}, {"id": "t-1", "state": "queued"})]
        client = Client(self.url, "token", backoff=Backoff(base=0.01, cap=0.05))
        task = client.submit("review", {"pr": 1})
        self.assertEqual("t-1", task.id)
        self.assertEqual(3, len(self.server.seen))
        self.assertGreaterEqual(self.server.seen[1][4] - self.server.seen[0][4], 0.95)
        keys = {seen[2]["Idempotency-Key"] for seen in self.server.seen}
        self.assertEqual(1, len(keys), "every retry carries the same idempotency key")
        self.assertEqual("Bearer token", self.server.seen[0][2]["Authorization"])

    def test_gives_up_after_max_retries_with_the_last_problem(self):
        problem = {"type": "about:blank", "title": "Unavailable", "status": 503, "detail": "down", "code": 5030}
        self.server.script = [(503, {}, problem)] * 3
        client = Client(self.url, "token", backoff=Backoff(base=0.01, cap=0.02, max_retries=2))
        with self.assertRaises(ArbiterError) as raised:
            client.get("t-1")
        self.assertEqual((503, 5030, "down"), (raised.exception.status, raised.exception.code,
                                               raised.exception.detail))

    def test_a_problem_is_raised_with_status_code_and_field_and_is_not_retried(self):
        self.server.script = [(400, {"Content-Type": "application/problem+json"},
                               {"type": "about:blank", "title": "Bad Request", "status": 400, "code": 4000,
                                "detail": "priority must be at most 9", "field": "priority"})]
        with self.assertRaises(ArbiterError) as raised:
            Client(self.url, "token").submit("review", priority=42)
        error = raised.exception
        self.assertEqual((400, 4000, "priority"), (error.status, error.code, error.field))
        self.assertEqual(1, len(self.server.seen))

    def test_connection_failures_are_retried_then_raised(self):
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        client = Client(f"http://127.0.0.1:{port}", "token", backoff=Backoff(base=0.05, cap=0.05, max_retries=2))
        started = time.monotonic()
        with self.assertRaises(OSError):
            client.get("t-1")
        self.assertGreaterEqual(time.monotonic() - started, 0.05, "it waited before each of its two retries")

    def test_a_batch_is_not_retried_after_a_connection_failure_but_is_after_a_503(self):
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        client = Client(f"http://127.0.0.1:{port}", "token", backoff=Backoff(base=1, cap=1, max_retries=2))
        started = time.monotonic()
        with self.assertRaises(OSError):
            client.submit_batch([Submission("review")])
        self.assertLess(time.monotonic() - started, 0.5, "no retry: the server may have taken the batch")

        problem = {"type": "about:blank", "title": "Unavailable", "status": 503, "detail": "down", "code": 5031}
        self.server.script = [(503, {"Retry-After": "0"}, problem), (202, {}, {"tasks": [{"id": "t-1"}]})]
        batch = Client(self.url, "token", backoff=Backoff(base=0.01, cap=0.02)).submit_batch([Submission("review")])
        self.assertEqual(["t-1"], [t.id for t in batch])

    def test_backoff_grows_exponentially_within_jitter_and_cap(self):
        backoff = Backoff(base=1, cap=8)
        self.assertEqual([0.5, 1, 2, 4, 4], [backoff.delay(n, rng=lambda: 0) for n in range(1, 6)])
        self.assertEqual([1, 2, 4, 8, 8], [backoff.delay(n, rng=lambda: 1) for n in range(1, 6)])
        self.assertEqual(30, backoff.delay(1, retry_after=30))

    def test_retry_after_reads_seconds_and_http_dates(self):
        self.assertEqual(7, retry_after_seconds("7"))
        self.assertAlmostEqual(60, retry_after_seconds("Thu, 01 Jan 1970 00:01:00 GMT", now=0), delta=0.01)
        self.assertIsNone(retry_after_seconds("soon"))

    def test_wire_forms_use_the_contract_names_and_leave_out_what_is_unset(self):
        self.assertEqual({"type": "review", "maxAttempts": 2, "dependsOn": [{"taskId": "p"}, {"taskId": "q"}]},
                         to_wire(Submission("review", max_attempts=2, depends_on=[{"taskId": "p"}, "q"])))
        self.assertEqual({"outcome": "succeeded", "filesChanged": 3, "testsPassed": True, "attempt": 1},
                         to_wire(Result(files_changed=3, tests_passed=True, attempt=1)))


if __name__ == "__main__":
    unittest.main()
