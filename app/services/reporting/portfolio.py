"""Build the :class:`~app.reports.viewmodels.PortfolioData` of every AI system of a workspace.

Each system is shown with its risk tier, blast radius, the figures of its latest assessment
and its open findings; the heat map shows the mean maturity of each system per framework
function (a framework without functions is one column); the identity KPIs are counted over the
non-human identities of the inventory.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace

from app import APP_NAME, __version__
from app.domain.enums import IdentityKind
from app.domain.hygiene import evaluate_hygiene
from app.domain.hygiene_model import SECRET_KINDS
from app.domain.risk import RISK_METHOD_TEXT, provisional_note
from app.domain.scoring import METHOD_TEXT
from app.reports.viewmodels import (
    DocumentControl,
    Finding,
    FrameworkVersion,
    HeatmapRow,
    IdentityKpis,
    PortfolioData,
    PortfolioOrganisation,
    PortfolioResult,
    PortfolioSystem,
)
from app.services.assessments import AssessmentInfo, list_assessments
from app.services.engagement import get_engagement
from app.services.identity_analysis import analyse_all, hygiene_settings, load_graph
from app.services.inventory_queries import FindingRow, list_findings, list_systems
from app.services.progress import Progress, check_cancelled, scaled
from app.services.reporting.build import check_profile
from app.services.reporting.document import build_branding, journal_head
from app.services.reporting.findings_view import finding_ref
from app.services.reporting.masking import for_client
from app.services.scoring import AssessmentScore, score_assessment
from app.services.settings import all_workspace_settings
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

SHORT_NAMES = {
    "nist-ir-8596": "IR 8596",
    "nist-ai-rmf": "AI RMF",
    "owasp-asi": "OWASP ASI",
    "owasp-nhi": "OWASP NHI",
}
TOP_FINDINGS = 15
_HUMAN = (IdentityKind.HUMAN_USER, IdentityKind.HUMAN_DELEGATION)
_OVER_PRIVILEGED = frozenset(
    {"wildcard-or-admin-scope", "grant-unused", "autonomous-write-without-approval"}
)
_OPEN = ("open", "in-progress")
_RESULT_KINDS = ("focus_area", "function")


def _columns(scores: Sequence[AssessmentScore]) -> dict[str, list[str]]:
    """Return heat-map column label → node keys whose means it averages, in first-seen order."""
    columns: dict[str, list[str]] = {}
    for score in scores:
        for framework in score.assessment.frameworks:
            short = SHORT_NAMES.get(framework.id, framework.id)
            functions = [
                info for info in score.nodes.values()
                if info.kind == "function" and info.key.startswith(framework.id + "/")
            ]  # fmt: skip
            if not functions:
                columns.setdefault(short, [])
                if framework.id not in columns[short]:
                    columns[short].append(framework.id)
            for info in functions:
                keys = columns.setdefault(f"{short} {info.ref}", [])
                if info.key not in keys:
                    keys.append(info.key)
    return columns


def _cell(score: AssessmentScore | None, keys: Sequence[str]) -> float | None:
    if score is None:
        return None
    means = [score.result.by_key[k].mean for k in keys if k in score.result.by_key]
    present = [m for m in means if m is not None]
    return round(sum(present) / len(present), 2) if present else None


def _kpis(workspace: Workspace, today: dt.date) -> IdentityKpis:
    loaded, graph = load_graph(workspace)
    settings = hygiene_settings(workspace)
    facts = loaded.facts
    findings = evaluate_hygiene(facts, today=today, settings=settings, graph=graph)
    by_rule: dict[str, set[str]] = {}
    for finding in findings:
        if finding.identity:
            by_rule.setdefault(finding.rule_id, set()).add(finding.identity)
    nhis = [i for i in facts.identities.values() if i.kind not in _HUMAN]
    ids = {i.ext_id for i in nhis}
    over = set().union(*(by_rule.get(rule, set()) for rule in _OVER_PRIVILEGED)) & ids
    tracked = [
        i for i in nhis
        if (i.kind in SECRET_KINDS or (i.kind is None and i.last_rotated))
        and (i.last_rotated or i.created)
    ]  # fmt: skip
    return IdentityKpis(
        identities=len(nhis),
        with_owner=sum(1 for i in nhis if i.owner),
        over_privileged=len(over),
        rotation_tracked=len(tracked),
        not_rotated=len(by_rule.get("key-not-rotated", set()) & ids),
        rotation_days=settings.rotation_days,
    )


def _top_findings(rows: Sequence[FindingRow]) -> tuple[Finding, ...]:
    open_rows = [r for r in rows if r.status in _OPEN][:TOP_FINDINGS]
    return tuple(
        Finding(
            finding_id=finding_ref(r.id),
            severity=r.severity,
            title=r.title,
            detail=r.detail.split("\nAssessor's notes:", 1)[0],
            recommendation=r.recommendation,
            references=r.references,
            source=r.source,
            system=r.system or "",
            identity=r.identity or "",
            question_ref=r.question_id,
            owner=r.owner,
            due_date=r.due_date,
            status=r.status,
        )
        for r in open_rows
    )


def _current(workspace: Workspace, latest: dict[str, AssessmentInfo]) -> list[FindingRow]:
    """Return the findings that stand today: none of an assessment a later one superseded.

    A re-assessment copies the themes of the assessment before it; counting both would show
    every open theme of a re-assessed system twice.
    """
    standing = {info.id for info in latest.values()}
    superseded = {
        info.id
        for info in list_assessments(workspace)
        if not info.organisation and info.id not in standing
    }
    return [r for r in list_findings(workspace) if r.assessment_id not in superseded]


def _latest(workspace: Workspace) -> dict[str, AssessmentInfo]:
    latest: dict[str, AssessmentInfo] = {}
    for info in list_assessments(workspace):
        if not info.organisation:
            latest[info.system] = info  # listed oldest first, so the last one wins
    return latest


def _organisation(workspace: Workspace) -> PortfolioOrganisation | None:
    """Return the current organisation assessment's results, shown once in the portfolio."""
    infos = [info for info in list_assessments(workspace) if info.organisation]
    if not infos:
        return None
    info = max(infos, key=lambda i: i.id)
    score = score_assessment(workspace, info.id)
    overall = score.result.overall
    return PortfolioOrganisation(
        title=info.title,
        status=info.status,
        questions=info.questions,
        answered=info.answered,
        mean=overall.mean,
        achieved_level=overall.achieved_level,
        coverage=overall.coverage,
        completeness=overall.completeness,
        date=info.created_at.date().isoformat(),
        results=_results(score),
    )


def _results(score: AssessmentScore) -> tuple[PortfolioResult, ...]:
    """Return each framework of an assessment, then its focus areas and functions.

    A node below a focus area is named by its path (``secure GV``), since IR 8596 holds each
    CSF function once per focus area.
    """
    rows: list[PortfolioResult] = []
    for framework in score.assessment.frameworks:
        prefix = framework.id + "/"
        keys = [(framework.id, "", framework.title, "framework")]
        keys += [
            (info.key, info.key.removeprefix(prefix).replace("/", " "), info.title, info.kind)
            for info in score.nodes.values()
            if info.kind in _RESULT_KINDS and info.key.startswith(prefix)
        ]
        for key, ref, title, kind in keys:
            node = score.result.by_key.get(key)
            if node is not None:
                rows.append(
                    PortfolioResult(
                        SHORT_NAMES.get(framework.id, framework.id),
                        ref,
                        title,
                        kind,
                        node.mean,
                        node.achieved_level,
                        node.coverage,
                        node.completeness,
                    )  # fmt: skip
                )
    return tuple(rows)


def build_portfolio(
    workspace: Workspace,
    *,
    profile: str = "internal",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> PortfolioData:
    """Read the portfolio of every AI system of the workspace, from one snapshot.

    Raises:
        UserError: An unknown profile.
        Cancelled: The caller cancelled.
    """
    return read_portfolio(workspace, profile=profile, today=today, progress=progress)[0]


def read_portfolio(
    workspace: Workspace,
    *,
    profile: str = "internal",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[PortfolioData, str]:
    """Return the portfolio and the journal head hash, both read in one read transaction.

    Raises:
        UserError: An unknown profile.
        Cancelled: The caller cancelled.
    """
    check_profile(profile)
    with workspace.db.snapshot():
        data = _portfolio(workspace, profile, today or dt.date.today(), progress)
        return data, journal_head(workspace)[1]


def _portfolio(
    workspace: Workspace, profile: str, today: dt.date, progress: Progress | None
) -> PortfolioData:
    summaries = analyse_all(workspace, progress=scaled(progress, 0.0, 0.3))
    latest = _latest(workspace)
    scores: dict[str, AssessmentScore] = {}
    for number, (system, latest_info) in enumerate(sorted(latest.items())):
        check_cancelled(progress)
        scaled(progress, 0.3, 0.8).report(number / max(len(latest), 1), f"Scoring {system}")
        scores[system] = score_assessment(workspace, latest_info.id)
    columns = _columns(list(scores.values()))
    findings = _current(workspace, latest)
    counts: dict[str, list[FindingRow]] = {}
    for finding in findings:
        if finding.system and finding.status in _OPEN:
            counts.setdefault(finding.system, []).append(finding)
    systems, heatmap = [], []
    for row in list_systems(workspace):
        summary = summaries.get(row.ext_id)
        score = scores.get(row.ext_id)
        overall = score.result.overall if score else None
        mine = counts.get(row.ext_id, [])
        info = latest.get(row.ext_id)
        target = summary.target_level if summary else 3
        systems.append(
            PortfolioSystem(
                system_id=row.ext_id,
                name=row.name,
                owner=row.owner,
                risk_tier=summary.risk_tier.value if summary else "",
                target_level=info.target_level if info else target,
                blast_score=summary.score if summary else None,
                blast_tier=summary.tier.value if summary and summary.tier else "",
                blast_unknown=(summary.unknown or "") if summary else "",
                risk_note=provisional_note(summary.risk_missing) if summary else "",
                status=info.status if info else "not assessed",
                mean=overall.mean if overall else None,
                achieved_level=overall.achieved_level if overall else None,
                coverage=overall.coverage if overall else None,
                completeness=overall.completeness if overall else None,
                open_findings=len(mine),
                critical_findings=sum(1 for f in mine if f.severity == "critical"),
                high_findings=sum(1 for f in mine if f.severity == "high"),
                own_answers=info.own_answers if info else 0,
                inherited_answers=info.inherited if info else 0,
                overridden_answers=info.overridden if info else 0,
            )
        )
        if score is not None:
            values = tuple(_cell(score, keys) for keys in columns.values())
            heatmap.append(HeatmapRow(row.ext_id, row.name, values))
    check_cancelled(progress)
    scaled(progress, 0.8, 1.0).report(0.0, "Counting identity figures")
    data = PortfolioData(
        document=_document(workspace, profile, today, scores),
        branding=build_branding(all_workspace_settings(workspace), []),
        profile=profile,
        systems=tuple(systems),
        heatmap_columns=tuple(columns),
        heatmap=tuple(heatmap),
        kpis=_kpis(workspace, today),
        top_findings=_top_findings(findings),
        summary=_summary(systems, findings),
        method_text=f"{METHOD_TEXT}\n{RISK_METHOD_TEXT}",
        organisation=_organisation(workspace),
    )
    if profile == "client":
        data = replace(for_client(data), profile=profile)
    if progress is not None:
        progress.report(1.0, "Portfolio data ready")
    return data


def _summary(systems: Sequence[PortfolioSystem], findings: Sequence[FindingRow]) -> str:
    assessed = [s for s in systems if s.status != "not assessed"]
    tiers: dict[str, int] = {}
    for system in systems:
        if system.risk_tier:
            tiers[system.risk_tier] = tiers.get(system.risk_tier, 0) + 1
    tier_text = ", ".join(
        f"{tiers[t]} {t}" for t in ("critical", "high", "moderate", "low") if t in tiers
    )
    open_count = sum(s.open_findings for s in systems)
    # Findings about identities name no system: counted apart, they are not lost from the total.
    on_identities = sum(1 for f in findings if not f.system and f.status in _OPEN)
    identities = (
        f" The identity check has {plural(on_identities, 'more open finding')} on the "
        "identities the systems act through."
        if on_identities
        else ""
    )
    return (
        f"The inventory holds {plural(len(systems), 'AI system')}, {len(assessed)} of them "
        "assessed. "
        f"By risk tier: {tier_text or 'none rated'}. "
        f"{plural(open_count, 'finding')} {'is' if open_count == 1 else 'are'} open on the "
        f"systems.{identities}"
    )


def _document(
    workspace: Workspace, profile: str, today: dt.date, scores: dict[str, AssessmentScore]
) -> DocumentControl:
    engagement = get_engagement(workspace)
    versions: dict[str, FrameworkVersion] = {}
    for score in scores.values():
        for ref in score.assessment.frameworks:
            versions.setdefault(ref.id, FrameworkVersion(ref.id, ref.title, ref.version))
    return DocumentControl(
        title="AI system portfolio: identity and maturity",
        client=engagement.client,
        engagement=engagement.title,
        assessor=engagement.assessor,  # the workspace's engagement, never this machine's
        assessor_organisation=engagement.assessor_organisation,
        reviewer=engagement.reviewer,
        report_date=today,
        report_version="1.0",
        status="portfolio",
        classification=engagement.classification,
        distribution="Assessment team (internal)" if profile == "internal" else "Client",
        period_start=engagement.start_date,
        period_end=engagement.end_date,
        app_name=APP_NAME,
        app_version=__version__,
        frameworks=tuple(versions.values()),
    )
