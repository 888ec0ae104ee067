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
from dataclasses import dataclass, replace

from app.catalog.registry import Catalog
from app.domain.gaps import GAP_METHOD_TEXT
from app.domain.scoring import METHOD_TEXT
from app.reports.viewmodels import PROFILES, ReportData
from app.services.assessments import list_responses, load_questions
from app.services.engagement import get_engagement
from app.services.errors import UserError
from app.services.evidence import EvidenceInfo
from app.services.findings import refresh_gap_findings
from app.services.frameworks import catalog_for
from app.services.progress import Progress, check_cancelled, scaled
from app.services.quality_gate import QualityReport, run_quality_gate
from app.services.reporting import narrative
from app.services.reporting.document import (
    build_branding,
    build_document,
    build_system_profile,
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
        warnings: Sentences about settings that could not be used (logo, colours).
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


def _catalog(workspace: Workspace) -> Catalog | None:
    try:
        return catalog_for(workspace)
    except UserError as exc:  # the crosswalk is a nicety; the report stands without it
        logger.warning("no crosswalk for the report: %s", exc)
        return None


def build_report(
    workspace: Workspace,
    assessment_id: int,
    *,
    profile: str = "internal",
    today: dt.date | None = None,
    refresh_gaps: bool = True,
    progress: Progress | None = None,
) -> ReportBundle:
    """Read everything a report of one assessment shows.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        profile: ``internal`` (everything) or ``client`` (secrets masked, no internal notes).
        today: The report date; today when None.
        refresh_gaps: Bring the gap findings of a non-final assessment up to date first (a
            journalled write), so the report shows the current gaps.
        progress: Receives progress; cancelling raises ``Cancelled``.

    Raises:
        UserError: No such assessment or system, or an unknown profile.
        Cancelled: The caller cancelled.
    """
    check_profile(profile)
    today = today or dt.date.today()
    loaded = load_questions(workspace, assessment_id)
    info = loaded.info
    if refresh_gaps and not info.final:
        refresh_gap_findings(workspace, assessment_id)
    step = scaled(progress, 0.0, 1.0)
    step.report(0.1, "Reading answers and scores")
    responses = list_responses(workspace, assessment_id)
    score = score_loaded(loaded, responses)
    check_cancelled(progress)
    step.report(0.3, "Analysing identities")
    posture, analysis = build_posture(workspace, info.system, today=today)
    check_cancelled(progress)
    step.report(0.6, "Collecting findings and evidence")
    findings = collect_findings(workspace, assessment_id, info.system)
    also = [i for f in findings for i in f.evidence_ids]
    evidence, evidence_items = build_evidence(workspace, assessment_id, also)
    names = {e.id: e.file_name for e in evidence}
    catalog = _catalog(workspace)
    client = profile == "client"
    finding_rows = build_findings(findings, loaded, names, client=client)
    answers = build_answers(loaded, responses, names, catalog)
    gate = run_quality_gate(workspace, assessment_id)
    check_cancelled(progress)
    step.report(0.8, "Writing the summary")
    warnings: list[str] = []
    settings = all_workspace_settings(workspace)
    branding = build_branding(settings, warnings)
    versions = [(fw.id, fw.title, fw.version) for fw in loaded.frameworks]
    document = build_document(
        info, get_engagement(workspace), branding, profile=profile, today=today, versions=versions
    )
    system = build_system_profile(workspace, info, analysis.risk)
    results = build_framework_results(loaded, score)
    comparison = (
        build_comparison(workspace, info.previous_id, assessment_id) if info.previous_id else None
    )
    seq, head = journal_head(workspace)
    data = ReportData(
        document=document,
        branding=branding,
        profile=profile,
        system=system,
        identity=posture,
        frameworks=results,
        answers=answers,
        executive_summary=narrative.executive_summary(system, score, posture, finding_rows),
        key_messages=narrative.key_messages(results, posture, finding_rows, gate),
        scope_text=narrative.scope(info, system, document.frameworks),
        data_sources=narrative.data_sources(workspace, evidence_items, answers, seq, head),
        method_text=METHOD_TEXT,
        gap_method_text=GAP_METHOD_TEXT,
        limitations=narrative.limitations(gate, info),
        attestation=narrative.attestation(document, info),
        cross_framework=build_cross_framework(answers, catalog),
        findings=finding_rows,
        actions=build_actions(finding_rows),
        evidence=evidence_items,
        comparison=comparison,
    )
    if client:
        data = replace(for_client(data), profile=profile)
    step.report(1.0, "Report data ready")
    logger.info(
        "report data of assessment %s (%s): %d answers, %d findings",
        assessment_id, profile, len(answers), len(finding_rows),
    )  # fmt: skip
    return ReportBundle(data, score, gate, tuple(evidence), seq, head, tuple(warnings))
