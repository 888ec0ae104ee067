"""Write reports to files: the PDF (signed on request), the workbook and the portfolio PDF.

Each file is written next to its destination under a temporary name and moved into place only
when complete, so a failed or cancelled run never leaves half a report under the real name.
Every report written is journalled with its SHA-256, so the workspace history records which
documents left it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import ReportCancelled, ReportError
from app.services import journal
from app.services.errors import UserError
from app.services.progress import Cancelled, Progress, check_cancelled, scaled
from app.services.reporting.build import (
    ReportBundle,
    build_report,
    check_profile,
    refresh_report_gaps,
)
from app.services.reporting.portfolio import read_portfolio
from app.services.reporting.signing import SigningRequest, check_can_sign, sign_bundle
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportOutcome:
    """A report written to a file.

    Attributes:
        path: The file written.
        kind: ``pdf``, ``xlsx`` or ``portfolio``.
        profile: ``internal`` or ``client``.
        sha256: The SHA-256 of the file.
        pages: Pages of a PDF (0 for a workbook).
        signed_by: The signer's name when the PDF was signed.
        journal_hash: The journal head hash printed in the report.
        warnings: Settings that could not be used, quality-gate warnings.
    """

    path: Path
    kind: str
    profile: str
    sha256: str
    pages: int = 0
    signed_by: str = ""
    journal_hash: str = ""
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data."""
        return journal.jsonable(asdict(self))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pages(path: Path) -> int:
    from app.services.reporting.preview import pdf_page_count

    return pdf_page_count(path)


def _checked_output(path: Path, suffixes: tuple[str, ...]) -> Path:
    path = Path(path).expanduser()
    if path.suffix.lower() not in suffixes:
        raise UserError(f"{path.name}: the file name must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; name a file to write")
    if not path.parent.is_dir():
        raise UserError(f"the folder {path.parent} does not exist")
    return path


@contextlib.contextmanager
def _staged(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place on success, delete on error."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _render(fn: Callable[[], Any], what: str) -> None:
    try:
        fn()
    except ReportCancelled as exc:
        raise Cancelled() from exc
    except ReportError as exc:
        raise UserError(f"cannot write the {what}: {exc}") from exc
    except OSError as exc:
        raise UserError(f"cannot write the {what}: {exc.strerror or exc}") from exc


def _journal(workspace: Workspace, entity_id: str | int, outcome: ReportOutcome) -> None:
    with workspace.db.write() as session:
        journal.record(
            session,
            actor=workspace.actor,
            action=f"report.{outcome.kind}",
            entity="assessment" if outcome.kind != "portfolio" else "workspace",
            entity_id=entity_id,
            before=None,
            after={
                "file": outcome.path.name,
                "sha256": outcome.sha256,
                "profile": outcome.profile,
                "signed_by": outcome.signed_by,
                "journal_head": outcome.journal_hash,
            },
        )


def _warnings(bundle: ReportBundle) -> tuple[str, ...]:
    return bundle.warnings + tuple(f"quality gate: {w.message}" for w in bundle.gate.warnings)


def generate_pdf(
    workspace: Workspace,
    assessment_id: int,
    output: Path,
    *,
    profile: str = "internal",
    signing: SigningRequest | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ReportOutcome:
    """Write the PDF report of an assessment, signed when ``signing`` is given.

    When signing, the quality gate runs first and its errors refuse the signature before
    anything is rendered; the evidence manifest and the results are attached as JSON files
    and the signature covers them.

    Raises:
        UserError: Bad output name, unknown assessment or profile, quality-gate errors when
            signing, a certificate that cannot be opened, or a rendering failure.
        Cancelled: The caller cancelled.
    """
    output = _checked_output(output, (".pdf",))
    check_profile(profile)
    if signing is not None:
        check_can_sign(workspace, assessment_id, signing)
    refresh_report_gaps(workspace, assessment_id)
    bundle = build_report(
        workspace, assessment_id, profile=profile, today=today, progress=scaled(progress, 0, 0.3)
    )
    from app.reports.pdf import render_pdf  # deferred: WeasyPrint is heavy

    signer = ""
    with _staged(output) as partial:
        _render(
            lambda: render_pdf(bundle.data, partial, progress=scaled(progress, 0.3, 0.85)),
            "PDF report",
        )
        check_cancelled(progress)
        if signing is not None:
            scaled(progress, 0.85, 1.0).report(0.0, "Signing")
            signed = partial.with_name(partial.name + ".signed")
            try:
                signer = sign_bundle(bundle, partial, signed, signing)
                os.replace(signed, partial)
            finally:
                signed.unlink(missing_ok=True)
    outcome = ReportOutcome(
        output,
        "pdf",
        profile,
        _sha256(output),
        _pages(output),
        signer,
        bundle.journal_hash,
        _warnings(bundle),
    )
    _journal(workspace, assessment_id, outcome)
    if progress is not None:
        progress.report(1.0, "Report written")
    logger.info("wrote PDF report of assessment %s (%s)", assessment_id, profile)
    return outcome


def generate_workbook(
    workspace: Workspace,
    assessment_id: int,
    output: Path,
    *,
    profile: str = "internal",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ReportOutcome:
    """Write the Excel workbook of an assessment (its responses sheet can come back).

    Raises:
        UserError: Bad output name, unknown assessment or profile, or a writing failure.
        Cancelled: The caller cancelled.
    """
    output = _checked_output(output, (".xlsx",))
    refresh_report_gaps(workspace, assessment_id)
    bundle = build_report(
        workspace, assessment_id, profile=profile, today=today, progress=scaled(progress, 0, 0.5)
    )
    from app.reports.xlsx import write_workbook  # deferred: openpyxl is heavy

    with _staged(output) as partial:
        _render(lambda: write_workbook(bundle.data, partial), "workbook")
    outcome = ReportOutcome(
        output, "xlsx", profile, _sha256(output), 0, "", bundle.journal_hash, _warnings(bundle)
    )
    _journal(workspace, assessment_id, outcome)
    if progress is not None:
        progress.report(1.0, "Workbook written")
    return outcome


def generate_portfolio(
    workspace: Workspace,
    output: Path,
    *,
    profile: str = "internal",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ReportOutcome:
    """Write the portfolio PDF of every AI system of the workspace.

    Raises:
        UserError: Bad output name or profile, or a rendering failure.
        Cancelled: The caller cancelled.
    """
    output = _checked_output(output, (".pdf",))
    data, head = read_portfolio(
        workspace, profile=profile, today=today, progress=scaled(progress, 0, 0.5)
    )
    from app.reports.pdf import render_portfolio_pdf  # deferred: WeasyPrint is heavy

    with _staged(output) as partial:
        _render(
            lambda: render_portfolio_pdf(data, partial, progress=scaled(progress, 0.5, 1.0)),
            "portfolio report",
        )
    outcome = ReportOutcome(output, "portfolio", profile, _sha256(output), _pages(output), "", head)
    _journal(workspace, "portfolio", outcome)
    return outcome
