"""The SDK against a real Arbiter: ARBITER_URL, ARBITER_ADMIN_TOKEN, ARBITER_AGENT_ID and ARBITER_AGENT_TOKEN (and
ARBITER_README_AGENT_ID and ARBITER_README_AGENT_TOKEN, for the agent of the repository's README) come from the
environment (PythonClientTest in the Java suite starts a server and sets them). Without them these
tests fail: they never pass without a server."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest
import uuid
from pathlib import Path

SDK = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(SDK))

from arbiter_client import Agent, ArbiterError, Client, Result, Submission  # noqa: E402

WAIT = 30
TASK_TYPE = "py-task"


def env(name):
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set: run these tests against a real Arbiter (PythonClientTest does)")
    return value


class LiveTest(unittest.TestCase):

    def setUp(self):
        self.url = env("ARBITER_URL")
        self.client = Client(self.url, env("ARBITER_ADMIN_TOKEN"))
        self.agents = []
        self.mark = uuid.uuid4().hex

    def tearDown(self):
        for agent in self.agents:
            agent.stop()

    def submit(self, payload, **fields):
        """Submits a task of this test: its agent's handler sees only its own test's tasks."""
        return self.client.submit(TASK_TYPE, dict(payload, test=self.mark), **fields)

    def agent(self, handler, **options):
        """Starts the agent with ``handler`` for this test's tasks; a task left by an earlier test just succeeds."""
        options.setdefault("claim_wait", 1)
        mark = self.mark
        agent = Agent(self.url, env("ARBITER_AGENT_TOKEN"), env("ARBITER_AGENT_ID"),
                      lambda task: handler(task) if task.payload.get("test") == mark else {"stray": True},
                      [TASK_TYPE], model_family="python", **options).start()
        self.agents.append(agent)
        return agent

    def test_an_agent_completes_the_tasks_a_client_submits(self):
        def handle(task):
            task.progress(50, "half way")
            return Result(result={"echo": task.payload["n"]}, quality=0.9, files_changed=2, lines_changed=10,
                          tests_passed=True, coverage=0.8)

        self.agent(handle)
        tasks = [self.submit({"n": n}, max_attempts=2) for n in range(3)]
        for n, submitted in enumerate(tasks):
            done = self.client.wait(submitted.id, timeout=WAIT)
            self.assertEqual("succeeded", done.state)
            self.assertEqual({"echo": n}, done.result)
            self.assertEqual(env("ARBITER_AGENT_ID"), done.assigned_agent_id)
            self.assertEqual(50, done.progress["percent"])

    def test_a_failed_attempt_is_retried_and_then_succeeds(self):
        def handle(task):
            if task.payload["fail"] >= task.attempt:
                raise RuntimeError(f"flaky dependency on attempt {task.attempt}")
            return {"on": task.attempt}

        self.agent(handle)
        retried = self.submit({"fail": 1}, max_attempts=3)
        done = self.client.wait(retried.id, timeout=WAIT)
        self.assertEqual(("succeeded", 2, {"on": 2}), (done.state, done.attempt, done.result))
        failed = [h for h in self.client.history(retried.id) if h["to"] == "failed"]
        self.assertEqual([1], [h["attempt"] for h in failed])

        dead = self.client.wait(self.submit({"fail": 1}, max_attempts=1).id, timeout=WAIT)
        self.assertEqual(("dead", "RuntimeError: flaky dependency on attempt 1"), (dead.state, dead.error))

    def test_an_agent_driving_its_own_loop_acknowledges_and_reports_in_batches(self):
        agent = Agent(self.url, env("ARBITER_AGENT_TOKEN"), env("ARBITER_AGENT_ID"), lambda task: None, [TASK_TYPE],
                      model_family="python")
        agent.register()
        submitted = {self.submit({"n": n}).id for n in range(3)}
        done = set()
        deadline = time.monotonic() + WAIT
        while done != submitted:
            self.assertLess(time.monotonic(), deadline, f"the batches ran {len(done)} of the 3 tasks")
            deliveries = agent.claim(wait=1, max=3)
            if not deliveries:
                continue
            self.assertTrue(all(d.ack_deadline for d in deliveries), "not acknowledged by the claim")
            self.assertEqual([200] * len(deliveries), [i["status"] for i in agent.ack_batch(deliveries)])
            answers = agent.report_batch((d, Result(result={"n": d.payload.get("n")}, quality=1.0))
                                         for d in deliveries)
            self.assertEqual([200] * len(deliveries), [i["status"] for i in answers])
            done |= {d.task_id for d in deliveries} & submitted
        for task_id in submitted:
            task = self.client.get(task_id)
            self.assertEqual("succeeded", task.state)
            self.assertEqual(task.payload["n"], task.result["n"])

    def test_a_cancel_during_work_reaches_the_handler(self):
        started, saw_cancel = threading.Event(), threading.Event()

        def handle(task):
            started.set()
            if task.wait_canceled(WAIT):
                saw_cancel.set()
            task.check()
            return "finished without a cancel"

        self.agent(handle, heartbeat_interval=0.3)
        submitted = self.submit({"long": True})
        self.assertTrue(started.wait(WAIT), "the handler started")
        self.client.cancel(submitted.id)
        self.assertTrue(saw_cancel.wait(WAIT), "the handler saw the cancel")
        self.assertEqual("canceled", self.client.wait(submitted.id, timeout=WAIT).state)

    def test_wait_returns_the_final_task_by_events_and_by_polling(self):
        release = threading.Event()
        self.agent(lambda task: release.wait(WAIT) and {"done": True})
        by_events = self.submit({"wait": "events"})
        by_polling = self.submit({"wait": "polling"})
        threading.Timer(0.5, release.set).start()
        self.assertEqual(("succeeded", {"done": True}),
                         (lambda t: (t.state, t.result))(self.client.wait(by_events.id, timeout=WAIT)))
        self.assertEqual("succeeded", self.client.wait(by_polling.id, timeout=WAIT, events=False,
                                                       poll_interval=0.2).state)

    def test_wait_follows_the_tasks_events_rather_than_a_poll(self):
        nobody = self.client.submit("py-nobody-takes", {})
        threading.Timer(0.3, self.client.cancel, [nobody.id]).start()
        started = time.monotonic()
        self.assertEqual("canceled", self.client.wait(nobody.id, timeout=WAIT, poll_interval=WAIT).state)
        self.assertLess(time.monotonic() - started, 5, "the cancel's event ended the wait, long before a poll")

    def test_wait_times_out_on_a_task_that_does_not_end(self):
        nobody = self.client.submit("py-nobody-takes", {})
        started = time.monotonic()
        with self.assertRaises(TimeoutError):
            self.client.wait(nobody.id, timeout=1)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual("canceled", self.client.cancel(nobody.id).state)

    def test_a_bad_submission_raises_an_arbiter_error_naming_the_field(self):
        with self.assertRaises(ArbiterError) as raised:
            self.submit({}, priority=42)
        error = raised.exception
        self.assertEqual((400, 4000, "priority"), (error.status, error.code, error.field))
        self.assertTrue(error.detail)

    def test_the_same_idempotency_key_answers_the_first_task(self):
        key = str(uuid.uuid4())
        first = self.client.submit("py-nobody-takes", {"k": 1}, idempotency_key=key)
        again = self.client.submit("py-nobody-takes", {"k": 1}, idempotency_key=key)
        self.assertEqual(first.id, again.id)
        with self.assertRaises(ArbiterError) as raised:
            self.client.submit("py-nobody-takes", {"k": 2}, idempotency_key=key)
        self.assertEqual(409, raised.exception.status)
        self.client.cancel(first.id)

    def test_a_batch_is_listed_page_by_page(self):
        kind = "py-batch-" + uuid.uuid4().hex[:8]
        batch = self.client.submit_batch([Submission(kind, payload={"i": i}) for i in range(5)])
        self.assertEqual(5, len(batch))
        first = self.client.list(type=kind, limit=2)
        self.assertEqual(2, len(first.items))
        self.assertIsNotNone(first.next_cursor)
        self.assertEqual({t.id for t in batch}, {t.id for t in self.client.iterate(type=kind, page_size=2)})
        for task in batch:
            self.client.cancel(task.id)

    def test_stopping_the_agent_finishes_the_running_task_before_it_returns(self):
        started = threading.Event()

        def handle(task):
            started.set()
            time.sleep(1)
            return {"finished": "while stopping"}

        agent = self.agent(handle)
        submitted = self.submit({"stop": True})
        self.assertTrue(started.wait(WAIT))
        agent.stop()
        done = self.client.get(submitted.id)
        self.assertEqual(("succeeded", {"finished": "while stopping"}), (done.state, done.result))

    def test_stopping_releases_a_task_that_outlives_the_grace_period(self):
        started = threading.Event()

        def handle(task):
            started.set()
            task.wait_canceled(WAIT)
            task.check()

        agent = self.agent(handle, stop_grace=0.5)
        submitted = self.submit({"stuck": True}, max_attempts=2)
        self.assertTrue(started.wait(WAIT))
        agent.stop()
        self.assertEqual([1], [h["attempt"] for h in self.client.history(submitted.id) if h["to"] == "failed"])
        self.assertIn(self.client.get(submitted.id).state, ("queued", "assigned"), "released for its next attempt")
        self.client.cancel(submitted.id)


    def test_the_readme_agent_finishes_its_task_on_sigterm_and_exits(self):
        blocks = re.findall(r"```python\n(.*?)```", (SDK / "README.md").read_text(encoding="utf-8"), re.S)
        agent_code = next(b for b in blocks if "Agent(" in b)
        for block in blocks:
            compile(block, "README.md", "exec")
        process = subprocess.Popen([sys.executable, "-c", agent_code], env=dict(
            os.environ, PYTHONPATH=str(SDK), ARBITER_TASK_TYPES=TASK_TYPE), stderr=subprocess.PIPE, text=True)
        try:
            submitted = self.submit({"repo": "acme/api", "steps": 10})
            deadline = time.monotonic() + WAIT
            while self.client.get(submitted.id).state != "running":
                self.assertLess(time.monotonic(), deadline, "the README's agent runs the task")
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            _, log = process.communicate(timeout=WAIT)
            self.assertEqual(0, process.returncode, log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        done = self.client.get(submitted.id)
        self.assertEqual(("succeeded", {"summary": "looks good"}), (done.state, done.result), log)
        self.assertEqual("reviewing acme/api", done.progress["message"])

    def test_the_agent_on_the_front_readme_runs_a_task_and_exits_on_sigterm(self):
        readme = (SDK.parents[1] / "README.md").read_text(encoding="utf-8")
        agent_code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
        process = subprocess.Popen([sys.executable, "-c", agent_code], env=dict(
            os.environ, PYTHONPATH=str(SDK), ARBITER_AGENT_ID=env("ARBITER_README_AGENT_ID"),
            ARBITER_AGENT_TOKEN=env("ARBITER_README_AGENT_TOKEN")), stderr=subprocess.PIPE, text=True)
        try:
            submitted = self.client.submit("code-review", {"repo": "acme/api"})
            done = self.client.wait(submitted.id, timeout=WAIT)
            process.send_signal(signal.SIGTERM)
            _, log = process.communicate(timeout=WAIT)
            self.assertEqual(0, process.returncode, log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.assertEqual(("succeeded", {"summary": "looks good"}), (done.state, done.result), log)
        self.assertEqual("reviewing acme/api", done.progress["message"])
        self.assertEqual(env("ARBITER_README_AGENT_ID"), done.assigned_agent_id)

if __name__ == "__main__":
    unittest.main()
