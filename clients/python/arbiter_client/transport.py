"""HTTP for the client and the agent runner: JSON in and out over ``urllib.request``, problem answers raised as
``ArbiterError``, and retries with exponential backoff and jitter on 503, 429 and connection failures."""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

from .models import ArbiterError

LOG = logging.getLogger("arbiter_client")

USER_AGENT = "arbiter-client-python/0.1.0"


@dataclass
class Backoff:
    """Exponential backoff with jitter: the n-th retry (from 1) waits between half and all of
    ``min(cap, base * 2^(n-1))`` seconds, and never less than the server's ``Retry-After``."""

    base: float = 0.2
    cap: float = 10.0
    max_retries: int = 6
    """Retries of one request before its error is raised; ``None`` retries until stopped."""

    def delay(self, retry: int, retry_after: Optional[float] = None, rng: Callable[[], float] = random.random) -> float:
        ceiling = min(self.cap, self.base * (2 ** max(0, retry - 1)))
        jittered = ceiling / 2 + rng() * ceiling / 2
        return max(jittered, retry_after or 0.0)


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: Any


RETRYABLE_STATUS = frozenset({429, 503})


def retry_after_seconds(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _transient(error: BaseException) -> bool:
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        return isinstance(error.reason, (OSError, socket.timeout))
    return isinstance(error, (ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead,
                              socket.timeout, TimeoutError))


class Transport:
    """Requests to one Arbiter with one bearer token. Thread-safe: it holds no connection between requests."""

    def __init__(self, url: str, token: str, timeout: float = 30.0, backoff: Optional[Backoff] = None,
                 sleep: Optional[Callable[[float], bool]] = None) -> None:
        self.base = url.rstrip("/")
        if not self.base.endswith("/api/v1"):
            self.base += "/api/v1"
        self.root = self.base[: -len("/api/v1")]
        self.token = token
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self._stopped = threading.Event()
        self._sleep = sleep or (lambda seconds: not self._stopped.wait(seconds))

    def stop_retrying(self) -> None:
        """Ends the retry waits now: a request waiting to be retried raises its last error."""
        self._stopped.set()

    def url(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        url = self.base + path
        if query:
            pairs = {k: _query_value(v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        return url

    def request(self, method: str, path: str, body: Any = None, query: Optional[Mapping[str, Any]] = None,
                headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None,
                retry: bool = True, idempotent: bool = True, backoff: Optional[Backoff] = None) -> Response:
        """Sends one request; with ``retry``, retries 503 and 429 (honouring ``Retry-After``: the server did not act
        on the request) and, when the request is ``idempotent``, connection failures (it may have acted on it).
        Answers 2xx; raises ``ArbiterError`` for any other status."""
        policy = backoff or self.backoff
        attempt = 0
        while True:
            try:
                return self._once(method, path, body, query, headers, timeout)
            except ArbiterError as error:
                if not retry or error.status not in RETRYABLE_STATUS:
                    raise
                last: BaseException = error
                retry_after = error.retry_after
            except Exception as error:  # noqa: BLE001 - only transient failures are retried, the rest re-raised
                if not retry or not idempotent or not _transient(error):
                    raise
                last = error
                retry_after = None
            attempt += 1
            if policy.max_retries is not None and attempt > policy.max_retries:
                raise last
            delay = policy.delay(attempt, retry_after)
            LOG.info("%s %s: %s; retry %d in %.2fs", method, path, last, attempt, delay)
            if not self._sleep(delay):
                raise last

    def _once(self, method: str, path: str, body: Any, query: Optional[Mapping[str, Any]],
              headers: Optional[Mapping[str, str]], timeout: Optional[float]) -> Response:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url(path, query), data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", USER_AGENT)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                return Response(answer.status, dict(answer.headers.items()), _json(answer.read()))
        except urllib.error.HTTPError as error:
            with error:
                payload = _json(error.read())
                retry_after = retry_after_seconds(error.headers.get("Retry-After"))
            raise ArbiterError.from_problem(error.code, payload, retry_after) from None

    def open_stream(self, path: str, query: Mapping[str, Any], timeout: float) -> http.client.HTTPResponse:
        """Opens a server-sent events stream (no bearer header: ``query`` carries a one-time ticket)."""
        request = urllib.request.Request(self.url(path, query), method="GET")
        request.add_header("Accept", "text/event-stream")
        request.add_header("User-Agent", USER_AGENT)
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            with error:
                payload = _json(error.read())
            raise ArbiterError.from_problem(error.code, payload) from None


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return raw.decode("utf-8", "replace")


def read_events(stream: Any, on_event: Callable[[str, Dict[str, Any]], bool]) -> None:
    """Reads server-sent events until the stream ends or ``on_event(type, data)`` answers False. Comments (keep-alives)
    are skipped; ``data`` is the event's JSON, or ``{"text": ...}`` when it is not JSON."""
    kind, data = "message", []
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                text = "\n".join(data)
                try:
                    parsed = json.loads(text)
                except json.JSONDecodeError:
                    parsed = {"text": text}
                if not on_event(kind, parsed if isinstance(parsed, dict) else {"value": parsed}):
                    return
            kind, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)

