"""Write reports to files: the PDF (signed on request), the workbook and the portfolio PDF.

Each file is written next to its destination under a temporary name and moved into place only
when complete, so a failed or cancelled run never leaves half a report under the real name.
Every report written is journalled with its SHA-256, so the workspace history records which
documents left it; the file and its journal entry are published together or not at all (a run
killed in between is completed or undone on the workspace's next opening, see ``pending``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.reports.errors import ReportCancelled, ReportError
from app.services.errors import UserError
from app.services.pending import publish_file, sha256_of
from app.services.progress import Cancelled, Progress, check_cancelled, scaled
from app.services.reporting.build import (
    ReportBundle,
    build_report,
    check_appendices,
    check_profile,
    refresh_report_gaps,
)
from app.services.reporting.portfolio import read_portfolio
from app.services.reporting.signing import (
    SigningRequest,
    SignOutcome,
    check_can_sign,
    sign_bundle,
)
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.unit_of_work import UnitOfWork
from app.support.safe_files import new_partial

if TYPE_CHECKING:
    from app.reports.render_pool import RenderPool

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
        signature_level: The PAdES level of the signature (B-B … B-LTA) when signed.
    """

    path: Path
    kind: str
    profile: str
    sha256: str
    pages: int = 0
    signed_by: str = ""
    journal_hash: str = ""
    warnings: tuple[str, ...] = ()
    signature_level: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data."""
        jsonable: dict[str, Any] = journal.jsonable(asdict(self))
        return jsonable


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


def _render(fn: Callable[[], Any], what: str) -> None:
    try:
        fn()
    except ReportCancelled as exc:
        raise Cancelled() from exc
    except ReportError as exc:
        raise UserError(f"cannot write the {what}: {exc}") from exc
    except OSError as exc:
        raise UserError(f"cannot write the {what}: {exc.strerror or exc}") from exc


def _publish(
    workspace: Workspace,
    output: Path,
    entity_id: str | int,
    render: Callable[[Path], None],
    outcome_of: Callable[[Path], ReportOutcome],
) -> ReportOutcome:
    """Render the report and journal it: both happen, or neither (see :mod:`pending`)."""

    def record(uow: UnitOfWork, partial: Path) -> ReportOutcome:
        outcome = outcome_of(partial)
        _journal(uow, entity_id, outcome)
        return outcome

    try:
        written: ReportOutcome = publish_file(workspace, output, render, record)
        return written
    except OSError as exc:  # the folder refuses the file: nothing was written or journalled
        reason = exc.strerror or str(exc)
        raise UserError(f"cannot write {output.name} in {output.parent}: {reason}") from exc


def _journal(uow: UnitOfWork, entity_id: str | int, outcome: ReportOutcome) -> None:
    after = {
        "file": outcome.path.name,
        "sha256": outcome.sha256,
        "profile": outcome.profile,
        "signed_by": outcome.signed_by,
        "signature_level": outcome.signature_level,
        "journal_head": outcome.journal_hash,
    }
    if outcome.kind == "portfolio":  # one action for both formats; the file type says which
        after["kind"] = outcome.path.suffix.lower().lstrip(".")
    uow.record(
        f"report.{outcome.kind}",
        "assessment" if outcome.kind != "portfolio" else "workspace",
        entity_id,
        after=after,
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
    appendices: Sequence[str] | None = None,
    render_pool: RenderPool | None = None,
) -> ReportOutcome:
    """Write the PDF report of an assessment, signed when ``signing`` is given.

    ``appendices`` chooses the appendices printed after the body (keys of ``APPENDICES``);
    None prints the profile's default ones. A long report is laid out in parts side by side
    by ``render_pool``'s workers, or by workers started for it when None (where the process
    may start processes and has more than one core).

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
    check_appendices(appendices)
    if signing is not None:
        check_can_sign(workspace, assessment_id, signing)
    refresh_report_gaps(workspace, assessment_id)
    bundle = build_report(
        workspace,
        assessment_id,
        profile=profile,
        today=today,
        progress=scaled(progress, 0, 0.3),
        appendices=appendices,
    )
    from app.reports.pdf import render_pdf  # deferred: WeasyPrint is heavy

    signed: list[SignOutcome] = []
    pages: list[int] = []

    def render(partial: Path) -> None:
        with _pool(render_pool) as pool:
            _render(
                lambda: pages.append(
                    render_pdf(
                        bundle.data, partial, progress=scaled(progress, 0.3, 0.85), pool=pool
                    )
                ),
                "PDF report",
            )
        check_cancelled(progress)
        if signing is not None:
            scaled(progress, 0.85, 1.0).report(0.0, "Signing")
            signed.append(_signed_in_place(workspace, bundle, partial, signing))

    outcome = _publish(
        workspace,
        output,
        assessment_id,
        render,
        lambda partial: ReportOutcome(
            output,
            "pdf",
            profile,
            sha256_of(partial),
            pages[0],  # signing adds no page
            signed[0].signer if signed else "",
            bundle.journal_hash,
            _warnings(bundle) + (_signature_warnings(bundle, signed[0]) if signed else ()),
            signed[0].level if signed else "",
        ),
    )
    if progress is not None:
        progress.report(1.0, "Report written")
    logger.info("wrote PDF report of assessment %s (%s)", assessment_id, profile)
    return outcome


@contextmanager
def _pool(given: RenderPool | None) -> Iterator[RenderPool | None]:
    """Yield the render workers to use: those given, or new ones started only if needed."""
    from app.reports.render_pool import RenderPool, can_start_workers, default_size

    if given is not None or default_size() < 2 or not can_start_workers():
        yield given
        return
    pool = RenderPool()  # its processes start when a long report needs them
    try:
        yield pool
    finally:
        pool.close()


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

    outcome = _publish(
        workspace,
        output,
        assessment_id,
        lambda partial: _render(lambda: write_workbook(bundle.data, partial), "workbook"),
        lambda partial: ReportOutcome(
            output,
            "xlsx",
            profile,
            sha256_of(partial),
            0,
            "",
            bundle.journal_hash,
            _warnings(bundle),
        ),
    )
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
    """Write the portfolio of every AI system: a PDF or, for ``.xlsx``, a workbook.

    Both are drawn from the same view-model, read in one snapshot with the journal head.

    Raises:
        UserError: Bad output name or profile, or a rendering failure.
        Cancelled: The caller cancelled.
    """
    output = _checked_output(output, (".pdf", ".xlsx"))
    data, head = read_portfolio(
        workspace, profile=profile, today=today, progress=scaled(progress, 0, 0.5)
    )
    rest = scaled(progress, 0.5, 1.0)
    if output.suffix.lower() == ".xlsx":
        from app.reports.xlsx_portfolio import write_portfolio_workbook  # deferred: openpyxl

        def render(partial: Path) -> None:
            _render(
                lambda: write_portfolio_workbook(data, head, partial, progress=rest),
                "portfolio workbook",
            )
    else:
        from app.reports.pdf import render_portfolio_pdf  # deferred: WeasyPrint is heavy

        def render(partial: Path) -> None:
            _render(lambda: render_portfolio_pdf(data, partial, progress=rest), "portfolio report")

    return _publish(
        workspace,
        output,
        "portfolio",
        render,
        lambda partial: ReportOutcome(
            output,
            "portfolio",
            profile,
            sha256_of(partial),
            _pages(partial) if output.suffix.lower() == ".pdf" else 0,
            "",
            head,
        ),
    )


def _signature_warnings(bundle: ReportBundle, signed: SignOutcome) -> tuple[str, ...]:
    """The signer's warnings, and one when the certificate is not the assessor's named."""
    named = bundle.data.document.assessor or ""
    plain_named, plain_signer = (" ".join(n.casefold().split()) for n in (named, signed.signer))
    if not plain_named or plain_signer in plain_named or plain_named in plain_signer:
        return signed.warnings
    return (
        *signed.warnings,
        f"the report names {named} as the assessor but was signed with the certificate of "
        f"{signed.signer}: readers will see both names",
    )


def _signed_in_place(
    workspace: Workspace, bundle: ReportBundle, partial: Path, signing: SigningRequest
) -> SignOutcome:
    """Sign the rendered PDF, replacing it with the signed one; say who signed and how."""
    signed = new_partial(partial)
    try:
        outcome = sign_bundle(bundle, partial, signed, signing, workspace)
        os.replace(signed, partial)
    finally:
        signed.unlink(missing_ok=True)
    return outcome
