"""Evidence files: stored inside the workspace by SHA-256, once, however often they are linked.

Adding a file stores its bytes in ``evidence_blob`` (keyed by their SHA-256) unless the same
bytes are already there, and records the named file in ``evidence``. One evidence record can be
linked to many responses, findings and systems. Files above the size limit (workspace setting
``evidence.max_file_mb``) are refused before they are read. Several files dropped at once are
read first and then stored, linked and journalled in one transaction (all or nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from app.services.assessments import (
    ResponseInfo,
    editable_row,
    response_row,
    update_response,
)
from app.services.bulk_answers import BulkResult, update_many
from app.services.errors import UserError
from app.services.progress import Progress, check_cancelled
from app.services.settings import get_workspace_setting
from app.services.unit import reads, writes
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import Evidence
from app.storage.repositories.evidence import EvidenceRepository, LinkKind
from app.storage.unit_of_work import UnitOfWork
from app.support.safe_files import safe_base_name
from app.support.text import plural

logger = logging.getLogger(__name__)

_MB = 1024 * 1024
_FALLBACK_TYPE = "application/octet-stream"


class EvidenceTooLargeError(UserError):
    """A file is above the workspace's evidence size limit."""


@dataclass(frozen=True)
class EvidenceInfo:
    """One evidence record as plain values.

    Attributes:
        responses: The responses it backs, as ``(assessment id, question id)``.
        findings: The findings it backs.
        systems: The inventory ids of the systems it is attached to.
        reused: True when adding found the same file already recorded.
    """

    id: int
    sha256: str
    file_name: str
    media_type: str
    size: int
    collected_at: dt.datetime | None
    collected_by: str
    description: str
    added_at: dt.datetime
    responses: tuple[tuple[int, str], ...] = ()
    findings: tuple[int, ...] = ()
    systems: tuple[str, ...] = ()
    reused: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data."""
        values: dict[str, Any] = journal.jsonable(asdict(self))
        return values


#: SQLite stores no value over 1,000,000,000 bytes (its default SQLITE_MAX_LENGTH); a
#: PostgreSQL server's bytea holds at most 1 GiB, so the same cap serves both stores.
SQLITE_MAX_BYTES = 1_000_000_000


@reads
def max_evidence_bytes(uow: UnitOfWork) -> int:
    """Return the largest evidence file the workspace accepts, in bytes (the store's cap)."""
    setting = int(get_workspace_setting(uow, "evidence.max_file_mb")) * _MB
    return min(setting, SQLITE_MAX_BYTES)


def _check_size(target: UnitOfWork | Workspace, name: str, size: int) -> None:
    limit = max_evidence_bytes(target)
    if size > limit:
        on_server = isinstance(target, Workspace) and target.is_server
        store = "the server's limit per value" if on_server else "SQLite's limit"
        raise EvidenceTooLargeError(
            f"{name} is {size / _MB:.1f} MB; evidence files may be at most {limit // _MB} MB "
            f"(workspace setting evidence.max_file_mb, and at most 953 MB, {store})"
        )


def add_evidence(
    workspace: Workspace,
    path: Path,
    *,
    description: str = "",
    collected_at: dt.datetime | None = None,
    collected_by: str | None = None,
    media_type: str | None = None,
) -> EvidenceInfo:
    """Store a file as evidence.

    The file is checked and read before the write transaction opens.

    Args:
        workspace: The open workspace.
        path: The file to store.
        description: What the file shows.
        collected_at: When it was collected (timezone-aware); now when None.
        collected_by: Who collected it; the workspace's actor when None.
        media_type: Its media type; guessed from the file name when None.

    Returns:
        The evidence record (an existing one when the same file was added before).

    Raises:
        EvidenceTooLargeError: The file is above the size limit.
        UserError: The file cannot be read.
    """
    path = Path(path)
    return add_evidence_bytes(
        workspace,
        _read_file(workspace, path),
        path.name,
        description=description,
        collected_at=collected_at,
        collected_by=collected_by,
        media_type=media_type,
    )


def _read_file(workspace: Workspace, path: Path) -> bytes:
    """Return a file's bytes after checking it is a file within the size limit."""
    workspace.refuse_own_file(path, "attached as evidence")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UserError(f"{path} is not a file")
        _check_size(workspace, path.name, size)
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc


@writes
def add_evidence_bytes(
    uow: UnitOfWork,
    data: bytes,
    file_name: str,
    *,
    description: str = "",
    collected_at: dt.datetime | None = None,
    collected_by: str | None = None,
    media_type: str | None = None,
) -> EvidenceInfo:
    """Store bytes as an evidence file named ``file_name`` (see :func:`add_evidence`).

    Args:
        uow: The unit of work (or the workspace, to store in a transaction of its own).
        data: The file's bytes.
        file_name: The name to record (reduced to a safe base name: no folder part, no
            control or direction characters).
        description: What the file shows.
        collected_at: When it was collected; now when None.
        collected_by: Who collected it; the unit's actor when None.
        media_type: Its media type; guessed from the name when None.

    Raises:
        EvidenceTooLargeError: The bytes are above the size limit.
    """
    name = safe_base_name(file_name)
    _check_size(uow, name, len(data))
    values = _file_values(
        uow.actor,
        name,
        data,
        description=description,
        collected_at=collected_at,
        collected_by=collected_by,
        media_type=media_type,
    )
    return _store(uow, data, values)


def _file_values(
    actor: str,
    name: str,
    data: bytes,
    *,
    description: str = "",
    collected_at: dt.datetime | None = None,
    collected_by: str | None = None,
    media_type: str | None = None,
) -> dict[str, Any]:
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "file_name": name,
        "media_type": media_type or mimetypes.guess_type(name)[0] or _FALLBACK_TYPE,
        "size": len(data),
        "collected_at": collected_at or dt.datetime.now(dt.UTC),
        "collected_by": collected_by if collected_by is not None else actor,
        "description": description.strip(),
    }


def add_evidence_files(
    workspace: Workspace,
    paths: Sequence[Path],
    *,
    response: tuple[int, str] | None = None,
    description: str = "",
    progress: Progress | None = None,
) -> list[EvidenceInfo]:
    """Store several files as evidence in one transaction, linking each to an answer if asked.

    Every file is checked and read first, so a missing, unreadable or too large file refuses
    the whole drop before anything is written. Then one write transaction stores the bytes,
    records the files, links them and journals each step. The bytes live inside the workspace
    file, so a failure or a cancel during that write rolls them back with everything else: no
    stored file is left behind that nothing references.

    Args:
        workspace: The open workspace.
        paths: The files, in the order to store them.
        response: ``(assessment id, question id)`` of the answer every file backs; None to
            store the files without a link.
        description: What the files show.
        progress: Told about each file; cancelling stores nothing.

    Returns:
        The evidence records in the order of ``paths`` (existing ones when the same file was
        added before), with their links.

    Raises:
        EvidenceTooLargeError: A file is above the size limit.
        UserError: A file cannot be read, or the answer cannot take evidence (no such
            question, or the assessment is final).
        Cancelled: The caller cancelled; nothing was stored.
    """
    staged = _stage(workspace, [Path(p) for p in paths], progress)
    if not staged:
        return []
    infos = _store_and_link(workspace, staged, response, description, progress)
    _report(progress, 1.0, "Stored")
    logger.info("stored %s in one transaction", plural(len(infos), "evidence file"))
    return infos


@writes
def _store_and_link(
    uow: UnitOfWork,
    staged: list[tuple[str, bytes]],
    response: tuple[int, str] | None,
    description: str,
    progress: Progress | None,
) -> list[EvidenceInfo]:
    if response is not None:
        _answer_row(uow, *response)
    stored = _store_staged(uow, staged, description, progress)
    if response is not None:
        for info in stored:
            link_to_response(uow, info.id, *response)
    return [replace(get_evidence(uow, i.id), reused=i.reused) for i in stored]


def _answer_row(uow: UnitOfWork, assessment_id: int, question_id: str) -> int:
    """Return the id of an answer that can take evidence (the assessment is not final)."""
    editable_row(uow, assessment_id)
    return response_row(uow, assessment_id, question_id).id or 0


def answer_with_evidence(
    workspace: Workspace,
    assessment_id: int,
    question_id: str,
    changes: dict[str, Any],
    files: Sequence[Path],
) -> ResponseInfo:
    """Change an answer and attach evidence files to it in one transaction.

    Every file is checked and read before anything is written; the files, the answer and
    their journal entries then commit together, or not at all.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        question_id: The question.
        changes: Response changes, as for ``update_response`` (see ``answer_changes``).
        files: Evidence files to store and link; may be empty.

    Returns:
        The response after the change.

    Raises:
        UserError: A file cannot be read or is too large, the assessment is final, the
            question is not in it, or a value is invalid.
    """
    staged = _stage(workspace, [Path(p) for p in files], None)
    with workspace.unit_of_work() as uow:
        _answer_row(uow, assessment_id, question_id)
        ids = [info.id for info in _store_staged(uow, staged, "", None)]
        return update_response(uow, assessment_id, question_id, link_evidence=ids, **changes)


def bulk_answer_with_evidence(
    workspace: Workspace,
    assessment_id: int,
    changes: Mapping[str, Mapping[str, Any]],
    files: Sequence[Path],
    progress: Progress | None = None,
    *,
    action: str = "response.bulk_update",
) -> BulkResult:
    """Change several answers and link evidence files to each, all in one transaction.

    Every file is read first; the files, the answers and the one journal entry of the bulk
    change then commit together, or not at all.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        changes: Question id → its changes (as for ``update_response``); may be empty dicts
            when only files are attached.
        files: Evidence files to store and link to every answer named.
        progress: Told about each file; cancelling stores nothing.
        action: The journal action.

    Raises:
        UserError: A file cannot be read or is too large, nothing to set, or as
            ``update_many``.
    """
    staged = _stage(workspace, [Path(p) for p in files], progress)
    if not any(changes.values()) and not staged:
        raise UserError("say what to set: a level, N/A with a reason, evidence or provenance")
    with workspace.unit_of_work() as uow:
        ids = [info.id for info in _store_staged(uow, staged, "", progress)]
        return update_many(uow, assessment_id, changes, link_evidence=ids, action=action)


def _store_staged(
    uow: UnitOfWork,
    staged: list[tuple[str, bytes]],
    description: str,
    progress: Progress | None,
) -> list[EvidenceInfo]:
    """Store files already read (see :func:`_stage`) inside the unit's transaction."""
    stored = []
    for number, (name, data) in enumerate(staged):
        check_cancelled(progress)
        _report(progress, 0.5 + 0.5 * number / len(staged), f"Storing {name}")
        values = _file_values(uow.actor, name, data, description=description)
        stored.append(_store(uow, data, values))
    return stored


def _stage(
    workspace: Workspace, paths: Sequence[Path], progress: Progress | None
) -> list[tuple[str, bytes]]:
    """Check and read every file before anything is written."""
    staged = []
    for number, path in enumerate(paths):
        check_cancelled(progress)
        _report(progress, 0.5 * number / max(len(paths), 1), f"Reading {path.name}")
        staged.append((path.name, _read_file(workspace, path)))
    return staged


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress.report(fraction, message)


def _store(uow: UnitOfWork, data: bytes, values: dict[str, Any]) -> EvidenceInfo:
    evidence = uow.repository(EvidenceRepository)
    existing = evidence.find(values["sha256"], values["file_name"])
    if existing is not None:
        return _info(evidence, existing, reused=True)
    reused_blob = evidence.has_blob(values["sha256"])
    row = evidence.add(values, data)
    uow.record("evidence.add", "evidence", row.id or 0, after=values | {"blob_reused": reused_blob})
    logger.info("stored evidence %s (%d bytes)", values["file_name"], values["size"])
    return _info(evidence, row)


def _info(evidence: EvidenceRepository, row: Evidence, *, reused: bool = False) -> EvidenceInfo:
    evidence_id = row.id or 0
    responses, findings, systems = evidence.links(evidence_id)
    return EvidenceInfo(
        id=evidence_id,
        sha256=row.sha256,
        file_name=safe_base_name(row.file_name),
        media_type=row.media_type,
        size=row.size,
        collected_at=row.collected_at,
        collected_by=row.collected_by,
        description=row.description,
        added_at=row.added_at,
        responses=tuple(responses),
        findings=tuple(findings),
        systems=tuple(systems),
        reused=reused,
    )


def _row(evidence: EvidenceRepository, evidence_id: int) -> Evidence:
    row = evidence.get(evidence_id)
    if row is None:
        raise UserError(f"no evidence {evidence_id}")
    return row


@reads
def get_evidence(uow: UnitOfWork, evidence_id: int) -> EvidenceInfo:
    """Return one evidence record with its links.

    Raises:
        UserError: No evidence has this id.
    """
    evidence = uow.repository(EvidenceRepository)
    return _info(evidence, _row(evidence, evidence_id))


@reads
def list_evidence(uow: UnitOfWork, assessment_id: int | None = None) -> list[EvidenceInfo]:
    """Return every evidence record, or those linked to one assessment's responses."""
    evidence = uow.repository(EvidenceRepository)
    return [_info(evidence, row) for row in evidence.all(assessment_id)]


@reads
def evidence_bytes(uow: UnitOfWork, evidence_id: int) -> bytes:
    """Return the bytes of an evidence file after checking them against their hash.

    Raises:
        UserError: No such evidence, or its bytes no longer match their SHA-256.
    """
    evidence = uow.repository(EvidenceRepository)
    row = _row(evidence, evidence_id)
    data = evidence.blob_data(row.sha256)
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise UserError(f"evidence {row.file_name} (#{evidence_id}) no longer matches its hash")
    return data


@reads
def export_evidence(
    uow: UnitOfWork, evidence_id: int, destination: Path, *, overwrite: bool = False
) -> Path:
    """Write an evidence file out again (to open it or hand it over).

    Args:
        uow: The unit of work (or the workspace).
        evidence_id: The evidence record.
        destination: A folder (the recorded file name is used inside it) or a file path.
        overwrite: Replace an existing file.

    Returns:
        The file written.

    Raises:
        UserError: No such evidence, damaged bytes, or the file exists and ``overwrite`` is off.
    """
    data = evidence_bytes(uow, evidence_id)
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / safe_base_name(get_evidence(uow, evidence_id).file_name)
    if destination.exists() and not overwrite:
        raise UserError(f"{destination} already exists")
    try:
        destination.write_bytes(data)
    except OSError as exc:
        raise UserError(f"cannot write {destination}: {exc.strerror}") from exc
    return destination


# --------------------------------------------------------------------------- links


def _link(
    uow: UnitOfWork,
    evidence_id: int,
    kind: LinkKind,
    owner_id: int,
    target: str,
    *,
    remove: bool,
) -> EvidenceInfo:
    evidence = uow.repository(EvidenceRepository)
    row = _row(evidence, evidence_id)
    found = evidence.set_link(kind, owner_id, evidence_id, remove=remove)
    action = "evidence.unlink" if remove else "evidence.link"
    after = {"target": target, "changed": found == remove}
    uow.record(action, "evidence", evidence_id, after=after)
    return _info(evidence, row)


@writes
def link_to_response(
    uow: UnitOfWork,
    evidence_id: int,
    assessment_id: int,
    question_id: str,
    *,
    remove: bool = False,
) -> EvidenceInfo:
    """Link (or with ``remove`` unlink) evidence and the response to one question.

    Raises:
        UserError: No such evidence or question, or the assessment is final.
    """
    _row(uow.repository(EvidenceRepository), evidence_id)
    response_id = _answer_row(uow, assessment_id, question_id)
    target = f"response {assessment_id}:{question_id}"
    return _link(uow, evidence_id, "response", response_id, target, remove=remove)


@writes
def link_to_finding(
    uow: UnitOfWork, evidence_id: int, finding_id: int, *, remove: bool = False
) -> EvidenceInfo:
    """Link (or unlink) evidence and a finding.

    Raises:
        UserError: No such evidence or finding, or the finding's assessment is final.
    """
    evidence = uow.repository(EvidenceRepository)
    _row(evidence, evidence_id)
    finding = evidence.finding(finding_id)
    if finding is None:
        raise UserError(f"no finding {finding_id}")
    if finding.assessment_id is not None:
        editable_row(uow, finding.assessment_id)
    return _link(uow, evidence_id, "finding", finding_id, f"finding {finding_id}", remove=remove)


@writes
def link_to_system(
    uow: UnitOfWork, evidence_id: int, system: str, *, remove: bool = False
) -> EvidenceInfo:
    """Link (or unlink) evidence and an AI system named by its inventory id.

    Raises:
        UserError: No such evidence or system.
    """
    evidence = uow.repository(EvidenceRepository)
    _row(evidence, evidence_id)
    system_id = evidence.system_id(system)
    if system_id is None:
        raise UserError(f"no AI system {system!r} in the inventory")
    return _link(uow, evidence_id, "system", system_id, f"system {system}", remove=remove)


@writes
def delete_evidence(uow: UnitOfWork, evidence_id: int) -> None:
    """Delete an evidence record and its links; its bytes go when nothing else uses them.

    Raises:
        UserError: No such evidence, or it backs an answer of a final assessment.
    """
    evidence = uow.repository(EvidenceRepository)
    row = _row(evidence, evidence_id)
    final = evidence.final_assessment_backed(evidence_id)
    if final is not None:
        raise UserError(f"evidence {row.file_name} backs final assessment {final}; kept")
    before = _info(evidence, row).as_dict()
    evidence.delete(row)
    uow.record("evidence.delete", "evidence", evidence_id, before=before)


@writes
def delete_if_unlinked(uow: UnitOfWork, evidence_id: int) -> bool:
    """Delete an evidence record that nothing links to any more.

    Used to take back a file an action stored: it stays when something else now relies on it.

    Returns:
        True when the record was deleted (it existed and had no link left).
    """
    evidence = uow.repository(EvidenceRepository)
    if evidence.get(evidence_id) is None or evidence.is_linked(evidence_id):
        return False
    delete_evidence(uow, evidence_id)
    return True


# --------------------------------------------------------------------------- integrity


@reads
def verify_evidence_hashes(uow: UnitOfWork, progress: Progress | None = None) -> list[str]:
    """Hash every stored evidence file again and report those whose bytes changed.

    Returns:
        One sentence per damaged blob, naming the evidence files that use it; empty when all
        evidence is intact.
    """
    evidence = uow.repository(EvidenceRepository)
    problems: list[str] = []
    names = evidence.names_by_hash()
    keys = evidence.blob_sizes()
    for index, (key, size) in enumerate(keys, start=1):
        check_cancelled(progress)
        data = evidence.blob_data(key)
        if hashlib.sha256(data).hexdigest() != key or len(data) != size:
            files = ", ".join(names.get(key, [])) or "no evidence record"
            problems.append(
                f"evidence {files}: the stored bytes no longer match SHA-256 {key[:12]}…"
            )
        if progress is not None:
            progress.report(index / len(keys), "checking evidence")
    return problems
