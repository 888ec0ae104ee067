"""Build the demo workspace through the same services a user drives.

The demo is a fictitious insurer: its inventory workbook is written and imported like a
client's, identity findings are refreshed, two systems are assessed and answered with
evidence, the organisation baseline and one system assessment are reviewed and finalised,
and that one is then re-assessed. Each step is dated on the engagement's calendar (see
:mod:`app.services.demo.timeline`). With an output folder the reports are produced as well
(by the caller, through the reporting service).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from app.services import assessment_lifecycle, assessments, evidence, review
from app.services.assessment_records import load_questions
from app.services.demo.answers import plan_answers
from app.services.demo.evidence_files import evidence_documents
from app.services.demo.findings_plan import assign_identity_findings, shape_findings
from app.services.demo.inventory_data import CLIENT, build_demo_inventory
from app.services.demo.opinion_text import write_demo_opinion
from app.services.demo.timeline import (
    BASELINE_APPROVED,
    BASELINE_FINAL,
    BASELINE_REVIEW,
    FINAL_ISSUED,
    FINDINGS_WRITTEN,
    REASSESSMENT,
    REVIEW_APPROVED,
    SENT_FOR_REVIEW,
    SYSTEM_DRAFTS,
    DemoClock,
)
from app.services.demo.voice import add_demo_voice
from app.services.demo.workbook import write_demo_workbook
from app.services.engagement import update_engagement
from app.services.errors import UserError
from app.services.identity_analysis import refresh_identity_findings
from app.services.inventory_import.plan import import_inventory
from app.services.progress import Progress, check_cancelled, scaled
from app.services.settings import set_workspace_setting
from app.services.workspace import Workspace, open_workspace
from app.support.paths import resources_dir

logger = logging.getLogger(__name__)

DEMO_ACTOR = "Robin Vale (demo assessor)"
DEMO_REVIEWER = "Dana Quill (quality reviewer)"
DEMO_FILE_NAME = "northwind-demo.assay"

#: (system, frameworks, focus areas, max priority, base maturity, title)
ASSESSMENT_PLANS = (
    (
        "AIS-001",
        ("nist-ir-8596", "owasp-asi", "owasp-nhi"),
        ("secure", "defend", "thwart"),
        2,
        2.4,
        "Claims triage agent: first assessment",
    ),
    (
        "AIS-025",
        ("nist-ai-rmf", "owasp-asi", "owasp-nhi"),
        None,
        None,
        2.0,
        "Release deployment agent: assessment",
    ),
)


#: The organisation assessment answers every organisation-level question of these, once.
ORGANISATION_FRAMEWORKS = ("nist-ai-rmf", "nist-ir-8596")


@dataclass
class DemoResult:
    """What the demo build made."""

    workspace_path: Path
    inventory_path: Path | None = None
    assessment_ids: list[int] = field(default_factory=list)
    organisation_assessment_id: int | None = None
    final_assessment_id: int | None = None
    reassessment_id: int | None = None


#: The sample identity exports the demo imports before its register (one per platform).
EXPORTS = ("aws-authorization-details.json", "azure", "gcp", "kubernetes")


def _remove_workspace_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_demo(
    path: Path, *, today: dt.date | None = None, progress: Progress | None = None
) -> DemoResult:
    """Create (or re-create) the demo workspace at ``path``.

    Args:
        path: The workspace file to write; an existing file there is replaced.
        today: The day the demo data is relative to; today when None.
        progress: Progress sink; the build can be cancelled between steps.

    Returns:
        What was built.
    """
    today = today or dt.date.today()
    path = Path(path)
    _remove_workspace_files(path)
    clock = DemoClock(today)
    workspace = dataclasses.replace(open_workspace(path, actor=DEMO_ACTOR), clock=clock)
    try:
        result = DemoResult(workspace_path=path)
        _describe_engagement(workspace, today)
        _import_inventory(workspace, today, result, scaled(progress, 0.0, 0.3))
        check_cancelled(progress)
        refresh_identity_findings(workspace)
        assign_identity_findings(workspace, today)
        evidence_ids = _add_evidence(workspace, today)
        _assess(workspace, evidence_ids, result, scaled(progress, 0.35, 1.0), clock)
        drafts = [i for i in result.assessment_ids if i != result.final_assessment_id]
        add_demo_voice(workspace, result.assessment_ids[1], drafts, today)
    finally:
        workspace.close()
    logger.info("demo workspace built at %s", path)
    return result


def _describe_engagement(workspace: Workspace, today: dt.date) -> None:
    update_engagement(
        workspace,
        client=CLIENT,
        title="AI identity and security assessment",
        assessor=DEMO_ACTOR,
        assessor_organisation="Assay demo consultancy",
        reviewer=DEMO_REVIEWER,
        start_date=today - dt.timedelta(days=21),
        end_date=today - dt.timedelta(days=2),
        classification="confidential",
    )
    set_workspace_setting(workspace, "branding.organisation", "Assay demo consultancy")


def _import_inventory(
    workspace: Workspace, today: dt.date, result: DemoResult, progress: Progress
) -> None:
    exports = resources_dir() / "samples" / "identity-exports"
    for number, name in enumerate(EXPORTS):
        part = scaled(progress, 0.1 * number, 0.1 * (number + 1))
        plan, applied = import_inventory(workspace, exports / name, progress=part)
        if applied is None or plan.has_errors:
            raise UserError(f"the demo's identity export {name} did not import cleanly")
    with tempfile.TemporaryDirectory() as folder:
        book = write_demo_workbook(
            build_demo_inventory(today), Path(folder) / "northwind-ai-register.xlsx"
        )
        plan, applied = import_inventory(workspace, book, progress=scaled(progress, 0.4, 1.0))
    if applied is None or plan.has_errors:
        raise UserError("the demo inventory did not import cleanly")


def _add_evidence(workspace: Workspace, today: dt.date) -> list[int]:
    collected = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(10), dt.UTC)
    ids = []
    for name, (description, data) in evidence_documents(today).items():
        info = evidence.add_evidence_bytes(
            workspace,
            data,
            name,
            description=description,
            collected_at=collected,
            collected_by=DEMO_ACTOR,
        )
        ids.append(info.id)
    return ids


def _assess(
    workspace: Workspace,
    evidence_ids: list[int],
    result: DemoResult,
    progress: Progress,
    clock: DemoClock,
) -> None:
    today = clock.today
    organisation = assessments.new_assessment(
        workspace, None, ORGANISATION_FRAMEWORKS, title="Northwind organisation baseline"
    )
    result.organisation_assessment_id = organisation.id
    _answer_all(workspace, organisation.id, 2.6, seed=7, evidence_ids=evidence_ids)
    shape_findings(workspace, organisation.id, today)
    _finish_baseline(workspace, organisation.id, clock)
    progress.report(0.25, "answered the organisation assessment")
    clock.move_to(SYSTEM_DRAFTS)
    for index, (system, frameworks, focus, max_priority, base, title) in enumerate(
        ASSESSMENT_PLANS
    ):
        info = assessments.new_assessment(
            workspace,
            system,
            frameworks,
            focus_areas=focus,
            max_priority=max_priority,
            title=title,
        )
        result.assessment_ids.append(info.id)
        _answer_all(workspace, info.id, base, seed=index, evidence_ids=evidence_ids)
        progress.report((index + 1) / 3, f"answered {title}")
        check_cancelled(progress)
    first = result.assessment_ids[0]
    clock.move_to(FINDINGS_WRITTEN)
    shape_findings(workspace, first, today)
    write_demo_opinion(workspace, first)
    clock.move_to(SENT_FOR_REVIEW)
    assessment_lifecycle.submit_for_review(workspace, first)
    clock.move_to(REVIEW_APPROVED)
    review.approve(dataclasses.replace(workspace, actor=DEMO_REVIEWER), first)
    clock.move_to(FINAL_ISSUED)
    assessment_lifecycle.finalize(workspace, first, force=True)
    result.final_assessment_id = first
    clock.move_to(REASSESSMENT)
    again = assessment_lifecycle.reassess(
        workspace, first, title="Claims triage agent: re-assessment"
    )
    result.reassessment_id = again.id
    result.assessment_ids.append(again.id)
    _improve(workspace, again.id, evidence_ids)
    shape_findings(workspace, again.id, today)
    progress.report(1.0, "re-assessment recorded")


def _finish_baseline(workspace: Workspace, assessment_id: int, clock: DemoClock) -> None:
    """Review and finalise the organisation baseline, as the first week of fieldwork would.

    The system assessments read its answers from then on; a final baseline is the one they
    freeze when they are finalised themselves.
    """
    clock.move_to(BASELINE_REVIEW)
    assessment_lifecycle.submit_for_review(workspace, assessment_id)
    clock.move_to(BASELINE_APPROVED)
    review.approve(dataclasses.replace(workspace, actor=DEMO_REVIEWER), assessment_id)
    clock.move_to(BASELINE_FINAL)
    assessment_lifecycle.finalize(workspace, assessment_id)


def _answer_all(
    workspace: Workspace, assessment_id: int, base: float, *, seed: int, evidence_ids: list[int]
) -> None:
    loaded = load_questions(workspace, assessment_id)
    inherited = {r.question_id for r in assessments.list_responses(workspace, assessment_id)
                 if r.inherited}  # fmt: skip
    questions = [q for _framework, q in loaded.entries() if q.id not in inherited]
    for number, planned in enumerate(plan_answers(questions, base=base, seed=seed)):
        linked = (evidence_ids[number % len(evidence_ids)],) if planned.with_evidence else ()
        assessments.answer(
            workspace,
            assessment_id,
            planned.question_id,
            "na" if planned.not_applicable else planned.level,
            note=planned.note or None,
            strength=planned.strength,
            evidence_ids=linked,
        )


def _improve(workspace: Workspace, assessment_id: int, evidence_ids: list[int]) -> None:
    """Raise some answers of the re-assessment, as remediation would."""
    loaded = load_questions(workspace, assessment_id)
    for number, (_framework, question) in enumerate(loaded.entries()):
        if number % 3:
            continue
        current = assessments.get_response(workspace, assessment_id, question.id)
        if current.inherited or current.level is None or current.level >= 4:
            continue
        assessments.answer(
            workspace,
            assessment_id,
            question.id,
            current.level + 1,
            note="Improved after remediation: see the updated runbook and access review.",
            strength="observed",
            evidence_ids=(evidence_ids[number % len(evidence_ids)],),
        )
