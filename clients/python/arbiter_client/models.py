"""The API's shapes as dataclasses, named as in the OpenAPI contract (``src/main/resources/openapi/arbiter.yaml``).

Python fields are snake_case; each carries its wire name (camelCase) in ``metadata["wire"]``. ``to_wire`` and
``from_wire`` convert between the two, leaving out fields that are ``None``. A field the server sends that a
dataclass does not declare is kept in ``raw`` (answers only), so a newer server never breaks an older client.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Type, TypeVar, Union

T = TypeVar("T")

FINAL_STATES = frozenset({"succeeded", "canceled", "dead"})
"""The states a task never leaves (an operator may still requeue a dead task)."""


def _wire(name: str, default: Any = None, **kwargs: Any) -> Any:
    return field(default=default, metadata={"wire": name}, **kwargs)


def _raw() -> Any:
    return field(default_factory=dict, repr=False, compare=False, metadata={"wire": None})


def wire_names(cls: type) -> List[str]:
    """The wire names of a dataclass's contract fields, in declaration order."""
    return [f.metadata["wire"] for f in dataclasses.fields(cls) if f.metadata.get("wire")]


def to_wire(value: Any) -> Any:
    """A dataclass (or a list or mapping holding some) as JSON-ready values, wire names for keys, ``None`` left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            name = f.metadata.get("wire")
            item = getattr(value, f.name)
            if name and item is not None:
                out[name] = to_wire(item)
        return out
    if isinstance(value, Mapping):
        return {k: to_wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


def from_wire(cls: Type[T], data: Mapping[str, Any]) -> T:
    """A dataclass from an answer's JSON object; unknown keys go to its ``raw`` field when it has one."""
    by_wire = {f.metadata.get("wire"): f.name for f in dataclasses.fields(cls) if f.metadata.get("wire")}
    kwargs: Dict[str, Any] = {}
    for key, item in data.items():
        if key in by_wire:
            kwargs[by_wire[key]] = item
    if any(f.name == "raw" for f in dataclasses.fields(cls)):
        kwargs["raw"] = dict(data)
    return cls(**kwargs)


@dataclass
class Dependency:
    """A parent task: this one waits until it ends. ``on_failure``: ``cancel`` (default) or ``continue``."""

    task_id: str = _wire("taskId")
    on_failure: Optional[str] = _wire("onFailure")


@dataclass
class Submission:
    """A task to submit (the contract's ``TaskSubmission``). Only ``type`` is required; ``depends_on`` takes
    ``Dependency`` items, their JSON form, or plain task ids."""

    type: str = _wire("type")
    priority: Optional[int] = _wire("priority")
    payload: Any = _wire("payload")
    timeout_ms: Optional[int] = _wire("timeoutMs")
    max_attempts: Optional[int] = _wire("maxAttempts")
    requirements: Optional[Dict[str, Any]] = _wire("requirements")
    budget: Optional[Dict[str, Any]] = _wire("budget")
    gates: Optional[Dict[str, Any]] = _wire("gates")
    callback: Optional[Dict[str, Any]] = _wire("callback")
    run_at: Optional[str] = _wire("runAt")
    delay_ms: Optional[int] = _wire("delayMs")
    queue_timeout_ms: Optional[int] = _wire("queueTimeoutMs")
    depends_on: Optional[List[Union[Dependency, Dict[str, Any], str]]] = _wire("dependsOn")

    def __post_init__(self) -> None:
        if self.depends_on is not None:
            self.depends_on = [Dependency(d) if isinstance(d, str) else d for d in self.depends_on]


@dataclass
class ParentResult:
    """A parent of a task, with its state and result."""

    id: str = _wire("id")
    state: Optional[str] = _wire("state")
    result: Any = _wire("result")


@dataclass
class Task:
    """A task as ``GET /api/v1/tasks/{taskId}`` answers it."""

    id: str = _wire("id")
    tenant_id: Optional[str] = _wire("tenantId")
    type: Optional[str] = _wire("type")
    priority: Optional[int] = _wire("priority")
    payload: Any = _wire("payload")
    requirements: Optional[Dict[str, Any]] = _wire("requirements")
    budget: Optional[Dict[str, Any]] = _wire("budget")
    gates: Optional[Dict[str, Any]] = _wire("gates")
    timeout_ms: Optional[int] = _wire("timeoutMs")
    max_attempts: Optional[int] = _wire("maxAttempts")
    idempotency_key: Optional[str] = _wire("idempotencyKey")
    state: Optional[str] = _wire("state")
    attempt: Optional[int] = _wire("attempt")
    assigned_agent_id: Optional[str] = _wire("assignedAgentId")
    lease_expires_at: Optional[str] = _wire("leaseExpiresAt")
    run_after: Optional[str] = _wire("runAfter")
    progress: Optional[Dict[str, Any]] = _wire("progress")
    result: Any = _wire("result")
    error: Any = _wire("error")
    created_at: Optional[str] = _wire("createdAt")
    updated_at: Optional[str] = _wire("updatedAt")
    finished_at: Optional[str] = _wire("finishedAt")
    queue_timeout_ms: Optional[int] = _wire("queueTimeoutMs")
    unroutable: Optional[str] = _wire("unroutable")
    parents: Optional[List[Dict[str, Any]]] = _wire("parents")
    raw: Dict[str, Any] = _raw()

    @property
    def final(self) -> bool:
        """True once the task succeeded, was canceled or is dead."""
        return self.state in FINAL_STATES


@dataclass
class TaskPage:
    """One page of a task listing; pass ``next_cursor`` back as ``cursor`` for the next (``None``: the last page)."""

    items: List[Task]
    next_cursor: Optional[str] = None


@dataclass
class Delivery:
    """A task handed to an agent by a claim (the contract's ``Delivery``)."""

    task_id: str = _wire("taskId")
    attempt: int = _wire("attempt", 0)
    type: Optional[str] = _wire("type")
    priority: Optional[int] = _wire("priority")
    payload: Any = _wire("payload")
    requirements: Optional[Dict[str, Any]] = _wire("requirements")
    budget: Optional[Dict[str, Any]] = _wire("budget")
    gates: Optional[Dict[str, Any]] = _wire("gates")
    timeout_ms: Optional[int] = _wire("timeoutMs")
    lease_expires_at: Optional[str] = _wire("leaseExpiresAt")
    ack_deadline: Optional[str] = _wire("ackDeadline")
    state: Optional[str] = _wire("state")
    parents: Optional[List[Dict[str, Any]]] = _wire("parents")
    raw: Dict[str, Any] = _raw()


@dataclass
class Result:
    """An attempt's outcome, as a handler returns it (the contract's ``Result``).

    ``attempt`` is filled in by the agent runner. The gate fields (``quality``, ``files_changed``, ``lines_changed``,
    ``tests_passed``, ``coverage``) are checked against the task's budget and gates when the outcome is a success.
    """

    result: Any = _wire("result")
    outcome: str = _wire("outcome", "succeeded")
    error: Optional[str] = _wire("error")
    quality: Optional[float] = _wire("quality")
    files_changed: Optional[int] = _wire("filesChanged")
    lines_changed: Optional[int] = _wire("linesChanged")
    tests_passed: Optional[bool] = _wire("testsPassed")
    coverage: Optional[float] = _wire("coverage")
    attempt: Optional[int] = _wire("attempt")

    @classmethod
    def failed(cls, error: str, **fields: Any) -> "Result":
        """A failed outcome with its error text (the task is retried while attempts remain)."""
        return cls(outcome="failed", error=error, **fields)


class ArbiterError(Exception):
    """An error answer (``application/problem+json``): its HTTP ``status``, Arbiter's fixed ``code``, the offending
    ``field`` of a validation error, and the ``detail``."""

    def __init__(self, status: int, detail: str, code: Optional[int] = None, field: Optional[str] = None,
                 title: Optional[str] = None, type: Optional[str] = None, errors: Optional[List[Any]] = None,
                 correlation_id: Optional[str] = None, retry_after: Optional[float] = None) -> None:
        super().__init__(f"{status} {code or ''} {detail}".replace("  ", " ") + (f" (field {field})" if field else ""))
        self.status = status
        self.code = code
        self.field = field
        self.detail = detail
        self.title = title
        self.type = type
        self.errors = errors or []
        self.correlation_id = correlation_id
        self.retry_after = retry_after

    @classmethod
    def from_problem(cls, status: int, body: Any, retry_after: Optional[float] = None) -> "ArbiterError":
        if isinstance(body, Mapping):
            return cls(status=int(body.get("status") or status), detail=str(body.get("detail") or body.get("title")
                       or ""), code=body.get("code"), field=body.get("field"), title=body.get("title"),
                       type=body.get("type"), errors=body.get("errors"), correlation_id=body.get("correlationId"),
                       retry_after=retry_after)
        return cls(status=status, detail=str(body or ""), retry_after=retry_after)


class TaskCanceled(Exception):
    """Raised in a handler (by ``AgentTask.check`` or ``AgentTask.progress``) once its task was canceled or its
    lease lost: the attempt's result would be refused, so the handler should stop."""


CONTRACT_SCHEMAS = {"TaskSubmission": Submission, "Task": Task, "Delivery": Delivery, "Result": Result,
                    "Dependency": Dependency, "ParentResult": ParentResult}
"""The contract's schemas and the dataclasses that mirror them, field for field (a Java test compares them)."""


def contract_fields() -> Dict[str, List[str]]:
    """Each mirrored schema's wire field names, as the SDK declares them."""
    return {schema: wire_names(cls) for schema, cls in CONTRACT_SCHEMAS.items()}
