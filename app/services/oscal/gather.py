"""Read everything the OSCAL documents of one assessment need, once, into plain values."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cached_property

from app.catalog.schema import Framework, Question
from app.services.assessment_records import AssessmentQuestions, ResponseInfo
from app.services.assessments import list_responses, load_questions
from app.services.engagement import EngagementInfo, get_engagement
from app.services.evidence import EvidenceInfo, get_evidence, list_evidence
from app.services.findings import FindingInfo
from app.services.frameworks import stored_dates
from app.services.inventory_queries import IdentityRow, SystemDetail, get_system, list_identities
from app.services.oscal.common import JSON, party, stable_uuid
from app.services.reporting.findings_view import collect_findings
from app.services.scoring import AssessmentScore, score_loaded
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OscalInputs:
    """One assessment with its answers, scores, findings, evidence, system and people."""

    loaded: AssessmentQuestions
    responses: dict[str, ResponseInfo]
    score: AssessmentScore
    findings: tuple[FindingInfo, ...]
    evidence: dict[int, EvidenceInfo]
    engagement: EngagementInfo
    system: SystemDetail
    identities: tuple[IdentityRow, ...]
    stored: dict[str, dt.datetime] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Return the stable key every UUID of this assessment's documents derives from."""
        info = self.loaded.info
        return f"assessment:{info.id}:{info.created_at.isoformat()}"

    def uuid(self, *parts: object) -> str:
        """Return the stable UUID of one element of this assessment's documents."""
        return stable_uuid(self.key, *parts)

    def entries(self) -> list[tuple[Framework, Question]]:
        """Return every question in scope with its framework, in file order."""
        return list(self.loaded.entries())

    def person(self, name: str) -> JSON:
        """Return the party of a person named in the workspace (assessor, answerer…)."""
        return party(self.key, name)

    @cached_property
    def assessor(self) -> JSON:
        """Return the assessor as a party."""
        return self.person(self.loaded.info.assessor or self.engagement.assessor or "Assessor")

    @cached_property
    def reviewer(self) -> JSON | None:
        """Return the reviewer as a party, when one is named."""
        name = self.loaded.info.reviewer or self.engagement.reviewer
        return self.person(name) if name else None

    def answerer(self, response: ResponseInfo) -> JSON:
        """Return the party who gave an answer (the assessor when not recorded)."""
        return self.person(response.answered_by) if response.answered_by else self.assessor

    @cached_property
    def organisations(self) -> list[tuple[str, JSON]]:
        """Return ``(role id, party)`` for the assessor's firm and the client, when named."""
        out = []
        if self.engagement.assessor_organisation:
            org = self.engagement.assessor_organisation
            out.append(("prepared-by", party(self.key, org, "organization")))
        if self.engagement.client:
            out.append(("prepared-for", party(self.key, self.engagement.client, "organization")))
        return out

    def parties(self) -> list[JSON]:
        """Return every party of the documents."""
        people = [self.assessor, *([self.reviewer] if self.reviewer else [])]
        people += [self.answerer(r) for r in self.responses.values() if r.answered]
        unique = {p["uuid"]: p for p in people}
        return [*unique.values(), *(p for _, p in self.organisations)]

    def responsible(self) -> dict[str, list[str]]:
        """Return the role ids and the party UUIDs that hold them."""
        out = {"assessor": [self.assessor["uuid"]]}
        if self.reviewer:
            out["reviewer"] = [self.reviewer["uuid"]]
        for role, org in self.organisations:
            out[role] = [org["uuid"]]
        return out


ROLES = (
    ("assessor", "Assessor"),
    ("reviewer", "Quality reviewer"),
    ("prepared-by", "Prepared by"),
    ("prepared-for", "Prepared for"),
)


def gather(workspace: Workspace, assessment_id: int) -> OscalInputs:
    """Read one assessment and everything around it.

    Raises:
        UserError: No such assessment, or its stored framework text no longer loads.
    """
    loaded = load_questions(workspace, assessment_id)
    responses = list_responses(workspace, assessment_id)
    system = get_system(workspace, loaded.info.system)
    identities = tuple(list_identities(workspace, system=loaded.info.system))
    findings = tuple(collect_findings(workspace, assessment_id, loaded.info.system))
    evidence = {e.id: e for e in list_evidence(workspace, assessment_id)}
    for evidence_id in sorted({e for f in findings for e in f.evidence_ids} - set(evidence)):
        evidence[evidence_id] = get_evidence(workspace, evidence_id)
    return OscalInputs(
        loaded=loaded,
        responses={r.question_id: r for r in responses},
        score=score_loaded(loaded, responses),
        findings=findings,
        evidence=dict(sorted(evidence.items())),
        engagement=get_engagement(workspace),
        system=system,
        identities=identities,
        stored=stored_dates(workspace, loaded.frameworks),
    )
