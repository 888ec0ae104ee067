"""Module-level jobs for the child-process tests (a child imports them by name)."""

from __future__ import annotations

import os
import time

from app.services.errors import UserError
from app.services.progress import Progress, check_cancelled
from app.services.workspace import Workspace


def count_to(n: int, *, progress: Progress) -> dict:
    """Report n steps and return who ran them."""
    for i in range(n):
        progress.report((i + 1) / n, f"step {i + 1}")
    return {"pid": os.getpid(), "steps": n}


def refuse(*, progress: Progress) -> None:
    """Fail the way a service tells the user something is wrong."""
    raise UserError("the sheet 'Grants' has no header row")


class StubbornError(Exception):
    """An exception whose constructor arguments do not round-trip through pickle."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"code {code}: {detail}")


def fail_oddly(*, progress: Progress) -> None:
    """Raise an exception that cannot be pickled back."""
    raise StubbornError(7, "odd failure")


def die(*, progress: Progress) -> None:
    """Stop the process without an answer, as a crash would."""
    os._exit(3)


def wait_for_cancel(*, progress: Progress) -> None:
    """Loop until the parent cancels."""
    progress.report(0.1, "waiting")
    while True:
        check_cancelled(progress)
        time.sleep(0.01)


def ignore_cancel(*, progress: Progress) -> None:
    """Never look at the Cancel flag."""
    progress.report(0.1, "busy")
    time.sleep(60)


def workspace_facts(workspace: Workspace, *, progress: Progress) -> tuple[str, str, int]:
    """Return what the child sees of a workspace it received."""
    from sqlalchemy import text

    with workspace.db.read() as session:
        tables = session.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    return workspace.location, workspace.actor, tables
