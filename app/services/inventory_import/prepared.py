"""An import process prepared while the user reads the dry run, ready to apply the checked file.

Applying an import in a fresh child process costs seconds before the first row is written: the
interpreter and the app's modules load, then the child reads and plans the file again (a plan is
too large to send through a pipe without stalling the window). The import wizard therefore
starts an :class:`ImportProcess` when it opens: the process loads the modules and waits. When a
dry run starts, the window hands it the same file with the same options, and the process plans
the file beside the window's own dry run. When the user presses Import, only the command
travels: the process makes sure its plan read the very file the dry run checked (same SHA-256)
and that the file has not changed since (its SHA-256 once more), then applies the plan and
brings the identity findings up to date, with progress and Cancel as
:func:`~app.services.child_process.run_in_child` gives them.

A process serves one import; closed unused (the user went back, cancelled or closed the
wizard), it exits without writing anything.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.services.child_process import serve_child_job
from app.services.identity_analysis import FindingRefresh
from app.services.inventory_import.plan import ImportPlan, ImportResult
from app.services.prepared_child import PreparedProcess
from app.services.progress import Progress, check_cancelled
from app.services.workspace import Workspace

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

logger = logging.getLogger(__name__)

Outcome = tuple[ImportResult, FindingRefresh | None]


class ImportProcess(PreparedProcess):
    """A prepared child process that plans one checked file and applies it on request.

    Closed unless it is applying, it stops and writes nothing.
    """

    def __init__(self) -> None:
        super().__init__(_serve, name="assay-import")
        self._prepared_for: Workspace | None = None

    def prepare(self, ws: Workspace, path: Path, options: dict[str, Any]) -> None:
        """Have the process read and plan ``path`` as ``plan_import(ws, path, **options)`` does.

        Call it once, with the arguments of the dry run the user will read.

        Raises:
            RuntimeError: The process was prepared already (it serves one check).
        """
        if self._prepared_for is not None:
            raise RuntimeError("the import process was prepared already")
        self._child.send((ws, Path(path), dict(options)))
        self._prepared_for = ws

    def apply(
        self,
        ws: Workspace,
        checked_sha256: str,
        *,
        valid_only: bool,
        delete_missing: bool,
        progress: Progress | None = None,
    ) -> Outcome:
        """Apply the prepared plan and refresh the identity findings; blocks the calling thread.

        ``ws`` is the workspace the process was prepared for (the one writer watches its
        journal); ``checked_sha256`` the SHA-256 of the file the user's dry run read. The other
        arguments, the outcome and the errors are those of
        :func:`~app.services.inventory_import.background.import_checked_file`; a Cancel before
        the import is written writes nothing.

        Raises:
            RuntimeError: The process was not prepared, or for another workspace.
        """
        if self._prepared_for is not ws:
            raise RuntimeError("the import process was not prepared for this workspace")
        logger.info("applying the import prepared for %s", ws.path or "the server workspace")
        job_kwargs = {"valid_only": valid_only, "delete_missing": delete_missing}
        outcome: Outcome = self._child.run(apply_prepared, (checked_sha256,), job_kwargs, progress)
        return outcome


def apply_prepared(
    ws: Workspace,
    plan: ImportPlan,
    checked_sha256: str,
    *,
    valid_only: bool,
    delete_missing: bool,
    progress: Progress | None = None,
) -> Outcome:
    """In the import process: refuse a changed file, then apply the plan and refresh findings.

    Raises:
        ImportFileError: The plan read another file than the dry run, or the file changed since.
    """
    from app.services.inventory_import.background import changed_after_check, import_and_refresh
    from app.services.inventory_import.plan import file_sha256

    logger.info("Import pressed: applying the prepared plan of %s", plan.file_name)
    started = time.process_time()
    check_cancelled(progress)
    if plan.file_sha256 != checked_sha256 or file_sha256(plan.path) != checked_sha256:
        raise changed_after_check(plan.file_name)
    outcome = import_and_refresh(
        ws, plan, valid_only=valid_only, delete_missing=delete_missing, progress=progress
    )
    logger.info("applied the prepared import in %.2f s CPU", time.process_time() - started)
    return outcome


def _refuse(failure: BaseException, *_args: Any, **_kwargs: Any) -> Outcome:
    """The job of a process whose preparation failed: say why, as the apply would have."""
    raise failure


def _refusing(failure: BaseException) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return lambda _fn: functools.partial(_refuse, failure)


def _serve(connection: Connection) -> None:
    """Entry point of the import process (runs in the child only)."""
    from app.support.logging_setup import configure_logging

    configure_logging()
    # Loaded while the user picks the file and reads the dry run, not after Import is pressed.
    from app.services.inventory_import import background, plan  # noqa: F401

    prepare = _prepared_job(connection)
    if prepare is not None:
        serve_child_job(connection, prepare)
    logging.shutdown()
    # The plan's objects are freed with the process: the window waits for the process to end,
    # and tearing the interpreter down one object at a time would add to that wait.
    os._exit(0)


def _prepared_job(
    connection: Connection,
) -> Callable[[Callable[..., Any]], Callable[..., Any]] | None:
    """Receive the file and plan it; return how the job gets the plan (None: stop unused)."""
    from app.services.inventory_import.plan import plan_import

    try:
        message = connection.recv()
    except (EOFError, OSError):
        return None
    except Exception as exc:  # the workspace could not be reopened: the job says so
        logger.warning("the import process cannot open the workspace: %s", exc)
        return _refusing(exc)
    if message is None:
        return None
    ws, path, options = message
    started = time.process_time()
    try:
        plan = plan_import(ws, path, **options)
    except Exception as exc:  # told to the user when Import is pressed
        logger.info("the import process could not plan %s: %s", path.name, exc)
        return _refusing(exc)
    logger.info("prepared the import of %s in %.2f s CPU", path.name, time.process_time() - started)
    return lambda fn: functools.partial(fn, ws, plan)
