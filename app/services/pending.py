"""Work that must finish whole: marked in the workspace before it starts, completed on next open.

Two kinds of work span more than one transaction or touch a file outside the workspace:

- an inventory import and the identity findings refresh that follows it: the import's own
  transaction marks the refresh as owed, and the refresh's transaction clears the mark;
- a report and its journal entry: the report is rendered under a temporary name, the journal
  entry is committed, and only then is the file moved into place.

A run killed half-way leaves its mark. The next opening of the workspace (by a process other
than the one that made the mark, if that one still runs) completes what the mark says was
committed and removes what was not: the refresh runs, a journalled report is moved into place,
a report not yet journalled is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import WorkspaceSetting
from app.storage.unit_of_work import UnitOfWork
from app.support import safe_files

logger = logging.getLogger(__name__)

PREFIX = "pending:"
IDENTITY_REFRESH = PREFIX + "identity-refresh"
_REPORT = PREFIX + "report:"


def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname()}


def _session_of(target: Session | UnitOfWork) -> Session:
    return target.session if isinstance(target, UnitOfWork) else target


def mark(target: Session | UnitOfWork, key: str, value: dict[str, Any] | None = None) -> None:
    """Record work owed, in the caller's write transaction (not journalled: bookkeeping)."""
    session = _session_of(target)
    row = session.get(WorkspaceSetting, key)
    payload = (value or {}) | _owner()
    if row is None:
        session.add(WorkspaceSetting(key=key, value=payload))
    else:
        row.value = payload
    session.flush()


def clear(target: Session | UnitOfWork, key: str) -> None:
    """Remove a mark in the caller's write transaction."""
    session = _session_of(target)
    session.execute(sa.delete(WorkspaceSetting).where(WorkspaceSetting.key == key))


def marks(session: Session) -> dict[str, dict[str, Any]]:
    """Return every mark of work owed, by key."""
    rows = session.execute(
        sa.select(WorkspaceSetting.key, WorkspaceSetting.value).where(
            WorkspaceSetting.key.startswith(PREFIX)
        )
    ).all()
    return {key: value if isinstance(value, dict) else {} for key, value in rows}


def _still_running(value: dict[str, Any]) -> bool:
    """Return True when the process that made a mark is alive on this computer."""
    pid = value.get("pid")
    if value.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False  # 0 and negative ids name process groups, not a process
    return pid != os.getpid() and process_alive(pid)


def process_alive(pid: int) -> bool:
    """Return True when a process with this id exists, without touching it.

    On Windows ``os.kill`` terminates the process whatever the signal, so the process is only
    queried there.
    """
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # it exists, run by another user
    except OSError:
        return False
    return True


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    query_limited_information, still_active = 0x1000, 259
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and (
            code.value == still_active
        )
    finally:
        kernel32.CloseHandle(handle)


def publish_file(
    workspace: Workspace,
    target: Path,
    render: Callable[[Path], None],
    record: Callable[[Session, Path], Any],
) -> Any:
    """Write a file and its journal entry whole, or leave neither.

    Args:
        workspace: The workspace that journals the file.
        target: Where the file goes.
        render: Writes the file at the temporary path it is given.
        record: Journals the rendered file in the given write session; its result is returned.

    Raises:
        sqlite3.OperationalError: The workspace cannot be written (nothing is rendered then).
        Exception: Whatever ``render`` or ``record`` raises; the file and mark are removed.
    """
    partial = safe_files.partial_name(target)
    key = _REPORT + partial.name
    base = {"partial": str(partial), "target": str(target)}
    with workspace.db.write() as session:  # a read-only or busy workspace refuses here
        mark(session, key, base | {"state": "rendering"})
    with _removed_on_error(workspace, key, partial):
        safe_files.create_exclusive(partial, safe_files.SHARED_MODE)
        render(partial)
        digest = sha256_of(partial)
        with workspace.db.write() as session:
            result = record(session, partial)
            mark(session, key, base | {"state": "journalled", "sha256": digest})
    try:
        os.replace(partial, target)
    except OSError:
        _withdraw(workspace, key, target, digest)
        raise
    finally:
        partial.unlink(missing_ok=True)
    with contextlib.suppress(Exception), workspace.db.write() as session:
        clear(session, key)  # a mark left here is cleared on next open, the file is in place
    return result


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _removed_on_error(workspace: Workspace, key: str, partial: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):  # a read-only file system refuses even this
            partial.unlink(missing_ok=True)
        with contextlib.suppress(Exception), workspace.db.write() as session:
            clear(session, key)
        raise


def _withdraw(workspace: Workspace, key: str, target: Path, digest: str) -> None:
    """Journal that a journalled file never reached its place, and clear its mark."""
    with workspace.db.write() as session:
        journal.record(
            session,
            actor=workspace.actor,
            action="report.withdrawn",
            entity="file",
            entity_id=target.name,
            after={"file": target.name, "sha256": digest, "reason": "never moved into place"},
        )
        clear(session, key)


def recover_interrupted(workspace: Workspace) -> list[str]:
    """Complete or undo the work that killed runs left marked; return what was done.

    Marks of a process still running on this computer are left alone.
    """
    with workspace.db.read() as session:
        owed = {k: v for k, v in marks(session).items() if not _still_running(v)}
    done = []
    for key, value in sorted(owed.items()):
        if key == IDENTITY_REFRESH:
            done.append(_finish_refresh(workspace))
        elif key.startswith(_REPORT):
            try:
                done.append(_finish_file(workspace, key, value))
            except OSError as exc:  # its folder is unreachable now: try again next time
                logger.warning("interrupted work on %s left for later: %s", key, exc.strerror)
    for line in done:
        logger.info("interrupted work: %s", line)
    return done


def _finish_refresh(workspace: Workspace) -> str:
    from app.services.identity_analysis import refresh_identity_findings

    refresh_identity_findings(workspace)  # clears the mark in its own transaction
    return "identity findings refreshed after an interrupted import"


def _finish_file(workspace: Workspace, key: str, value: dict[str, Any]) -> str:
    partial, target = Path(value.get("partial", "")), Path(value.get("target", ""))
    if not _is_partial_of(partial, target):
        outcome = "a malformed mark was dropped"
    elif value.get("state") != "journalled":
        if partial.is_symlink() or partial.exists():  # unlink fails on a read-only disk
            partial.unlink()
        outcome = f"unfinished {target.name} removed (it was never journalled)"
    elif partial.is_file():
        os.replace(partial, target)
        outcome = f"{target.name} moved into place (its journal entry was already written)"
    elif target.is_file() and sha256_of(target) == value.get("sha256"):
        outcome = f"{target.name} was already in place"
    else:
        _withdraw(workspace, key, target, str(value.get("sha256", "")))
        return f"{target.name} was journalled but lost before reaching its place; withdrawn"
    with workspace.db.write() as session:
        clear(session, key)
    return outcome


def _is_partial_of(partial: Path, target: Path) -> bool:
    """Return True when ``partial`` is a temporary name made for ``target`` (never another file)."""
    return (
        partial.parent == target.parent
        and partial.name.startswith(f".{target.name}.")
        and partial.name.endswith(safe_files.PARTIAL_SUFFIX)
    )
