"""A client for Arbiter, standard library only: ``Client`` submits and follows tasks, ``Agent`` runs them."""

from .agent import Agent, AgentTask
from .client import Client
from .models import (FINAL_STATES, ArbiterError, Delivery, Dependency, ParentResult, Result, Submission, Task,
                     TaskCanceled, TaskPage, contract_fields)
from .transport import Backoff

__all__ = ["Agent", "AgentTask", "ArbiterError", "Backoff", "Client", "Delivery", "Dependency", "FINAL_STATES",
           "ParentResult", "Result", "Submission", "Task", "TaskCanceled", "TaskPage", "contract_fields"]
__version__ = "0.1.0"
