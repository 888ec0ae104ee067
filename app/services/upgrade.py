"""Move an assessment to a newer version of one of its frameworks, keeping its answers.

The new version comes from the shipped files (``assessments/<id>/<version>.yaml``), from a
version already stored in the workspace, or from a file the user names. Its mapping from the
assessment's version (:mod:`app.catalog.mapping`) says where each answer goes; answers with
their notes, evidence links and findings follow; answers to changed, split or merged questions
are flagged for review; answers of removed questions stay in the journal entry of the upgrade.
The plan (:func:`plan_upgrade`) is read only, so a window or ``--dry-run`` shows it first.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.catalog.mapping import ChangeKind
from app.catalog.schema import Framework
from app.services.assessment_records import (
    RESPONSE_FIELDS,
    AssessmentQuestions,
    ResponseInfo,
    editable_row,
    framework_ref,
    list_responses,
    load_questions,
)
from app.services.errors import UserError
from app.services.finding_themes import refresh_gap_findings
from app.services.findings import gap_key
from app.services.scoring import score_loaded
from app.services.unit import reads
from app.services.upgrade_plan import (
    UpgradePlan,
    carried_responses,
    plan_moves,
    scope_of,
)
from app.services.upgrade_sources import (
    VersionSource,
    available_versions,
    file_source,
    find_source,
    known_versions,
)
from app.services.workspace import Workspace
from app.storage.models import FrameworkVersion, Response
from app.storage.repositories.frameworks import FrameworkVersionRepository
from app.storage.repositories.upgrade import UpgradeRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["UpgradePlan", "available_versions", "plan_upgrade", "upgrade_assessment"]


def _pick_framework(
    uow: UnitOfWork,
    loaded: AssessmentQuestions,
    framework_id: str | None,
    file: VersionSource | None,
    to_version: str,
) -> Framework:
    ids = [fw.id for fw in loaded.frameworks]
    wanted = framework_id or (file.framework.id if file else None)
    if wanted is None:
        having = [i for i in ids if to_version in known_versions(uow, i)]
        wanted = having[0] if len(having) == 1 else (ids[0] if len(ids) == 1 else None)
    if wanted is None:
        raise UserError(
            f"assessment {loaded.info.id} uses {', '.join(ids)}; name one with --framework"
        )
    for framework in loaded.frameworks:
        if framework.id == wanted:
            return framework
    raise UserError(f"assessment {loaded.info.id} does not use {wanted} (it uses {', '.join(ids)})")


@reads
def _plan(
    uow: UnitOfWork,
    assessment_id: int,
    to_version: str | None,
    framework_id: str | None,
    file: VersionSource | None,
) -> UpgradePlan:
    if to_version is None:
        if file is None:
            raise UserError("name the version to move to")
        to_version = file.framework.version
    editable_row(uow, assessment_id)
    loaded = load_questions(uow, assessment_id)
    current = _pick_framework(uow, loaded, framework_id, file, to_version)
    if current.version == to_version:
        raise UserError(f"assessment {assessment_id} already uses {current.id} {to_version}")
    candidate = find_source(uow, current, to_version, file)
    target = candidate.framework
    mapping = target.mapping_from(current.version)
    if mapping is None:
        raise UserError(
            f"{current.id} {to_version} has no mapping from version {current.version}; "
            "its answers cannot be carried"
        )
    responses = {r.question_id: r for r in list_responses(uow, assessment_id)}
    in_scope = scope_of(target, loaded.info.scope)
    moves, new = plan_moves((current, target), loaded, responses, mapping, in_scope)
    carried = carried_responses(moves, responses)
    after_loaded = AssessmentQuestions(
        loaded.info,
        tuple(target if fw.id == current.id else fw for fw in loaded.frameworks),
        (loaded.in_scope - {m.old_id for m in moves}) | frozenset(in_scope),
    )
    others = [r for r in responses.values() if r.question_id not in {m.old_id for m in moves}]
    empty = [_empty(qid) for qid in new]
    return UpgradePlan(
        assessment_id=assessment_id,
        framework_id=current.id,
        from_version=current.version,
        to_version=to_version,
        source=current,
        target=target,
        text=candidate.text,
        moves=moves,
        new_questions=new,
        in_scope=in_scope,
        before=score_loaded(loaded, list(responses.values())),
        after=score_loaded(after_loaded, [*others, *carried.values(), *empty]),
        custom=candidate.custom,
    )


def _empty(question_id: str) -> ResponseInfo:
    return ResponseInfo(question_id, None, False, "", "", None, None, False, False, "", None)


def plan_upgrade(
    workspace: Workspace,
    assessment_id: int,
    to_version: str | None,
    *,
    framework_id: str | None = None,
    file: Path | None = None,
) -> UpgradePlan:
    """Work out what moving an assessment to another framework version would do; write nothing.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.
        to_version: The version to move to; None takes the version of ``file``.
        framework_id: Which of the assessment's frameworks; needed when it uses several.
        file: A framework file holding that version (otherwise a shipped or stored one).

    Raises:
        UserError: Final assessment, unknown version, no mapping, or a bad file.
    """
    return _plan(workspace, assessment_id, to_version, framework_id, file_source(file))


def upgrade_assessment(
    workspace: Workspace,
    assessment_id: int,
    to_version: str | None,
    *,
    framework_id: str | None = None,
    file: Path | None = None,
) -> UpgradePlan:
    """Move an assessment to another version of one framework, in one journalled transaction.

    Arguments as for :func:`plan_upgrade`.

    Returns:
        The plan that was carried out.

    Raises:
        UserError: As :func:`plan_upgrade`.
    """
    candidate = file_source(file)
    with workspace.unit_of_work() as uow:
        plan = _plan(uow, assessment_id, to_version, framework_id, candidate)
        row = editable_row(uow, assessment_id)
        old_ref = next(ref for ref in row.frameworks if ref["id"] == plan.framework_id)
        stored = _store(uow, plan)
        new_ref = asdict(framework_ref(stored))
        row.frameworks = [new_ref if ref is old_ref else ref for ref in row.frameworks]
        row.scope = row.scope | {
            "questions": dict(row.scope.get("questions", {}))
            | {plan.framework_id: len(plan.in_scope)}
        }
        history = _move_responses(uow, plan)
        moved_findings = _move_findings(uow, plan)
        refresh_gap_findings(uow, assessment_id)
        uow.record(
            "assessment.upgrade",
            "assessment",
            assessment_id,
            before={"framework": old_ref, "answers_kept_in_history": history},
            after=_journal_after(plan, new_ref, moved_findings),
        )
    logger.info(
        "assessment %s moved from %s %s to %s",
        assessment_id,
        plan.framework_id,
        plan.from_version,
        plan.to_version,
    )
    return plan


def _journal_after(plan: UpgradePlan, ref: dict[str, Any], findings: int) -> dict[str, Any]:
    summary = plan.as_dict()
    return {
        "framework": ref,
        "moves": summary["moves"],
        "new_questions": summary["new_questions"],
        "to_review": summary["to_review"],
        "findings_moved": findings,
        "overall_before": summary["scores"][0]["before"],
        "overall_after": summary["scores"][0]["after"],
    }


def _store(uow: UnitOfWork, plan: UpgradePlan) -> FrameworkVersion:
    target = plan.target
    versions = uow.repository(FrameworkVersionRepository)
    row = versions.find(target.id, target.version, target.sha256)
    if row is not None:
        return row
    return versions.add(
        FrameworkVersion(
            framework_id=target.id,
            version=target.version,
            title=target.title,
            sha256=target.sha256,
            custom=plan.custom,
            source_name=target.source_name,
            content=plan.text,
        )
    )


_CARRIED_FIELDS = (*RESPONSE_FIELDS, "answered_by", "answered_at", "reviewed_by", "reviewed_at")


def _move_responses(uow: UnitOfWork, plan: UpgradePlan) -> list[dict[str, Any]]:
    """Rewrite the framework's response rows; return the answers that leave the assessment."""
    rows = uow.repository(UpgradeRepository)
    old_ids = [m.old_id for m in plan.moves]
    by_question = {r.question_id: r for r in rows.responses(plan.assessment_id, old_ids)}
    infos = {r.question_id: r for r in list_responses(uow, plan.assessment_id)}
    carried = carried_responses(plan.moves, infos)
    free = {m.old_id: by_question[m.old_id] for m in plan.moves if m.old_id in by_question}
    for row in free.values():  # park every old row so renames never collide
        row.question_id = f"~{row.id}"
    rows.flush()
    sources = {t: [m.old_id for m in plan.moves if t in m.new_ids] for t in plan.in_scope}
    for new_id in plan.in_scope:
        reuse = next((free.pop(o) for o in sources[new_id] if o in free), None)
        info = carried.get(new_id)
        _write_response(rows, plan.assessment_id, new_id, reuse, info)
    combined = [m.old_id for m in plan.moves if m.change in (ChangeKind.SPLIT, ChangeKind.MERGED)]
    kept = [o for o in dict.fromkeys([*free, *combined]) if infos[o].answered]
    history = [infos[o].as_dict() for o in kept]
    for row in free.values():
        rows.delete(row)
    rows.flush()
    return history


def _write_response(
    rows: UpgradeRepository,
    assessment_id: int,
    question_id: str,
    row: Response | None,
    info: ResponseInfo | None,
) -> None:
    if row is None:
        row = rows.add_response(assessment_id, question_id)
    row.question_id = question_id
    if info is not None:
        for name in _CARRIED_FIELDS:
            setattr(row, name, getattr(info, name))
    rows.flush()
    if info is not None:
        rows.link_evidence(row.id or 0, info.evidence_ids)


def _move_findings(uow: UnitOfWork, plan: UpgradePlan) -> int:
    """Point findings of moved questions at their new question; detach those of removed ones."""
    moves = {m.old_id: m for m in plan.moves}
    repository = uow.repository(UpgradeRepository)
    rows = repository.findings(plan.assessment_id, moves)
    for row in rows:  # park the keys so a new key never collides with an old one
        row.key = f"~{row.id}" if row.key else None
    repository.flush()
    taken: set[str] = set()
    moved = 0
    for row in sorted(rows, key=lambda r: (r.key is None, r.id or 0)):
        move = moves[row.question_id]
        if not move.new_ids:
            row.key = None
            row.detail += f"\n(The question was {move.change.value} in {plan.to_version}.)"
            continue
        new_id = move.new_ids[0]
        key = gap_key(plan.assessment_id, new_id) if row.key else None
        row.question_id, row.key = new_id, (key if key not in taken else None)
        taken.add(key or "")
        moved += 1
    repository.flush()
    return moved
