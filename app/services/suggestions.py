"""Suggested answers: from the inventory for identity questions, from linked crosswalk answers.

An identity-related question (one whose questionnaire entry names ``inventory_facts``) gets the
facts of the assessed system's inventory that bear on it, the open identity-rule findings of the
system and its identities, and a suggested level by the rule in :data:`SUGGESTION_METHOD`.
Accepting it records the answer with the analysis stored as an evidence file, in one
transaction; undoing takes back the answer, the links and the file it added.

A question linked through the crosswalk to a question already answered (in this assessment or
an earlier one of the same system) gets that answer offered; accepting copies the level, the
evidence strength and the evidence links.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.catalog.errors import UnknownIdError
from app.catalog.registry import Catalog
from app.catalog.schema import Question
from app.domain.blast_radius import system_blast_radius
from app.domain.enums import EvidenceStrength, Severity
from app.services.assessment_records import evidence_links, response_info
from app.services.assessments import (
    ResponseInfo,
    editable_row,
    list_responses,
    load_questions,
    response_row,
    update_response,
)
from app.services.errors import UserError
from app.services.evidence import add_evidence_bytes, delete_if_unlinked, link_to_response
from app.services.frameworks import catalog_for
from app.services.identity_analysis import load_graph
from app.services.unit import reads
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import AISystem, Identity, Person
from app.storage.repositories.assessment_checks import AssessmentChecksRepository
from app.storage.repositories.assessments import AssessmentRepository
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

INVENTORY, CROSSWALK = "inventory", "crosswalk"
MAX_INVENTORY_LEVEL = 3

SUGGESTION_METHOD = (
    "Suggested level from the inventory: 3 when every inventory fact the question relies on is "
    "recorded for the system and all its identities, 2 when at least half are, 1 otherwise; "
    "capped at 1 by an open critical identity finding and at 2 by an open high or medium one. "
    "The inventory alone never suggests more than 3: levels 4 and 5 need evidence that the "
    "practice is measured and improved."
)


@dataclass(frozen=True)
class Fact:
    """One inventory fact as shown beside a question.

    Attributes:
        name: The fact (``identity.last_rotated``).
        recorded: How many records have it.
        total: How many records could have it; 0 for results of the identity analysis
            (``analysis.*``), which are shown but do not count towards the suggested level.
        values: What is recorded, ``record id: value`` (at most a few dozen).
    """

    name: str
    recorded: int
    total: int
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A suggested answer to one question.

    Attributes:
        question_id: The question the suggestion answers.
        kind: ``inventory`` or ``crosswalk``.
        level: The suggested level, or None when the facts do not support one.
        reason: Why this level, in one or two sentences.
        facts: The inventory facts (inventory suggestions).
        findings: Open identity-rule findings as ``severity: title`` (inventory suggestions).
        source_question: The linked question (crosswalk suggestions).
        source_assessment: The assessment it was answered in (crosswalk suggestions).
        link_type: How the two questions relate (crosswalk suggestions).
        strength: The evidence strength recorded on accepting.
        evidence_ids: Evidence linked on accepting (crosswalk suggestions).
    """

    question_id: str
    kind: str
    level: int | None
    reason: str
    facts: tuple[Fact, ...] = ()
    findings: tuple[str, ...] = ()
    source_question: str = ""
    source_assessment: int | None = None
    link_type: str = ""
    strength: str | None = None
    evidence_ids: tuple[int, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """Return the suggestion as JSON-ready data."""
        data: dict[str, Any] = journal.jsonable(asdict(self))
        return data


def suggestions_for(
    workspace: Workspace, assessment_id: int, question_id: str, *, catalog: Catalog | None = None
) -> list[Suggestion]:
    """Return the suggested answers to one question of an assessment (maybe none).

    Raises:
        UserError: No such assessment, or the question is not part of it.
    """
    loaded = load_questions(workspace, assessment_id)
    _, question = loaded.find(question_id)
    found: list[Suggestion] = []
    if question.inventory_facts and loaded.info.system_id is not None:
        found.append(_inventory_suggestion(workspace, loaded.info.system_id, question))
    found += _crosswalk_suggestions(
        workspace, assessment_id, loaded.info.system_id, question_id, catalog
    )
    return found


@dataclass(frozen=True)
class Accepted:
    """What accepting a suggestion changed: enough for :func:`undo_accept` to take it back.

    Attributes:
        assessment_id: The assessment.
        before: The response before accepting.
        response: The response after accepting.
        linked: Evidence ids accepting newly linked to the response.
        created: Evidence records accepting created (the inventory analysis file).
    """

    assessment_id: int
    before: ResponseInfo
    response: ResponseInfo
    linked: tuple[int, ...] = ()
    created: tuple[int, ...] = ()


def accept_suggestion(
    workspace: Workspace, assessment_id: int, suggestion: Suggestion
) -> ResponseInfo:
    """Record a suggested answer; an inventory suggestion's analysis is stored as evidence.

    Raises:
        UserError: The suggestion has no level, or the assessment is final.
    """
    return accept(workspace, assessment_id, suggestion).response


def accept(workspace: Workspace, assessment_id: int, suggestion: Suggestion) -> Accepted:
    """Record a suggested answer in one transaction and return what it changed.

    The answer, the inventory analysis file (for an inventory suggestion), the evidence links
    and their journal entries are written together: if any step fails, nothing is kept.

    Raises:
        UserError: The suggestion has no level, or the assessment is final.
    """
    if suggestion.level is None:
        raise UserError(f"no level to accept for {suggestion.question_id}: {suggestion.reason}")
    qid = suggestion.question_id
    analysis = _analysis_file(assessment_id, suggestion) if suggestion.kind == INVENTORY else None
    with workspace.unit_of_work() as uow:
        editable_row(uow, assessment_id)
        row = response_row(uow, assessment_id, qid)
        before = response_info(row, evidence_links(uow, [row.id or 0]).get(row.id or 0, ()))
        evidence_ids, created = list(suggestion.evidence_ids), []
        if analysis is not None:
            evidence = add_evidence_bytes(
                uow,
                analysis,
                f"inventory-analysis-{qid}.json",
                description=f"Inventory facts and identity findings behind the answer to {qid}",
                media_type="application/json",
            )
            evidence_ids.append(evidence.id)
            created = [] if evidence.reused else [evidence.id]
        after = update_response(
            uow,
            assessment_id,
            qid,
            link_evidence=evidence_ids,
            level=suggestion.level,
            notes=f"{before.notes}\n{_accept_note(suggestion)}".strip(),
            evidence_strength=suggestion.strength,
        )
    linked = tuple(i for i in after.evidence_ids if i not in before.evidence_ids)
    return Accepted(assessment_id, before, after, linked, tuple(created))


def _analysis_file(assessment_id: int, suggestion: Suggestion) -> bytes:
    """Return the JSON file that records an inventory suggestion and the method behind it."""
    stamp = dt.datetime.now(dt.UTC)
    return json.dumps(
        {"assessment": assessment_id, "generated_at": stamp.isoformat()}
        | suggestion.as_dict()
        | {"method": SUGGESTION_METHOD},
        indent=2,
        ensure_ascii=False,
    ).encode("utf-8")


def _accept_note(suggestion: Suggestion) -> str:
    if suggestion.kind == INVENTORY:
        return f"Suggested from the inventory: {suggestion.reason}"
    return (
        f"Taken from {suggestion.source_question} ({suggestion.link_type}) in assessment "
        f"{suggestion.source_assessment}."
    )


def undo_accept(workspace: Workspace, accepted: Accepted) -> ResponseInfo:
    """Take back an accepted suggestion in one transaction.

    The answer fields accepting set get their earlier values again, the evidence links it added
    are removed, and the analysis file it stored is deleted unless something else now links it.

    Raises:
        UserError: The assessment is final.
    """
    before, aid = accepted.before, accepted.assessment_id
    qid = before.question_id
    with workspace.unit_of_work() as uow:
        for evidence_id in accepted.linked:
            if uow.repository(ResponseRepository).evidence_exists(evidence_id):
                link_to_response(uow, evidence_id, aid, qid, remove=True)
        for evidence_id in accepted.created:
            delete_if_unlinked(uow, evidence_id)
        response = update_response(
            uow,
            aid,
            qid,
            level=before.level,
            not_applicable=before.not_applicable,
            justification=before.justification,
            notes=before.notes,
            evidence_strength=before.evidence_strength,
        )
    logger.info("undid the suggestion accepted for %s:%s", aid, qid)
    return response


# --------------------------------------------------------------------------- inventory


def _inventory_suggestion(workspace: Workspace, system_id: int, question: Question) -> Suggestion:
    facts, findings, system = _inventory_facts(workspace, system_id, question.inventory_facts)
    analysis = [n for n in question.inventory_facts if n.startswith("analysis.")]
    if analysis and system is not None:
        facts += _analysis_facts(workspace, system.external_id, analysis, findings)
    level, reason = _suggested_level(facts, findings)
    return Suggestion(
        question_id=question.id,
        kind=INVENTORY,
        level=level,
        reason=reason,
        facts=tuple(facts),
        findings=tuple(f"{severity}: {title}" for severity, title in findings),
        strength=EvidenceStrength.DOCUMENT.value if level is not None else None,
    )


def _suggested_level(
    facts: Sequence[Fact], findings: Sequence[tuple[str, str]]
) -> tuple[int | None, str]:
    countable = [f for f in facts if f.total]
    if not countable:
        return None, "the inventory records nothing this question relies on for the system"
    recorded = sum(f.recorded for f in countable)
    total = sum(f.total for f in countable)
    share = recorded / total
    level = MAX_INVENTORY_LEVEL if share >= 1 else 2 if share >= 0.5 else 1
    reason = f"{recorded} of {total} inventory facts recorded ({share:.0%})"
    worst = {severity for severity, _ in findings}
    if Severity.CRITICAL in worst:
        level, reason = min(level, 1), reason + "; an open critical identity finding"
    elif worst & {Severity.HIGH, Severity.MEDIUM}:
        level, reason = min(level, 2), reason + "; open high or medium identity findings"
    return level, reason + f"; suggested level {level}"


@reads
def _inventory_facts(
    uow: UnitOfWork, system_id: int, names: Sequence[str]
) -> tuple[list[Fact], list[tuple[str, str]], AISystem | None]:
    """Return the facts a question names, the open identity findings and the system row."""
    checks = uow.repository(AssessmentChecksRepository)
    facts = _facts(checks, system_id, names)
    return facts, checks.open_identity_findings(system_id), checks.system(system_id)


_MAX_VALUES = 40


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _fact(name: str, records: Sequence[tuple[str, Any]]) -> Fact:
    shown = [f"{rid}: {journal.jsonable(v)}" for rid, v in records if _present(v)]
    return Fact(name, len(shown), len(records), tuple(shown[:_MAX_VALUES]))


def _facts(checks: AssessmentChecksRepository, system_id: int, names: Sequence[str]) -> list[Fact]:
    system = checks.system(system_id)
    if system is None:  # pragma: no cover - the foreign key forbids it
        return []
    owner = checks.person(system.owner_id) if system.owner_id else None
    identities = checks.identities_of(system_id)
    ids = [i.id for i in identities if i.id is not None]
    owners = checks.owner_contacts({i.owner_id for i in identities if i.owner_id})
    grants = checks.grants_of(ids)
    out = []
    for name in names:
        record, _, attr = name.partition(".")
        if record == "system":
            out.append(_fact(name, [(system.external_id, _system_value(system, owner, attr))]))
        elif record == "identity":
            pairs = [(i.external_id, _identity_value(i, owners, attr, system)) for i in identities]
            out.append(_fact(name, pairs))
        elif record == "grant":
            pairs = [(f"{ext}→{res.external_id}", getattr(g, attr)) for g, ext, res in grants]
            out.append(_fact(name, pairs))
        elif record == "resource":
            resources = {res.external_id: res for _, _, res in grants}
            out.append(_fact(name, [(k, getattr(r, attr)) for k, r in resources.items()]))
        elif record == "delegation":
            out.append(_delegation_fact(checks, name, ids, attr))
    return out


def _analysis_facts(
    workspace: Workspace, system: str, names: Sequence[str], findings: Sequence[tuple[str, str]]
) -> list[Fact]:
    """Return the identity analysis results a question names (shown, not counted)."""
    _, graph = load_graph(workspace)
    blast = system_blast_radius(graph, system, explain=False)
    values = {
        "analysis.blast_radius": (
            f"{system}: blast radius unknown, access not recorded ({blast.unknown})"
            if blast.unknown
            else f"{system}: score {blast.score} ({blast.tier.value if blast.tier else ''}), "
            f"{plural(len(blast.resources), 'resource')} reachable",
        ),
        "analysis.delegation_chain": (
            f"{system}: longest delegation chain {plural(blast.chain.depth, 'hop')}"
            + ("" if blast.chain.exact else " or more"),
        ),
        "analysis.hygiene_findings": tuple(f"{sev}: {title}" for sev, title in findings)
        or (f"{system}: no open identity findings",),
    }
    return [Fact(name, 0, 0, values[name]) for name in names if name in values]


def _system_value(system: AISystem, owner: Person | None, attr: str) -> Any:
    if attr == "owner_name":
        return owner.name if owner else None
    if attr == "owner_email":
        return owner.email if owner else None
    if attr == "identities":
        return None  # shown through the identity facts
    return getattr(system, attr, None)


def _identity_value(identity: Identity, owners: dict[int, str], attr: str, system: AISystem) -> Any:
    if attr == "owner_email":
        return owners.get(identity.owner_id or 0)
    if attr == "systems":
        return system.external_id
    return getattr(identity, attr, None)


def _delegation_fact(
    checks: AssessmentChecksRepository, name: str, ids: Sequence[int], attr: str
) -> Fact:
    field_of = {"from_identity": 0, "to_identity": 1, "kind": 2}
    values = [
        (f"{row[0]}→{row[1]}", row[field_of.get(attr, 2)]) for row in checks.delegations_from(ids)
    ]
    return _fact(name, values)


# --------------------------------------------------------------------------- crosswalk


def _crosswalk_suggestions(
    workspace: Workspace,
    assessment_id: int,
    system_id: int | None,
    question_id: str,
    catalog: Catalog | None,
) -> list[Suggestion]:
    catalog = catalog or catalog_for(workspace)
    try:
        related = catalog.related_questions(question_id)
    except UnknownIdError:
        return []
    if not related:
        return []
    answers = _answers_of_system(workspace, assessment_id, system_id)
    found = []
    for link in related:
        for source_assessment, response in answers.get(link.question_id, ()):
            if response.level is None:
                continue
            where = (
                "this assessment"
                if source_assessment == assessment_id
                else (f"assessment {source_assessment}")
            )
            found.append(
                Suggestion(
                    question_id=question_id,
                    kind=CROSSWALK,
                    level=response.level,
                    reason=(
                        f"{link.question_id} ({link.type.value}) is answered at level "
                        f"{response.level} in {where}"
                    ),
                    source_question=link.question_id,
                    source_assessment=source_assessment,
                    link_type=link.type.value,
                    strength=response.evidence_strength,
                    evidence_ids=response.evidence_ids,
                )
            )
            break
    return found


@reads
def _answers_of_system(
    uow: UnitOfWork, assessment_id: int, system_id: int | None
) -> dict[str, list[tuple[int, ResponseInfo]]]:
    """Return answered responses by question: this assessment first, then newest first."""
    others = uow.repository(AssessmentRepository).other_ids_of_system(system_id, assessment_id)
    answers: dict[str, list[tuple[int, ResponseInfo]]] = {}
    for aid in [assessment_id, *others]:
        for response in list_responses(uow, aid):
            if response.level is not None:
                answers.setdefault(response.question_id, []).append((aid, response))
    return answers
