"""``assay workspace copy SRC DST``: move a workspace between a file and a server, verified.

This is a bulk operation between two workspaces, not a change inside one, so it does not take
a unit of work: it opens both workspaces, hands their databases to the storage copier (one
transaction on the destination), and then runs ``assay check`` on both. The copy adds nothing
to the destination's journal — an entry would change its head, and the copy must end with the
source's head — so it is recorded in the log instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from app.services import anchor
from app.services.errors import UserError, WorkspaceError
from app.services.integrity import check_workspace
from app.services.progress import Progress, check_cancelled, scaled
from app.services.workspace import Workspace, open_workspace
from app.storage import copy as copier
from app.storage import errors as db_errors
from app.support.locations import is_server_location

logger = logging.getLogger(__name__)

_COPY_SHARE = 0.7  # of the progress bar; checking both sides takes the rest


@dataclass(frozen=True)
class CopyResult:
    """What a copy moved and what checking both sides found.

    Attributes:
        source: Where the workspace was copied from.
        destination: Where it was copied to.
        tables: Rows copied per table, in the order copied.
        evidence_bytes: Bytes of evidence copied.
        source_head: The source's journal head (``SEQ:HASH``).
        destination_head: The destination's journal head after the copy.
        problems: Every problem checking found (empty when the copy is verified).
        seconds: How long the copy and the checks took.
    """

    source: str
    destination: str
    tables: dict[str, int]
    evidence_bytes: int
    source_head: str
    destination_head: str
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        """Return True when both sides pass ``check`` and hold the same journal head."""
        return not self.problems and self.source_head == self.destination_head

    @property
    def rows(self) -> int:
        """Return the number of rows copied in all."""
        return sum(self.tables.values())

    def as_dict(self) -> dict[str, object]:
        """Return the result as JSON-ready data."""
        return {
            "verified": self.verified,
            "source": self.source,
            "destination": self.destination,
            "tables": self.tables,
            "rows": self.rows,
            "evidence_bytes": self.evidence_bytes,
            "source_head": self.source_head,
            "destination_head": self.destination_head,
            "problems": self.problems,
            "seconds": round(self.seconds, 3),
        }


def is_server(location: str) -> bool:
    """Return True when ``location`` names a workspace on a server (a PostgreSQL URL)."""
    return is_server_location(location.strip())


def copy_workspace(
    source: str,
    destination: str,
    *,
    replace: bool = False,
    actor: str | None = None,
    progress: Progress | None = None,
) -> CopyResult:
    """Copy the workspace at ``source`` to ``destination`` and verify the copy.

    Args:
        source: A workspace file or a server URL.
        destination: A workspace file (created when missing) or the URL of an existing server
            database (given Assay's schema when it has no tables; refused when it holds data).
        replace: Replace a destination file that already holds a workspace with data.
        actor: Who is copying (the log names them); the operating-system user when None.
        progress: Told how far the copy is; cancelling rolls the destination back.

    Returns:
        The counts copied and what checking both sides found; see :attr:`CopyResult.verified`.

    Raises:
        UserError: The source is missing, both name the same workspace, the destination holds
            data (without ``replace``, which servers refuse), or the schemas differ.
    """
    started = time.monotonic()
    _refuse_same(source, destination)
    if replace and is_server(destination):
        raise UserError("--replace is for files; a server database must be empty to copy into")
    _say(progress, 0, "opening the source")
    src = _open(source, create=False, actor=actor)
    try:
        created = not is_server(destination) and not _file_exists(destination)
        _say(progress, 0, "creating the destination" if created else "opening the destination")
        dst = _open(destination, create=True, actor=actor)
        try:
            copied = _copy(src, dst, replace=replace, progress=scaled(progress, 0, _COPY_SHARE))
        except BaseException:
            dst.close()
            if created and dst.path is not None:
                _remove_file(dst.path)
            raise
        try:
            result = _verify(src, dst, copied, scaled(progress, _COPY_SHARE, 1))
        finally:
            dst.close()
    finally:
        src.close()
    logger.info(  # the locations as shown: a password in a URL is never written
        "workspace copied from %s to %s by %s: %d rows, head %s, %s",
        result.source, result.destination, src.actor, result.rows, result.destination_head,
        "verified" if result.verified else "NOT verified",
    )  # fmt: skip
    return CopyResult(**{**result.__dict__, "seconds": time.monotonic() - started})


def _copy(
    src: Workspace, dst: Workspace, *, replace: bool, progress: Progress
) -> list[copier.TableCopy]:
    def report(done: int, total: int, table: str) -> None:
        check_cancelled(progress)
        progress.report(done / max(total, 1), f"{table}: {done:,} of {total:,} rows")

    # A replaced file is another workspace: it gets a new id, so the heads recorded on this
    # computer for the old one are not compared with its journal.
    new_id = uuid.uuid4().hex if replace else None
    try:
        copied = copier.copy_database(
            src.db, dst.db, replace=replace, workspace_id=new_id, progress=report
        )
    except copier.DestinationNotEmptyError as exc:
        hint = "" if dst.is_server else " (add --replace to replace it)"
        raise UserError(f"cannot copy to {dst.name}: {exc}{hint}") from exc
    except copier.CopyError as exc:
        raise UserError(f"cannot copy to {dst.name}: {exc}") from exc
    except Exception as exc:
        if not db_errors.is_database_error(exc):
            raise
        reason = _reason(exc, dst if dst.is_server else src)
        raise UserError(f"the copy to {dst.name} failed and was undone: {reason}") from exc
    if replace and dst.path is not None:
        anchor.forget_path(dst.path)
    return copied


def _reason(exc: Exception, workspace: Workspace) -> str:
    failure = db_errors.classify(exc)
    if failure.kind == "other":
        return f"the database refused a row ({failure.error_class})"
    if workspace.is_server:
        return db_errors.describe_server(exc, str(getattr(workspace.db, "url", "")))
    return db_errors.describe(exc)


def _verify(
    src: Workspace, dst: Workspace, copied: list[copier.TableCopy], progress: Progress
) -> CopyResult:
    problems: list[str] = []
    heads = []
    for share, (side, workspace) in enumerate((("source", src), ("destination", dst))):
        _say(progress, share / 2, f"checking the {side}")
        report = check_workspace(workspace, scaled(progress, share / 2, (share + 1) / 2))
        heads.append(report.head)
        problems.extend(f"{side}: {p}" for ps in report.problems.values() for p in ps)
        problems.extend(f"{side}: {p}" for p in report.evidence_problems)
        if not report.journal.ok:
            problems.append(f"{side}: journal entry {report.journal.broken_seq} does not verify")
    tables = {c.table: c.rows for c in copied}
    problems.extend(_count_problems(src, dst, tables))
    if heads[0] != heads[1]:
        problems.append(f"the journal heads differ: {heads[0]} and {heads[1]}")
    return CopyResult(
        source=src.location,
        destination=dst.location,
        tables=tables,
        evidence_bytes=sum(c.binary_bytes for c in copied),
        source_head=heads[0],
        destination_head=heads[1],
        problems=problems,
    )


def _count_problems(src: Workspace, dst: Workspace, copied: dict[str, int]) -> list[str]:
    have, got = copier.count_rows(src.db), copier.count_rows(dst.db)
    return [
        f"{table}: {have[table]} rows in the source, {got.get(table)} in the destination"
        for table in have
        if not have[table] == got.get(table) == copied.get(table, 0)
    ]


def _say(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        check_cancelled(progress)
        progress.report(fraction, message)


def _open(location: str, *, create: bool, actor: str | None) -> Workspace:
    if is_server(location):
        return _open_server(location, create=create)
    path = Path(location).expanduser()
    if not create and not path.is_file():
        raise WorkspaceError(f"no workspace at {path}")
    return open_workspace(path, create=create, actor=actor)


def _open_server(url: str, *, create: bool) -> Workspace:
    """Open a server workspace; a destination database with no tables yet is initialised."""
    from app.services.server_workspace import init_server

    try:
        return open_workspace(url.strip())
    except WorkspaceError:
        if not create or not _server_is_empty(url.strip()):
            raise
    init_server(url.strip())
    return open_workspace(url.strip())


def _server_is_empty(url: str) -> bool:
    """Return True when the server database at ``url`` holds no table at all."""
    from app.storage import server_schema
    from app.storage.server_db import ServerDatabase

    database = ServerDatabase(url)
    try:
        return server_schema.inspect_server(database.engine).kind == "empty"
    except Exception as exc:
        if db_errors.is_database_error(exc):
            return False  # the server's own failure was already told by the open
        raise
    finally:
        database.close()


def _refuse_same(source: str, destination: str) -> None:
    if is_server(source) or is_server(destination):
        same = copier.same_server_database(source, destination)
    else:
        a, b = Path(source).expanduser().resolve(), Path(destination).expanduser().resolve()
        same = a == b or (a.exists() and b.exists() and os.path.samefile(a, b))
    if same:
        raise UserError("the source and the destination are the same workspace")


def _file_exists(location: str) -> bool:
    return Path(location).expanduser().exists()


def _remove_file(path: Path) -> None:
    """Remove a workspace file this copy created (and its WAL files) after a failed copy."""
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        with contextlib.suppress(FileNotFoundError):
            (path.parent / name).unlink()
    anchor.forget_path(path)
