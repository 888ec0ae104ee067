"""Build the :class:`~app.reports.viewmodels.ReportData` of one assessment from the workspace.

Everything the report shows is read here, through the other services, into plain values:
engagement, branding, system profile, identity posture, scores per framework, answers, the
cross-framework view, findings and action plan, evidence index, comparison with the previous
assessment and the journal head hash. The client profile masks secret identifiers and drops
internal notes before the view-model leaves this module.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.catalog.registry import Catalog
from app.domain.risk import RISK_METHOD_TEXT
from app.domain.risk_matrix import MATRIX_METHOD_TEXT
from app.domain.scoring import METHOD_TEXT
from app.domain.themes import THEME_METHOD_TEXT
from app.reports.viewmodels import (
    APPENDICES,
    PROFILES,
    Answer,
    EvidenceItem,
    Finding,
    IdentityPosture,
    ReportData,
)
from app.services.assessments import AssessmentQuestions, list_responses, load_questions
from app.services.engagement import get_engagement
from app.services.errors import UserError
from app.services.evidence import EvidenceInfo
from app.services.finding_themes import refresh_gap_findings
from app.services.frameworks import catalog_for
from app.services.identity_analysis import SystemAnalysis
from app.services.progress import Progress, check_cancelled, scaled
from app.services.quality_gate import QualityReport, run_quality_gate
from app.services.reporting import narrative
from app.services.reporting.document import (
    build_branding,
    build_document,
    build_system_profile,
    check_dates,
    journal_head,
)
from app.services.reporting.findings_view import (
    build_actions,
    build_evidence,
    build_findings,
    collect_findings,
)
from app.services.reporting.masking import for_client
from app.services.reporting.posture import build_posture
from app.services.reporting.results import (
    build_answers,
    build_comparison,
    build_cross_framework,
    build_framework_results,
)
from app.services.reporting.voice import answers_with_provenance, build_voice
from app.services.scoring import AssessmentScore, score_loaded
from app.services.settings import all_workspace_settings
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportBundle:
    """A report's view-model with what signing and the attachments need beside it.

    Attributes:
        data: The view-model the renderers take.
        score: The assessment's scores (for the results attachment).
        gate: The quality gate's verdict at build time.
        evidence: The evidence records listed in the index (for the manifest).
        journal_seq: Sequence number of the newest journal entry when the report was built.
        journal_hash: Its hash: the fingerprint of the workspace history.
        warnings: Sentences about settings that could not be used (logo, colours) and dates
            that contradict the report date.
    """

    data: ReportData
    score: AssessmentScore
    gate: QualityReport
    evidence: tuple[EvidenceInfo, ...]
    journal_seq: int
    journal_hash: str
    warnings: tuple[str, ...] = ()


def check_profile(profile: str) -> str:
    """Return ``profile`` when it is a known report profile.

    Raises:
        UserError: It is not ``internal`` or ``client``.
    """
    if profile not in PROFILES:
        raise UserError(f"unknown report profile {profile!r} (use {' or '.join(PROFILES)})")
    return profile


def check_appendices(appendices: Sequence[str] | None) -> tuple[str, ...] | None:
    """Return the chosen appendices as a tuple (None keeps the profile's default).

    Raises:
        UserError: One of them is not an appendix a report has.
    """
    if appendices is None:
        return None
    unknown = [a for a in appendices if a not in APPENDICES]
    if unknown:
        raise UserError(f"unknown appendix {unknown[0]!r} (use {', '.join(APPENDICES)})")
    return tuple(appendices)


def _catalog(workspace: Workspace) -> Catalog | None:
    try:
        return catalog_for(workspace)
    except UserError as exc:  # the crosswalk is a nicety; the report stands without it
        logger.warning("no crosswalk for the report: %s", exc)
        return None


@dataclass(frozen=True)
class _Read:
    """What the report needs from the workspace, before it is put into the view-model."""

    loaded: AssessmentQuestions
    score: AssessmentScore
    posture: IdentityPosture
    analysis: SystemAnalysis
    findings: tuple[Finding, ...]
    answers: tuple[Answer, ...]
    evidence: list[EvidenceInfo]
    evidence_items: tuple[EvidenceItem, ...]
    catalog: Catalog | None
    gate: QualityReport


def _read(
    workspace: Workspace, loaded: AssessmentQuestions, client: bool, today: dt.date,
    progress: Progress | None,
) -> _Read:  # fmt: skip
    info = loaded.info
    if info.organisation:
        raise UserError(
            f"assessment {info.id} is the organisation assessment: its results are reported once "
            "in the portfolio report (assay report portfolio) and in every system's report as "
            "inherited answers"
        )
    step = scaled(progress, 0.0, 0.8)
    step.report(0.1, "Reading answers and scores")
    responses = list_responses(workspace, info.id)
    score = score_loaded(loaded, responses)
    check_cancelled(progress)
    step.report(0.4, "Analysing identities")
    posture, analysis = build_posture(workspace, info.system, today=today)
    check_cancelled(progress)
    step.report(0.75, "Collecting findings and evidence")
    found = collect_findings(workspace, info.id, info.system)
    also = [i for f in found for i in f.evidence_ids]
    evidence, evidence_items = build_evidence(workspace, info.id, also)
    names = {e.id: e.file_name for e in evidence}
    catalog = _catalog(workspace)
    return _Read(
        loaded=loaded,
        score=score,
        posture=posture,
        analysis=analysis,
        findings=build_findings(found, loaded, names, client=client),
        answers=answers_with_provenance(
            workspace, info.id, build_answers(loaded, responses, names, catalog)
        ),
        evidence=evidence,
        evidence_items=evidence_items,
        catalog=catalog,
        gate=run_quality_gate(workspace, info.id),
    )


def _assemble(
    workspace: Workspace,
    read: _Read,
    profile: str,
    today: dt.date,
    warnings: list[str],
    appendices: tuple[str, ...] | None,
) -> tuple[ReportData, int, str]:
    info = read.loaded.info
    branding = build_branding(all_workspace_settings(workspace), warnings)
    versions = [(fw.id, fw.title, fw.version) for fw in read.loaded.frameworks]
    document, date_problems = check_dates(
        build_document(
            info, get_engagement(workspace), branding, profile=profile, today=today,
            versions=versions,
        )
    )  # fmt: skip
    warnings += date_problems
    system = build_system_profile(workspace, info, read.analysis.risk)
    results = build_framework_results(read.loaded, read.score)
    previous = info.previous_id
    seq, head = journal_head(workspace)
    data = ReportData(
        document=document,
        branding=branding,
        profile=profile,
        system=system,
        identity=read.posture,
        frameworks=results,
        answers=read.answers,
        executive_summary=narrative.executive_summary(
            system, read.score, read.posture, read.findings
        ),
        key_messages=narrative.key_messages(
            results, read.posture, read.findings, read.gate, client=profile == "client"
        ),
        scope_text=narrative.scope(info, system, document.frameworks),
        data_sources=narrative.data_sources(
            workspace, read.evidence_items, read.answers, seq, head
        ),
        method_text=f"{METHOD_TEXT}\n{RISK_METHOD_TEXT}",
        gap_method_text=f"{THEME_METHOD_TEXT}\n{MATRIX_METHOD_TEXT}",
        limitations=narrative.limitations(read.gate, info, client=profile == "client"),
        attestation=narrative.attestation(document, info),
        cross_framework=build_cross_framework(read.answers, read.catalog),
        findings=read.findings,
        actions=build_actions(read.findings),
        evidence=read.evidence_items,
        comparison=build_comparison(workspace, previous, info.id, results) if previous else None,
        appendices=appendices,
        voice=build_voice(
            workspace, info, read.answers, document.reviewer, internal=profile == "internal"
        ),
    )
    return data, seq, head


def build_report(
    workspace: Workspace,
    assessment_id: int,
    *,
    profile: str = "internal",
    today: dt.date | None = None,
    progress: Progress | None = None,
    appendices: Sequence[str] | None = None,
) -> ReportBundle:
    """Read everything a report of one assessment shows, from one snapshot; write nothing.

    Everything the report shows and the journal head it prints (and a signature covers) are
    read in one read transaction, so the head is the fingerprint of exactly the state shown,
    whatever other windows or processes commit meanwhile. Bring the gap findings up to date
    before (:func:`refresh_report_gaps`): building never writes.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        profile: ``internal`` (everything) or ``client`` (secrets masked, no internal notes).
        today: The report date; today when None.
        progress: Receives progress; cancelling raises ``Cancelled``.
        appendices: The appendices to print (keys of ``APPENDICES``); None for the profile's
            default.

    Raises:
        UserError: No such assessment or system, an unknown profile or appendix.
        Cancelled: The caller cancelled.
    """
    check_profile(profile)
    chosen = check_appendices(appendices)
    with workspace.db.snapshot():
        return _build(workspace, assessment_id, profile, today or dt.date.today(), progress, chosen)


def refresh_report_gaps(workspace: Workspace, assessment_id: int) -> None:
    """Bring the gap findings of a non-final assessment up to date (a journalled write).

    Callers run it before :func:`build_report` so the report shows the current gaps.
    """
    if not load_questions(workspace, assessment_id).info.final:
        refresh_gap_findings(workspace, assessment_id)


def _build(
    workspace: Workspace, assessment_id: int, profile: str, today: dt.date,
    progress: Progress | None, appendices: tuple[str, ...] | None,
) -> ReportBundle:  # fmt: skip
    loaded = load_questions(workspace, assessment_id)
    client = profile == "client"
    read = _read(workspace, loaded, client, today, progress)
    check_cancelled(progress)
    scaled(progress, 0.8, 1.0).report(0.0, "Writing the summary")
    warnings: list[str] = []
    data, seq, head = _assemble(workspace, read, profile, today, warnings, appendices)
    if client:
        data = replace(for_client(data), profile=profile)
    if progress is not None:
        progress.report(1.0, "Report data ready")
    logger.info(
        "report data of assessment %s (%s): %d answers, %d findings",
        assessment_id, profile, len(data.answers), len(data.findings),
    )  # fmt: skip
    return ReportBundle(
        data, read.score, read.gate, tuple(read.evidence), seq, head, tuple(warnings)
    )
