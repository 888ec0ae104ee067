"""How the demo assessor shapes the claims agent's findings: merged themes, owners, responses.

The default themes (one per framework category and identity rule) are merged into the issues a
client would act on, each given a title in the client's terms, an owner, a due date and an
effort; a few carry the client's management response, and one risk is accepted. The identity
check's own findings across the estate get an owner and a due date as well, by their kind.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from app.services import finding_themes, findings
from app.services.inventory_queries import list_findings
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThemePlan:
    """One merged theme: its title, the default groups it takes in, and who acts by when."""

    title: str
    groups: tuple[str, ...]
    owner: str
    due_in_days: int
    effort: str
    response: str = ""


_IR, _ASI, _NHI = "node:nist-ir-8596:", "node:owasp-asi:", "node:owasp-nhi:"

PLANS: tuple[ThemePlan, ...] = (
    ThemePlan(
        "AI cyber risk is not yet governed as its own risk", tuple(
            _IR + c for c in ("GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV")),
        "Priya Shah, Chief Information Security Officer", 120, "medium",
        "Agreed. An AI risk policy and appetite statement go to the risk committee in Q2.",
    ),
    ThemePlan(
        "Agent identities hold standing, broad and unowned access", (
            _IR + "PR.AA", _ASI + "ASI03", _NHI + "NHI5", _NHI + "NHI9", _NHI + "NHI10",
            "rule:identity-no-owner", "rule:identity-unused", "rule:grant-unused"),
        "Oscar Lind, Identity and Access Lead", 60, "high",
        "Agreed. Task-scoped credentials for the claims agent are being piloted this quarter.",
    ),
    ThemePlan(
        "Secrets are long-lived and rotated by hand", (
            _NHI + "NHI2", _NHI + "NHI4", _NHI + "NHI6", _NHI + "NHI7",
            "rule:key-not-rotated", "rule:credential-never-expires"),
        "Tom Reyes, Platform Engineering Manager", 45, "medium",
    ),
    ThemePlan(
        "Identities outlive the systems and people that needed them", (
            _NHI + "NHI1", "rule:no-revocation-procedure"),
        "Oscar Lind, Identity and Access Lead", 90, "low",
    ),
    ThemePlan(
        "The agent can be steered by the content it reads", (
            _ASI + "ASI01", _ASI + "ASI06", _ASI + "ASI09"),
        "Maria Okafor, Head of Claims Technology", 75, "high",
        "Partly agreed: input filtering ships in the next release; memory changes follow later.",
    ),
    ThemePlan(
        "Agent tools and generated code run without guard rails", (_ASI + "ASI02", _ASI + "ASI05"),
        "Maria Okafor, Head of Claims Technology", 60, "medium",
    ),
    ThemePlan(
        "A fault in one agent can spread to others", (
            _ASI + "ASI07", _ASI + "ASI08", _ASI + "ASI10", _IR + "PR.IR"),
        "Tom Reyes, Platform Engineering Manager", 150, "high",
    ),
    ThemePlan(
        "AI suppliers and components are not managed as a supply chain", (
            _IR + "GV.SC", _ASI + "ASI04", _NHI + "NHI3"),
        "Hannah Berg, Procurement and Vendor Risk", 180, "medium",
    ),
    ThemePlan(
        "The AI estate and its data are not fully inventoried", (_IR + "ID.AM",),
        "Priya Shah, Chief Information Security Officer", 60, "low",
    ),
    ThemePlan(
        "AI threats are not assessed or fed back into improvement", (
            _IR + "ID.RA", _IR + "ID.IM"),
        "Priya Shah, Chief Information Security Officer", 90, "medium",
    ),
    ThemePlan(
        "Platform and data protection around the agent is incomplete", (
            _IR + "PR.DS", _IR + "PR.PS", _NHI + "NHI8"),
        "Tom Reyes, Platform Engineering Manager", 120, "high",
    ),
    ThemePlan(
        "Staff are not trained for AI-specific risks", (_IR + "PR.AT",),
        "Lena Fischer, People and Learning", 90, "low",
    ),
    ThemePlan(
        "Monitoring does not watch what the agent does", (_IR + "DE.CM", _IR + "DE.AE"),
        "Ana Cruz, Security Operations Manager", 90, "medium",
        "Agreed. Agent tool-call logs will be sent to the SIEM with alert rules.",
    ),
    ThemePlan(
        "Incident response and recovery do not cover AI incidents", (
            _IR + "RS.MA", _IR + "RS.AN", _IR + "RS.MI", _IR + "RC.RP", _IR + "RC.CO"),
        "Ana Cruz, Security Operations Manager", 120, "medium",
    ),
)  # fmt: skip

_CISO = "Priya Shah, Chief Information Security Officer"
#: Days given to fix a theme no plan takes in (its owner is the CISO).
LEFT_OVER_DAYS = 90

#: The theme whose risk the client accepts, with why and who approved it.
ACCEPTED = (
    "Staff are not trained for AI-specific risks",
    "Company-wide AI awareness training is already scheduled in the next annual cycle; the "
    "claims team received a briefing in the meantime.",
    "Daniel Moreau, Chief Operating Officer",
)


def shape_findings(workspace: Workspace, assessment_id: int, today: dt.date) -> int:
    """Refresh, merge and assign the themes of one assessment as the demo assessor would.

    Returns:
        How many themed findings the assessment has afterwards.
    """
    finding_themes.refresh_gap_findings(workspace, assessment_id)
    with workspace.unit_of_work() as uow:
        themes = findings.list_findings(uow, assessment_id=assessment_id, source="theme")
        by_group = {t.key.split(":", 2)[2]: t for t in themes if t.key}
        for plan in PLANS:
            present = [by_group[g] for g in plan.groups if g in by_group]
            if not present:
                continue
            head, rest = present[0], present[1:]
            if rest:
                finding_themes.merge_findings(uow, head.id, [t.id for t in rest])
            findings.update_finding(
                uow, head.id, title=plan.title, owner=plan.owner, effort=plan.effort,
                due_date=today + dt.timedelta(days=plan.due_in_days),
                **({"management_response": plan.response} if plan.response else {}),
            )  # fmt: skip
            if plan.title == ACCEPTED[0]:
                findings.accept_risk(uow, head.id, justification=ACCEPTED[1], approver=ACCEPTED[2])
        for theme in findings.list_findings(uow, assessment_id=assessment_id, source="theme"):
            if not theme.owner:  # a theme no plan takes in still gets someone to act on it
                findings.update_finding(
                    uow, theme.id, owner=_CISO, due_date=today + dt.timedelta(days=LEFT_OVER_DAYS)
                )
        count = len(findings.list_findings(uow, assessment_id=assessment_id, source="theme"))
    logger.info("demo findings of assessment %s shaped into %s themes", assessment_id, count)
    return count


#: Who fixes an identity finding, by its rule: the platform team owns secrets and keys; the
#: identity team owns grants, owners and revocation; the owners of the systems own autonomy.
_PLATFORM = "Tom Reyes, Platform Engineering Manager"
_IDENTITY = "Oscar Lind, Identity and Access Lead"
_SYSTEMS = "Maria Okafor, Head of Claims Technology"
IDENTITY_OWNERS = {
    "key-not-rotated": _PLATFORM,
    "credential-never-expires": _PLATFORM,
    "credential-expired": _PLATFORM,
    "identity-across-environments": _PLATFORM,
    "autonomous-write-without-approval": _SYSTEMS,
    "system-no-owner": _CISO,
}
#: Days allowed to fix an identity finding, by its severity.
IDENTITY_DUE_DAYS = {"critical": 30, "high": 60, "medium": 90, "low": 180}


def assign_identity_findings(workspace: Workspace, today: dt.date) -> int:
    """Give every open identity-check finding an owner and a due date; return how many."""
    with workspace.unit_of_work() as uow:
        rows = list_findings(uow, source="identity-rule", status="open")
        for row in rows:
            findings.update_finding(
                uow,
                row.id,
                owner=IDENTITY_OWNERS.get(row.rule_id, _IDENTITY),
                due_date=today + dt.timedelta(days=IDENTITY_DUE_DAYS.get(row.severity, 180)),
            )
    logger.info("demo identity findings assigned: %d", len(rows))
    return len(rows)
