"""Themed findings: grouping, edits that survive a refresh, merge and split, accepted risks."""

from __future__ import annotations

import datetime as dt

import pytest

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import finding_themes as themes
from app.services import findings as fs
from app.services.errors import UserError
from app.storage.models import AISystem, Finding, Identity, SystemIdentity

HIGH = "ir8596.secure.PR.AA-05"  # High priority, category PR.AA
FOUNDATIONAL = "ir8596.secure.GV.OC-01"  # Foundational, category GV.OC
OTHER_OC = "ir8596.secure.GV.OC-03"
MODERATE = "ir8596.secure.GV.RM-02"  # Moderate, category GV.RM


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def assessment(workspace, catalog):
    with workspace.db.write() as session:
        system = AISystem(external_id="AIS-001", name="Agent")
        session.add(system)
        session.flush()
        for ext in ("ID-1", "ID-2"):
            identity = Identity(external_id=ext, name=ext)
            session.add(identity)
            session.flush()
            session.add(SystemIdentity(system_id=system.id, identity_id=identity.id))
            session.add(
                Finding(source="identity-rule", key=f"identity-rule:identity-no-owner:-:{ext}",
                        rule_id="identity-no-owner", identity_id=identity.id, severity="high",
                        title=f"{ext} has no owner",
                        recommendation="Name an owner for every identity.")
            )  # fmt: skip
    return svc.new_assessment(
        workspace, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"], catalog=catalog
    ).id


def _themes(ws, aid):
    return {f.key.split(":", 2)[2]: f for f in fs.list_findings(ws, assessment_id=aid,
                                                                  source="theme")}  # fmt: skip


def test_gaps_group_by_category_and_identity_rule(workspace, assessment):
    svc.answer(workspace, assessment, HIGH, 0)
    svc.answer(workspace, assessment, FOUNDATIONAL, 2)
    svc.answer(workspace, assessment, OTHER_OC, 1)
    svc.answer(workspace, assessment, MODERATE, 1)
    svc.answer(workspace, assessment, "ir8596.secure.GV.OC-02", 4)  # above target: no gap
    result = themes.refresh_gap_findings(workspace, assessment)
    assert (result.created, result.gaps) == (4, 6)
    found = _themes(workspace, assessment)
    assert set(found) == {"node:nist-ir-8596:PR.AA", "node:nist-ir-8596:GV.OC",
                          "node:nist-ir-8596:GV.RM", "rule:identity-no-owner"}  # fmt: skip
    context = found["node:nist-ir-8596:GV.OC"]
    assert [i.key for i in context.items] == [FOUNDATIONAL, OTHER_OC]
    assert [(i.level, i.target) for i in context.items] == [(2, 3), (1, 3)]
    assert context.title == "Organizational Context (GV.OC): practices below target"
    assert context.detail.startswith("2 practices fall short of target. The widest gaps: ")
    question = catalog_question(OTHER_OC)
    assert question.recommendation
    assert question.recommendation in context.recommendation
    assert question.guidance not in context.recommendation
    rule = found["rule:identity-no-owner"]
    assert [i.title for i in rule.items] == ["ID-1 has no owner", "ID-2 has no owner"]
    assert rule.recommendation == "Name an owner for every identity."
    access = found["node:nist-ir-8596:PR.AA"]
    assert (access.likelihood, access.impact, access.severity) == (5, 4, "critical")
    assert access.score == 20
    assert all(f.owner == "" and f.status == "open" for f in found.values())


def catalog_question(question_id):
    return load_default_catalog().question(question_id)


def test_edits_and_decisions_survive_a_refresh(workspace, assessment):
    svc.answer(workspace, assessment, FOUNDATIONAL, 1)
    svc.answer(workspace, assessment, OTHER_OC, 1)
    themes.refresh_gap_findings(workspace, assessment)
    context = _themes(workspace, assessment)["node:nist-ir-8596:GV.OC"]
    due = dt.date(2027, 3, 31)
    fs.update_finding(workspace, context.id, title="Mission context is not written down",
                      recommendation="Write the context down.", owner="Cy", due_date=due,
                      effort="medium", management_response="Agreed; Q2.", likelihood=2,
                      impact=2, status="in-progress")  # fmt: skip
    svc.answer(workspace, assessment, FOUNDATIONAL, 4)  # one gap closes
    themes.refresh_gap_findings(workspace, assessment)
    after = fs.get_finding(workspace, context.id)
    assert [i.key for i in after.items] == [OTHER_OC]
    assert after.detail.startswith("One practice falls short")  # drafted text follows the gaps
    assert (after.title, after.recommendation) == (
        "Mission context is not written down", "Write the context down.")  # fmt: skip
    assert (after.owner, after.due_date, after.status) == ("Cy", due, "in-progress")
    assert (after.likelihood, after.impact, after.severity) == (2, 2, "low")
    assert after.management_response == "Agreed; Q2."
    svc.answer(workspace, assessment, OTHER_OC, 4)  # every gap closes: an edited theme is closed
    result = themes.refresh_gap_findings(workspace, assessment)
    closed = fs.get_finding(workspace, context.id)
    assert (result.resolved, closed.status, closed.owner) == (1, "resolved", "Cy")


def test_an_untouched_theme_goes_when_its_gaps_close(workspace, assessment):
    svc.answer(workspace, assessment, MODERATE, 1)
    themes.refresh_gap_findings(workspace, assessment)
    assert "node:nist-ir-8596:GV.RM" in _themes(workspace, assessment)
    svc.answer(workspace, assessment, MODERATE, 4)
    assert themes.refresh_gap_findings(workspace, assessment).removed == 1
    assert "node:nist-ir-8596:GV.RM" not in _themes(workspace, assessment)


def test_merge_and_split_are_kept_by_later_refreshes(workspace, assessment):
    for question in (FOUNDATIONAL, OTHER_OC, MODERATE):
        svc.answer(workspace, assessment, question, 1)
    themes.refresh_gap_findings(workspace, assessment)
    found = _themes(workspace, assessment)
    context, strategy = found["node:nist-ir-8596:GV.OC"], found["node:nist-ir-8596:GV.RM"]
    merged = themes.merge_findings(workspace, context.id, [strategy.id])
    assert {i.key for i in merged.items} == {FOUNDATIONAL, OTHER_OC, MODERATE}
    with pytest.raises(UserError, match="no finding"):
        fs.get_finding(workspace, strategy.id)
    split = themes.split_finding(workspace, context.id, [OTHER_OC], title="Dependencies")
    assert [i.key for i in split.items] == [OTHER_OC]
    assert split.title == "Dependencies"
    svc.answer(workspace, assessment, "ir8596.secure.GV.RM-01", 1)  # a new gap, merged category
    svc.answer(workspace, assessment, OTHER_OC, 2)  # a moved gap changes level
    themes.refresh_gap_findings(workspace, assessment)
    assert {i.key for i in fs.get_finding(workspace, context.id).items} == {
        FOUNDATIONAL, MODERATE, "ir8596.secure.GV.RM-01"}  # fmt: skip
    (moved,) = fs.get_finding(workspace, split.id).items
    assert (moved.key, moved.level) == (OTHER_OC, 2)
    with pytest.raises(UserError, match="at least one gap"):
        themes.split_finding(workspace, split.id, [OTHER_OC])
    with pytest.raises(UserError, match="does not group"):
        themes.split_finding(workspace, context.id, ["ir8596.secure.PR.AA-05"])


def test_accepting_a_risk_needs_a_justification_and_an_approver(workspace, assessment):
    svc.answer(workspace, assessment, MODERATE, 1)
    themes.refresh_gap_findings(workspace, assessment)
    theme = _themes(workspace, assessment)["node:nist-ir-8596:GV.RM"]
    with pytest.raises(UserError, match="needs a justification and the approver's name"):
        fs.update_finding(workspace, theme.id, status="accepted")
    with pytest.raises(UserError, match="needs the approver's name"):
        fs.accept_risk(workspace, theme.id, justification="Compensated by review", approver=" ")
    assert fs.get_finding(workspace, theme.id).status == "open"
    done = fs.accept_risk(workspace, theme.id, justification="Compensated by weekly review",
                          approver="CISO, J. Park")  # fmt: skip
    assert (done.status, done.accepted_by) == ("accepted", "CISO, J. Park")


def test_final_assessment_keeps_tracking_open_and_freezes_what_was_reported(workspace, assessment):
    from app.services import assessment_lifecycle

    svc.answer(workspace, assessment, HIGH, 0)
    themes.refresh_gap_findings(workspace, assessment)
    theme = _themes(workspace, assessment)["node:nist-ir-8596:PR.AA"]
    assessment_lifecycle.submit_for_review(workspace, assessment)
    assessment_lifecycle.finalize(workspace, assessment, force=True)
    updated = fs.update_finding(workspace, theme.id, status="in-progress", owner="Ann",
                                management_response="Fix in Q1")  # fmt: skip
    assert (updated.status, updated.owner) == ("in-progress", "Ann")
    for bad in ({"likelihood": 1}, {"title": "x"}):
        with pytest.raises(UserError, match="final"):
            fs.update_finding(workspace, theme.id, **bad)
    with pytest.raises(UserError, match="final"):
        themes.split_finding(workspace, theme.id, [HIGH])
