"""Engagement scope: organisation assessment, inheritance, overrides, presets, bulk answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.catalog.errors import CatalogError
from app.catalog.loader import load_framework_text
from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import bulk_answers, presets
from app.services.assessment_selection import FrameworkFilter
from app.services.errors import UserError
from app.services.scoring import score_assessment
from app.storage.models import AISystem, JournalEntry

GV = "ir8596.secure.GV.OC-04"


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def engagement(workspace, catalog):
    """Two agentic systems and an organisation assessment answered at level 2."""
    with workspace.db.write() as session:
        for ext in ("AIS-001", "AIS-002"):
            session.add(AISystem(external_id=ext, name=ext, autonomy="autonomous", tools=["x"]))
    org = svc.new_assessment(workspace, None, ["nist-ai-rmf", "nist-ir-8596"], catalog=catalog)
    changes = {
        r.question_id: {"level": 2, "notes": "org"} for r in svc.list_responses(workspace, org.id)
    }
    bulk_answers.update_many(workspace, org.id, changes)
    return workspace, org


def _journal(ws):
    with ws.db.read() as session:
        return session.execute(sa.select(JournalEntry.action)).scalars().all()


def test_scope_needs_a_reason_on_a_node_and_on_a_differing_question():
    text = """
schema_version: 1
id: tiny
version: "1"
title: Tiny
nodes:
  - {id: A, kind: function, title: A, scope: organisation}
  - {id: B, kind: function, title: B, scope: system, scope_reason: per system}
questions:
  - {id: t.1, ref: "1", title: one, node: B, prompt: p, evidence: [e], scope: either}
"""
    with pytest.raises(CatalogError) as caught:
        load_framework_text(text, "tiny.yaml")
    assert "nodes[0].scope_reason" in str(caught.value)
    assert "questions[0].scope_reason" in str(caught.value)


def test_shipped_content_puts_govern_at_the_organisation(catalog):
    rmf, profile = catalog.framework("nist-ai-rmf"), catalog.framework("nist-ir-8596")
    assert rmf.scope_of(rmf.question("airmf.GOVERN-1.1")).value == "organisation"
    assert rmf.scope_of(rmf.question("airmf.MAP-1.1")).value == "system"
    assert profile.scope_of(profile.question(GV)).value == "organisation"
    assert profile.scope_of(profile.question("ir8596.secure.PR.AA-05")).value == "system"


def test_organisation_assessment_asks_only_organisation_level_questions(engagement):
    ws, org = engagement
    assert org.organisation
    assert org.system_id is None
    assert org.questions == 175
    assert svc.get_assessment(ws, org.id).answered == 175


def test_agentic_preset_inherits_and_asks_few_of_its_own(engagement, catalog):
    ws, _ = engagement
    info = svc.new_assessment(ws, "AIS-001", preset="agentic", catalog=catalog)
    assert info.inherited == 7
    assert info.own_questions == 79 <= 120
    data = info.as_dict()
    assert (data["own_questions"], data["inherited_questions"]) == (79, 7)
    gv = next(r for r in svc.list_responses(ws, info.id) if r.question_id == GV)
    assert gv.inherited
    assert gv.level == 2
    assert gv.notes == "org"
    assert gv.inherited_on


def test_organisation_change_flows_to_every_system_and_is_journalled_once(engagement, catalog):
    ws, org = engagement
    a = svc.new_assessment(ws, "AIS-001", preset="agentic", catalog=catalog)
    b = svc.new_assessment(ws, "AIS-002", preset="agentic", catalog=catalog)
    before = _journal(ws).count("response.update")
    svc.answer(ws, org.id, GV, 4)
    assert _journal(ws).count("response.update") == before + 1
    for info in (a, b):
        assert svc.get_response(ws, info.id, GV).level == 4


def test_override_changes_one_systems_score_only(engagement, catalog):
    ws, _ = engagement
    a = svc.new_assessment(ws, "AIS-001", preset="agentic", catalog=catalog)
    b = svc.new_assessment(ws, "AIS-002", preset="agentic", catalog=catalog)
    with pytest.raises(UserError, match="inherited"):
        svc.answer(ws, a.id, GV, 0)
    before_a = score_assessment(ws, a.id).result.overall.mean
    before_b = score_assessment(ws, b.id).result.overall.mean
    with pytest.raises(UserError, match="reason"):
        bulk_answers.override(ws, a.id, GV, " ")
    bulk_answers.override(ws, a.id, GV, "separate regulated entity")
    svc.answer(ws, a.id, GV, 0, note="no context here")
    assert score_assessment(ws, a.id).result.overall.mean < before_a
    assert score_assessment(ws, b.id).result.overall.mean == before_b
    assert svc.get_assessment(ws, a.id).overridden == 1
    back = bulk_answers.inherit_again(ws, a.id, GV)
    assert back.inherited
    assert back.level == 2


def test_final_assessment_freezes_inherited_answers(engagement, catalog):
    ws, org = engagement
    a = svc.new_assessment(ws, "AIS-001", preset="agentic", catalog=catalog)
    svc.submit_for_review(ws, a.id)
    svc.finalize(ws, a.id, force=True)
    svc.answer(ws, org.id, GV, 5)
    assert svc.get_response(ws, a.id, GV).level == 2


def test_one_screen_answers_three_focus_areas_in_one_action_and_one_undo(workspace, catalog):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="x", autonomy="autonomous"))
    info = svc.new_assessment(workspace, "AIS-009", ["nist-ir-8596"], catalog=catalog)
    assert info.questions == 318
    loaded = svc.load_questions(workspace, info.id)
    refs = {q.ref for _, q in loaded.entries()}
    assert len(refs) == 106  # one screen per subcategory
    before = len(_journal(workspace))
    result = bulk_answers.answer_focus_areas(
        workspace, info.id, "PR.AA-05", {"secure": 3, "defend": "na", "thwart": 1},
        note="shared",
    )  # fmt: skip
    assert len(_journal(workspace)) == before + 1
    by_area = {r.question_id.split(".")[1]: r for r in result.responses}
    assert by_area["secure"].level == 3
    assert by_area["defend"].not_applicable
    assert {r.notes or r.justification for r in result.responses} == {"shared"}
    bulk_answers.restore_answers(workspace, info.id, result.before)
    assert not any(r.answered for r in svc.list_responses(workspace, info.id))


def test_bulk_answer_from_a_filter_is_one_journal_entry(workspace, catalog):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="x", autonomy="autonomous"))
    info = svc.new_assessment(workspace, "AIS-009", ["nist-ir-8596"], catalog=catalog)
    loaded = svc.load_questions(workspace, info.id)
    chosen = bulk_answers.matching(
        loaded, svc.list_responses(workspace, info.id), node="DE.CM", focus_area="defend"
    )
    assert chosen
    assert all(".defend.DE.CM" in q for q in chosen)
    before = len(_journal(workspace))
    bulk_answers.bulk_answer(
        workspace, info.id, chosen, not_applicable=True, justification="no AI defence",
        evidence_strength="document",
    )  # fmt: skip
    assert len(_journal(workspace)) == before + 1
    with pytest.raises(UserError, match="at least one"):
        bulk_answers.bulk_answer(workspace, info.id, [], level=2)


def test_plan_counts_before_creating(engagement, catalog):
    ws, _ = engagement
    plan = svc.plan_assessment(
        ws,
        "AIS-001",
        ["nist-ir-8596"],
        catalog=catalog,
        filters={"nist-ir-8596": FrameworkFilter(("secure",), 1)},
    )
    assert (plan.total, plan.inherited, plan.own) == (23, 7, 16)


def test_presets_are_data_and_users_can_save_their_own(tmp_path):
    mine = tmp_path / "presets.yaml"
    shipped = {p.id: p for p in presets.list_presets(mine)}
    assert shipped["agentic"].label == (
        "Agentic AI system: OWASP Agentic + NHI + IR 8596 Secure, priority 1"
    )
    assert shipped["organisation-baseline"].label == (
        "Organisation baseline: AI RMF GOVERN + IR 8596 GV"
    )
    saved = presets.save_preset(
        "thwart-high", "Thwart, high", ["nist-ir-8596"],
        {"nist-ir-8596": FrameworkFilter(("thwart",), 1)}, user_file=mine,
    )  # fmt: skip
    assert saved.custom
    assert presets.find_preset("thwart-high", mine).filters == saved.filters
    with pytest.raises(UserError, match="shipped"):
        presets.save_preset("agentic", "x", ["owasp-asi"], {}, user_file=mine)


def test_reports_say_which_answers_are_inherited(engagement, catalog):
    from app.services.reporting import build_portfolio, build_report

    ws, org = engagement
    info = svc.new_assessment(ws, "AIS-001", preset="agentic", catalog=catalog)
    bundle = build_report(ws, info.id)
    gv = next(a for a in bundle.data.answers if a.question_id == GV)
    assert gv.source.startswith("Inherited from the organisation assessment of")
    assert "7 of the 86 answers are inherited" in bundle.data.scope_text
    with pytest.raises(UserError, match="portfolio"):
        build_report(ws, org.id)
    portfolio = build_portfolio(ws)
    assert portfolio.organisation is not None
    assert portfolio.organisation.answered == 175
    row = next(s for s in portfolio.systems if s.system_id == "AIS-001")
    assert (row.own_answers, row.inherited_answers, row.overridden_answers) == (79, 7, 0)
    assert all(s.system_id != "Organisation" for s in portfolio.systems)
