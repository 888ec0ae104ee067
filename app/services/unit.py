"""How a service gets its unit of work: passed in by a caller, or opened for one call.

A service is written against a :class:`~app.storage.unit_of_work.UnitOfWork`::

    @writes
    def rename_system(uow: UnitOfWork, system_id: str, name: str) -> SystemRow: ...

Callers that compose several services open one unit and pass it to each, so everything
commits or rolls back together. A caller doing one thing may pass the workspace instead; the
decorator then opens a unit (a write transaction for :func:`writes`, a read for :func:`reads`)
around the call.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Concatenate, ParamSpec, TypeVar

from app.services.workspace import Workspace
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


Service = Callable[Concatenate[UnitOfWork, P], R]
Entry = Callable[Concatenate[UnitOfWork | Workspace, P], R]


def _open_unit_for(
    opener: Callable[[Workspace], AbstractContextManager[UnitOfWork]],
) -> Callable[[Service[P, R]], Entry[P, R]]:
    def decorate(service: Service[P, R]) -> Entry[P, R]:
        @functools.wraps(service)
        def run(target: UnitOfWork | Workspace, /, *args: P.args, **kwargs: P.kwargs) -> R:
            if isinstance(target, UnitOfWork):
                return service(target, *args, **kwargs)
            with opener(target) as uow:
                return service(uow, *args, **kwargs)

        return run

    return decorate


def writes(service: Service[P, R]) -> Entry[P, R]:
    """Let ``service`` take a workspace too, running it in a new write unit then."""
    return _open_unit_for(Workspace.unit_of_work)(service)


def reads(service: Service[P, R]) -> Entry[P, R]:
    """Let ``service`` take a workspace too, running it in a new reading unit then."""
    return _open_unit_for(Workspace.reading)(service)
