"""The agent's side: register, long-poll claims, run a handler per task under automatic lease heartbeats, report
the outcome, and stop gracefully."""

from __future__ import annotations

import datetime
import http.client
import logging
import re
import signal
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .models import ArbiterError, Delivery, Result, TaskCanceled, from_wire, to_wire
from .transport import Backoff, Transport

LOG = logging.getLogger("arbiter_client")

MAX_ERROR_CHARS = 10_000
_INSTANT = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$")


class AgentTask:
    """What a handler gets: the delivery (``task_id``, ``attempt``, ``type``, ``payload``, ``parents``, …), a way to
    report progress, and the cancellation flag.

    ``canceled`` turns true when Arbiter answers a heartbeat with ``canceled: true``, when the lease is lost (another
    agent holds the task, or the attempt is stale), or when the agent stops and its grace period is over: the result
    would be refused, so a handler checks it (or calls ``check()``, which raises ``TaskCanceled``) between steps.
    """

    def __init__(self, agent: "Agent", delivery: Delivery) -> None:
        self.delivery = delivery
        self._agent = agent
        self._canceled = threading.Event()
        self.reason: Optional[str] = None

    @property
    def task_id(self) -> str:
        return self.delivery.task_id

    @property
    def attempt(self) -> int:
        return self.delivery.attempt

    @property
    def type(self) -> Optional[str]:
        return self.delivery.type

    @property
    def payload(self) -> Any:
        return self.delivery.payload

    @property
    def parents(self) -> List[Dict[str, Any]]:
        return self.delivery.parents or []

    @property
    def canceled(self) -> bool:
        return self._canceled.is_set()

    def wait_canceled(self, timeout: Optional[float] = None) -> bool:
        """Blocks until the task is canceled or ``timeout`` seconds pass; answers whether it was canceled."""
        return self._canceled.wait(timeout)

    def check(self) -> None:
        """Raises ``TaskCanceled`` once the task was canceled or its lease lost."""
        if self.canceled:
            raise TaskCanceled(self.reason or f"task {self.task_id} was canceled")

    def progress(self, percent: Optional[float] = None, message: Optional[str] = None) -> None:
        """Records progress (it also extends the lease); raises ``TaskCanceled`` when the task was canceled."""
        self.check()
        body: Dict[str, Any] = {"attempt": self.attempt}
        if percent is not None:
            body["percent"] = percent
        if message is not None:
            body["message"] = message
        self._agent._lease_call(self, "progress", body)
        self.check()

    def _cancel(self, reason: str) -> None:
        if not self._canceled.is_set():
            self.reason = reason
            self._canceled.set()


Handler = Callable[[AgentTask], Any]


class Agent:
    """Runs ``handler`` for each task Arbiter routes to agent ``agent_id``.

    ``run()`` registers the agent (an id already registered is used as it is), then long-polls claims for up to
    ``concurrency`` tasks at a time, each delivery already acknowledged (``ack=true``), and calls the handler in a
    worker thread per task. While a handler runs, the lease is extended by heartbeats (a third of the lease's length
    apart unless ``heartbeat_interval`` is given); the agent's own heartbeat, every ``alive_interval`` seconds, keeps
    it alive and brings it back after it went offline by silence. The handler returns a ``Result`` (any other value is reported as a
    success's ``result``); a handler that raises reports a failed attempt with the error's text, and Arbiter retries
    the task while attempts remain.

    ``run()`` blocks until ``stop()`` or SIGTERM/SIGINT (when called on the main thread): it stops claiming, waits up
    to ``stop_grace`` seconds for the running handlers, and reports the ones still running as failed, which releases
    them to be retried (by this or another agent). ``start()`` does the same on a background thread.
    Requests answered 503 or 429, and connection failures, are retried with backoff and jitter, honouring
    ``Retry-After``.
    """

    def __init__(self, url: str, token: str, agent_id: str, handler: Handler, task_types: Sequence[str],
                 model_family: str = "custom", name: Optional[str] = None, languages: Sequence[str] = (),
                 specializations: Sequence[str] = (), concurrency: int = 1, claim_wait: int = 20,
                 heartbeat_interval: Optional[float] = None, alive_interval: float = 10.0,
                 stop_grace: float = 30.0, backoff: Optional[Backoff] = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.agent_id = agent_id
        self.handler = handler
        self.task_types = list(task_types)
        self.model_family = model_family
        self.name = name
        self.languages = list(languages)
        self.specializations = list(specializations)
        self.concurrency = concurrency
        self.claim_wait = max(0, min(60, int(claim_wait)))
        self.heartbeat_interval = heartbeat_interval
        self.alive_interval = alive_interval
        self.stop_grace = stop_grace
        self._stopping = threading.Event()
        # claims retry until the agent stops; reports keep retrying while it drains, a bounded number of times
        self.transport = Transport(url, token, backoff=backoff or Backoff(max_retries=None),
                                   sleep=lambda seconds: not self._stopping.wait(seconds))
        self._reports = Transport(url, token, backoff=Backoff(max_retries=8))
        self._lock = threading.Condition()
        self._running: Dict[str, AgentTask] = {}
        self._thread: Optional[threading.Thread] = None
        self._started = threading.Event()
        self.error: Optional[BaseException] = None
        """What ended a background agent (``start()``) other than ``stop()``: ``stop()`` raises it."""

    # ---- lifecycle ----

    def register(self) -> None:
        """Registers the agent; a 409 (the id is taken, by this agent's earlier run) is carried on from."""
        body: Dict[str, Any] = {"id": self.agent_id, "modelFamily": self.model_family,
                                "capabilities": {"taskTypes": self.task_types, "languages": self.languages,
                                                 "specializations": self.specializations},
                                "maxConcurrentTasks": self.concurrency}
        if self.name:
            body["name"] = self.name
        try:
            self.transport.request("POST", "/agents", body)
            LOG.info("agent %s registered for %s", self.agent_id, ", ".join(self.task_types))
        except ArbiterError as error:
            if error.status != 409:
                raise
            LOG.info("agent %s is registered already", self.agent_id)

    def _alive(self) -> None:
        """The agent's own heartbeat: it keeps the agent alive, and brings back one that went offline by silence."""
        try:
            self._reports.request("POST", f"/agents/{self.agent_id}/heartbeat", backoff=Backoff(max_retries=2))
        except (ArbiterError, OSError, http.client.HTTPException) as error:
            LOG.warning("agent %s heartbeat: %s", self.agent_id, error)

    def _alive_loop(self) -> None:
        while not self._stopping.wait(self.alive_interval):
            self._alive()

    def run(self) -> None:
        """Registers, then claims and runs tasks until stopped; see the class's description."""
        restore = self._install_signals()
        try:
            self.register()
            self._alive()
            alive = threading.Thread(target=self._alive_loop, name=f"arbiter-alive-{self.agent_id}", daemon=True)
            alive.start()
            self._started.set()
            self._claim_loop()
            self._drain()
        finally:
            self._started.set()
            for signum, previous in restore:
                signal.signal(signum, previous)

    def start(self) -> "Agent":
        """Runs the agent on a background thread; answers once it is registered (raising what registration raised)."""
        failure: List[BaseException] = []

        def target() -> None:
            try:
                self.run()
            except BaseException as error:  # noqa: BLE001 - handed to the caller of start() or stop()
                failure.append(error)
                self.error = error
                LOG.error("agent %s stopped on an error: %s", self.agent_id, error)
                self._started.set()

        self._thread = threading.Thread(target=target, name=f"arbiter-agent-{self.agent_id}", daemon=True)
        self._thread.start()
        self._started.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self, wait: bool = True) -> None:
        """Stops claiming and drains the running tasks (see ``stop_grace``); with ``wait``, returns when done, raising
        what ended a background agent early, if anything did."""
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
            if self.error is not None:
                raise self.error

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _install_signals(self) -> List[Any]:
        if threading.current_thread() is not threading.main_thread():
            return []
        restore = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            restore.append((signum, signal.getsignal(signum)))
            signal.signal(signum, lambda *_: self._stopping.set())
        return restore

    # ---- the calls beneath the runner, for agents that drive their own loop ----

    def claim(self, wait: int = 0, max: int = 1, ack: bool = False) -> List[Delivery]:
        """Takes up to ``max`` of the tasks assigned to this agent, waiting up to ``wait`` seconds for one; with
        ``ack`` each comes back already acknowledged (running under its lease)."""
        answer = self.transport.request("POST", f"/agents/{self.agent_id}/claim",
                                        query={"wait": wait, "max": max, "ack": ack},
                                        timeout=wait + self.transport.timeout)
        return [from_wire(Delivery, t) for t in (answer.body or {}).get("tasks", [])] if answer.status == 200 else []

    def ack_batch(self, deliveries: Iterable[Delivery]) -> List[Dict[str, Any]]:
        """Acknowledges up to 1,000 deliveries in one transaction; answers each item as its own ack would: ``status``
        200 with the lease, or its 4xx ``status`` and ``problem``."""
        body = {"tasks": [{"taskId": d.task_id, "attempt": d.attempt} for d in deliveries]}
        return self._reports.request("POST", f"/agents/{self.agent_id}/ack-batches", body).body["items"]

    def report_batch(self, results: Iterable[Tuple[Delivery, Result]]) -> List[Dict[str, Any]]:
        """Reports up to 1,000 outcomes in one statement, each ``(delivery, result)``; answers each item as its own
        result call would (a repeat answers the first outcome)."""
        items = []
        for delivery, result in results:
            item = to_wire(result)
            item.update(taskId=delivery.task_id, attempt=delivery.attempt)
            items.append(item)
        return self._reports.request("POST", f"/agents/{self.agent_id}/result-batches", {"results": items}).body[
            "items"]

    # ---- claims ----

    def _claim_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            with self._lock:
                while len(self._running) >= self.concurrency and not self._stopping.is_set():
                    self._lock.wait(1.0)
                free = self.concurrency - len(self._running)
            if self._stopping.is_set():
                return
            try:
                answer = self.transport.request(
                    "POST", f"/agents/{self.agent_id}/claim",
                    query={"wait": self.claim_wait, "max": free, "ack": True},
                    timeout=self.claim_wait + self.transport.timeout)
                failures = 0
            except ArbiterError as error:
                if error.status in (401, 403):
                    raise
                failures += 1
                LOG.warning("claim refused: %s", error)
                self._stopping.wait(self.transport.backoff.delay(failures, error.retry_after))
                continue
            except (OSError, http.client.HTTPException) as error:
                failures += 1
                LOG.warning("claim failed: %s", error)
                self._stopping.wait(self.transport.backoff.delay(failures))
                continue
            for item in (answer.body or {}).get("tasks", []) if answer.status == 200 else []:
                self._begin(from_wire(Delivery, item))

    def _begin(self, delivery: Delivery) -> None:
        task = AgentTask(self, delivery)
        worker = threading.Thread(target=self._work, args=(task,), name=f"arbiter-task-{delivery.task_id}",
                                  daemon=True)
        with self._lock:
            self._running[delivery.task_id] = task
        worker.start()

    # ---- one task ----

    def _work(self, task: AgentTask) -> None:
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeats, args=(task, done), name=f"arbiter-lease-{task.task_id}",
                                daemon=True)
        beat.start()
        try:
            result = self._call(task)
            done.set()
            if task.canceled:
                LOG.info("task %s attempt %d: not reported (%s)", task.task_id, task.attempt, task.reason)
            else:
                self._report(task, result)
        finally:
            done.set()
            with self._lock:
                self._running.pop(task.task_id, None)
                self._lock.notify_all()

    def _call(self, task: AgentTask) -> Result:
        try:
            value = self.handler(task)
        except TaskCanceled as error:
            return Result.failed(str(error) or "canceled")
        except Exception as error:  # noqa: BLE001 - every handler failure becomes a failed attempt
            LOG.info("task %s attempt %d failed: %r", task.task_id, task.attempt, error)
            return Result.failed(_error_text(error))
        if isinstance(value, Result):
            return value
        return Result(result=value)

    def _report(self, task: AgentTask, result: Result) -> None:
        result.attempt = task.attempt
        if result.error is not None and len(result.error) > MAX_ERROR_CHARS:
            result.error = result.error[: MAX_ERROR_CHARS - 1] + "…"
        try:
            answer = self._reports.request("POST", f"/agents/{self.agent_id}/tasks/{task.task_id}/result",
                                            to_wire(result)).body or {}
        except ArbiterError as error:
            LOG.warning("task %s attempt %d: result refused: %s", task.task_id, task.attempt, error)
            return
        except (OSError, http.client.HTTPException) as error:
            LOG.error("task %s attempt %d: result not reported (its lease will expire): %s", task.task_id,
                      task.attempt, error)
            return
        verdict = (answer.get("policy") or {}).get("verdict")
        LOG.info("task %s attempt %d: %s, task %s%s", task.task_id, task.attempt, answer.get("outcome"),
                 answer.get("state"), f" (gates: {verdict})" if verdict else "")

    def _heartbeats(self, task: AgentTask, done: threading.Event) -> None:
        interval = self.heartbeat_interval or _third_of_lease(task.delivery.lease_expires_at)
        while not done.wait(interval):
            self._lease_call(task, "heartbeat", {"attempt": task.attempt})
            if task.canceled:
                return

    def _lease_call(self, task: AgentTask, kind: str, body: Mapping[str, Any]) -> None:
        try:
            lease = self._reports.request("POST", f"/agents/{self.agent_id}/tasks/{task.task_id}/{kind}",
                                           dict(body), backoff=Backoff(max_retries=3)).body or {}
        except ArbiterError as error:
            if error.status in (404, 409):
                task._cancel(f"lease of task {task.task_id} lost: {error.detail}")
                return
            LOG.warning("task %s %s: %s", task.task_id, kind, error)
            return
        except (OSError, http.client.HTTPException) as error:
            LOG.warning("task %s %s: %s", task.task_id, kind, error)
            return
        if lease.get("canceled"):
            task._cancel(f"task {task.task_id} was canceled")

    # ---- stopping ----

    def _drain(self) -> None:
        deadline = time.monotonic() + self.stop_grace
        with self._lock:
            while self._running and time.monotonic() < deadline:
                self._lock.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            left = list(self._running.values())
        for task in left:
            task._cancel(f"agent {self.agent_id} stopped before task {task.task_id} finished")
            self._report(task, Result.failed(f"agent {self.agent_id} stopped before the task finished"))
        LOG.info("agent %s stopped (%d task(s) released)", self.agent_id, len(left))


def _error_text(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _third_of_lease(lease_expires_at: Optional[str]) -> float:
    """A third of the time left on the lease, between 0.2 and 30 seconds (10 when it cannot be read)."""
    if not lease_expires_at:
        return 10.0
    match = _INSTANT.match(lease_expires_at)
    if not match:
        return 10.0
    whole, fraction, offset = match.groups()
    offset = "+00:00" if offset in ("Z", "z") else offset
    expires = datetime.datetime.fromisoformat(whole + "." + (fraction or "0").ljust(6, "0")[:6] + offset)
    left = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    return min(30.0, max(0.2, left / 3))
