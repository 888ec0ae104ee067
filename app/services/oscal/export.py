"""Write an assessment's OSCAL documents into a folder, all or nothing, and journal it.

The folder receives ``assessment-plan.json``, ``assessment-results.json`` (which imports the
plan), ``poam.json``, one profile or catalog per framework version in scope, and the evidence
files under ``evidence/``. Everything is written into a staging folder first and moved into
place only when complete, so a failure or a cancel leaves the folder as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.errors import UserError
from app.services.evidence import evidence_bytes
from app.services.frameworks import catalog_for, stored_dates
from app.services.oscal.common import JSON
from app.services.oscal.content import content_document, content_file_name
from app.services.oscal.gather import OscalInputs, gather
from app.services.oscal.observations import evidence_file
from app.services.oscal.plan import PLAN_FILE, plan_document
from app.services.oscal.poam import POAM_FILE, poam_document
from app.services.oscal.previous import earlier_export_files, remove_files
from app.services.oscal.results import RESULTS_FILE, results_document
from app.services.progress import Progress, check_cancelled
from app.services.unit import writes
from app.services.workspace import Workspace
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OscalExport:
    """What :func:`export_oscal` wrote.

    Attributes:
        folder: The export folder.
        documents: The OSCAL files written, by name, with their SHA-256.
        evidence_files: How many evidence files were written beside them.
        removed: Files of an earlier export in the folder that this one does not write
            (documents of other framework versions, evidence of another assessment),
            removed so that the folder holds one export only.
    """

    folder: Path
    documents: dict[str, str]
    evidence_files: int
    removed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data."""
        return {
            "folder": str(self.folder),
            "documents": self.documents,
            "evidence_files": self.evidence_files,
            "removed": list(self.removed),
        }


def render(document: JSON) -> bytes:
    """Return a document as the bytes written: two-space indent, keys in model order."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build_documents(data: OscalInputs) -> dict[str, JSON]:
    """Return every OSCAL document of an assessment by file name."""
    documents = {
        PLAN_FILE: plan_document(data),
        RESULTS_FILE: results_document(data),
        POAM_FILE: poam_document(data),
    }
    for framework in data.loaded.frameworks:
        documents[content_file_name(framework)] = content_document(
            framework, data.stored.get(framework.id)
        )
    return documents


def export_oscal(
    workspace: Workspace,
    assessment_id: int,
    folder: Path,
    *,
    progress: Progress | None = None,
) -> OscalExport:
    """Write an assessment's OSCAL documents and evidence files into ``folder``.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        folder: The folder to write into (created if missing); same-named files are replaced,
            and the files of an earlier export there that this one does not write are removed
            (other files are left alone).
        progress: Progress sink; the export can be cancelled between files.

    Raises:
        UserError: No such assessment, an evidence file no longer matches its hash, or the
            folder cannot be written.
        Cancelled: The user cancelled; nothing was written.
    """
    folder = Path(folder)
    data = gather(workspace, assessment_id)
    _report(progress, 0.2, "documents built")
    documents = {name: render(doc) for name, doc in build_documents(data).items()}
    files = {evidence_file(e): e.id for e in data.evidence.values()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".oscal-", dir=folder) as staging:
            _stage(workspace, Path(staging), documents, files, progress)
            stale = earlier_export_files(folder, [*documents, *files])
            _move_into(Path(staging), folder, [*documents, *files])
        remove_files(folder, stale)
    except OSError as exc:
        raise _write_error(folder, exc) from exc
    digests = {n: hashlib.sha256(b).hexdigest() for n, b in documents.items()}
    outcome = OscalExport(folder, digests, len(files), tuple(stale))
    _journal(workspace, assessment_id, outcome)
    logger.info("OSCAL export of assessment %s written to %s", assessment_id, folder)
    return outcome


def export_content(workspace: Workspace, folder: Path) -> OscalExport:
    """Write every framework of the workspace as OSCAL (the IR 8596 profile, catalogs).

    Raises:
        UserError: The folder cannot be written.
    """
    folder = Path(folder)
    frameworks = tuple(catalog_for(workspace).frameworks())
    stored = stored_dates(workspace, frameworks)
    documents = {
        content_file_name(fw): render(content_document(fw, stored.get(fw.id))) for fw in frameworks
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".oscal-", dir=folder) as staging:
            for name, data in documents.items():
                (Path(staging) / name).write_bytes(data)
            _move_into(Path(staging), folder, list(documents))
    except OSError as exc:
        raise _write_error(folder, exc) from exc
    return OscalExport(folder, {n: hashlib.sha256(b).hexdigest() for n, b in documents.items()}, 0)


def _stage(
    workspace: Workspace,
    staging: Path,
    documents: dict[str, bytes],
    files: dict[str, int],
    progress: Progress | None,
) -> None:
    for name, data in documents.items():
        (staging / name).write_bytes(data)
    total = max(len(files), 1)
    for number, (name, evidence_id) in enumerate(files.items(), start=1):
        check_cancelled(progress)
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(evidence_bytes(workspace, evidence_id))
        _report(progress, 0.2 + 0.8 * number / total, f"evidence {number} of {len(files)}")
    check_cancelled(progress)


def _move_into(staging: Path, folder: Path, names: list[str]) -> None:
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging / name, target)


def _write_error(folder: Path, exc: OSError) -> UserError:
    """Return the one-line error for a folder the export cannot write into."""
    if folder.exists() and not folder.is_dir():
        return UserError(f"cannot write the OSCAL export to {folder}: it is a file, not a folder")
    return UserError(f"cannot write the OSCAL export to {folder}: {exc.strerror or exc}")


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress.report(fraction, message)


@writes
def _journal(uow: UnitOfWork, assessment_id: int, outcome: OscalExport) -> None:
    uow.record(
        "export.oscal",
        "assessment",
        assessment_id,
        after={
            "documents": outcome.documents,
            "evidence_files": outcome.evidence_files,
            "removed": list(outcome.removed),
        },
    )
