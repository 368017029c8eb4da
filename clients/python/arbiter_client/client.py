"""The submitter's side: submit tasks, read and list them, cancel them, wait for their end."""

from __future__ import annotations

import queue
import socket
import threading
import time
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Union

from .models import ArbiterError, Submission, Task, TaskPage, from_wire, to_wire
from .transport import Backoff, Transport, read_events

SubmissionLike = Union[Submission, Mapping[str, Any]]


class Client:
    """A client of one Arbiter with one token (a submitter's, an operator's or an admin's).

    ``url`` is the server's base URL (``http://localhost:8080``; ``/api/v1`` is added). Requests answered 503 or 429
    are retried with exponential backoff and jitter (``backoff``), never sooner than the answer's ``Retry-After``, and
    so are connection failures, except for batches and workflows (they carry no idempotency key, and the server may
    have acted on them); any other error answer raises ``ArbiterError``.
    """

    def __init__(self, url: str, token: str, timeout: float = 30.0, backoff: Optional[Backoff] = None) -> None:
        self.transport = Transport(url, token, timeout=timeout, backoff=backoff)

    def submit(self, type: Union[str, Submission], payload: Any = None, *, idempotency_key: Optional[str] = None,
               **fields: Any) -> Task:
        """Submits one task: ``type`` and ``payload``, and any other submission field by its Python name
        (``priority``, ``max_attempts``, ``timeout_ms``, ``requirements``, ``budget``, ``gates``, ``callback``,
        ``run_at``, ``delay_ms``, ``queue_timeout_ms``, ``depends_on``), or a ``Submission``.

        Every submission carries an ``Idempotency-Key`` (a fresh one unless given), so a retried request never makes
        a second task: the same key and body answer the first task, another body with the key raises 409.
        """
        submission = type if isinstance(type, Submission) else Submission(type=type, payload=payload, **fields)
        key = idempotency_key or str(uuid.uuid4())
        answer = self.transport.request("POST", "/tasks", to_wire(submission), headers={"Idempotency-Key": key})
        return from_wire(Task, answer.body)

    def submit_batch(self, submissions: Iterable[SubmissionLike]) -> List[Task]:
        """Submits up to 1,000 tasks in one transaction; answers each task's ``id`` and ``state``, in order. A task
        over a tenant limit refuses the whole batch (``ArbiterError`` with ``field`` ``tasks[i]``)."""
        answer = self.transport.request("POST", "/task-batches", {"tasks": [to_wire(s) for s in submissions]},
                                        idempotent=False)
        return [from_wire(Task, t) for t in answer.body["tasks"]]

    def submit_workflow(self, nodes: List[Mapping[str, Any]], edges: Optional[List[Mapping[str, Any]]] = None
                        ) -> Dict[str, str]:
        """Submits a graph of tasks (``nodes`` with a ``key``, ``edges`` ``{from, to, onFailure}`` by key) in one
        transaction; answers each key's task id."""
        body: Dict[str, Any] = {"nodes": to_wire(nodes)}
        if edges:
            body["edges"] = to_wire(edges)
        return self.transport.request("POST", "/workflows", body, idempotent=False).body["tasks"]

    def get(self, task_id: str) -> Task:
        """One task of the token's tenant (``ArbiterError`` 404 when there is none)."""
        return from_wire(Task, self.transport.request("GET", "/tasks/" + task_id).body)

    def history(self, task_id: str) -> List[Dict[str, Any]]:
        """The task's transitions, oldest first: ``{from, to, attempt, agentId, reason, at}``."""
        return self.transport.request("GET", f"/tasks/{task_id}/history").body["items"]

    def list(self, state: Optional[str] = None, type: Optional[str] = None, agent: Optional[str] = None,
             limit: Optional[int] = None, cursor: Optional[str] = None) -> TaskPage:
        """One page of tasks, newest first; pass the page's ``next_cursor`` as ``cursor`` for the next one."""
        body = self.transport.request("GET", "/tasks", query={"state": state, "type": type, "agent": agent,
                                                               "limit": limit, "cursor": cursor}).body
        return TaskPage([from_wire(Task, t) for t in body["items"]], body.get("nextCursor"))

    def iterate(self, state: Optional[str] = None, type: Optional[str] = None, agent: Optional[str] = None,
                page_size: Optional[int] = None) -> Iterator[Task]:
        """Every task that matches, newest first, following the cursors page after page."""
        cursor = None
        while True:
            page = self.list(state=state, type=type, agent=agent, limit=page_size, cursor=cursor)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def cancel(self, task_id: str) -> Task:
        """Cancels an unfinished task (``ArbiterError`` 409 once it ended); a running agent learns it at its next
        heartbeat."""
        return from_wire(Task, self.transport.request("POST", f"/tasks/{task_id}/cancel").body)

    def wait(self, task_id: str, timeout: Optional[float] = None, poll_interval: float = 1.0,
             events: bool = True) -> Task:
        """Waits until the task ended (``succeeded``, ``canceled`` or ``dead``) and answers it.

        It listens to the task's server-sent events (``/api/v1/events``, opened with a one-time stream ticket) and
        reads the task at each of its events; when the stream cannot be opened or ends, it polls every
        ``poll_interval`` seconds instead. Raises ``TimeoutError`` after ``timeout`` seconds (``None``: no limit).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        listener = _EventListener(self.transport, task_id) if events else None
        try:
            task = self.get(task_id)
            while not task.final:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"task {task_id} is still {task.state} after {timeout} s")
                if listener is not None and listener.alive():
                    listener.next_event(remaining)
                else:
                    time.sleep(poll_interval if remaining is None else min(poll_interval, remaining))
                task = self.get(task_id)
            return task
        finally:
            if listener is not None:
                listener.close()


class _EventListener:
    """A task's server-sent events read on a daemon thread, so that the waiting thread keeps its own deadline."""

    _END = object()

    def __init__(self, transport: Transport, task_id: str) -> None:
        self._events: "queue.Queue[Any]" = queue.Queue()
        self._stream: Any = None
        self._closed = threading.Event()
        self._alive = True
        try:
            ticket = transport.request("POST", "/stream-tickets").body["ticket"]
            self._stream = transport.open_stream("/events", {"ticket": ticket, "task": task_id},
                                                 timeout=transport.timeout + 30)
        except (ArbiterError, OSError, KeyError, TypeError):
            self._alive = False
            return
        threading.Thread(target=self._read, name=f"arbiter-events-{task_id}", daemon=True).start()

    def _read(self) -> None:
        try:
            read_events(self._stream, self._offer)
        except (OSError, ValueError):
            pass
        finally:
            self._events.put(self._END)
            try:
                self._stream.close()
            except OSError:
                pass

    def _offer(self, kind: str, data: Dict[str, Any]) -> bool:
        self._events.put(kind)
        return kind not in ("expired", "dropped") and not self._closed.is_set()

    def alive(self) -> bool:
        return self._alive

    def next_event(self, timeout: Optional[float]) -> None:
        """Returns at the next event, at the end of the stream (then the listener is no longer alive), or after
        ``timeout`` seconds."""
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            return
        if item is self._END or item in ("expired", "dropped"):
            self._alive = False

    def close(self) -> None:
        """Ends the stream at once. Closing the response here would wait for the reader's lock (held until the next
        keep-alive); shutting its socket down ends the reader's read, and the reader closes the response."""
        self._closed.set()
        sock = getattr(getattr(getattr(self._stream, "fp", None), "raw", None), "_sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
