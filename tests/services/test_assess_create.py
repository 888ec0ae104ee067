"""Creating assessments: scope, applicability, stored framework text, refusals."""

from __future__ import annotations

import hashlib
import textwrap

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services.errors import UserError
from app.services.frameworks import add_custom_framework, catalog_for
from app.storage.models import AISystem, FrameworkVersion, JournalEntry, Response
from app.support.paths import assessments_dir


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def systems(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Chat helper", autonomy="advisory"))
        session.add(
            AISystem(external_id="AIS-002", name="Agent", autonomy="autonomous", tools=["shell"])
        )
    return workspace


def test_secure_high_only_gives_23_questions(systems, catalog):
    info = svc.new_assessment(
        systems, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"], max_priority=1,
        catalog=catalog,
    )  # fmt: skip
    assert (info.questions, info.answered, info.status) == (23, 0, "draft")
    assert info.scope["focus_areas"] == ["secure"]
    assert info.scope["max_priority"] == 1
    # Advisory; data, exposure and access not recorded: moderate (never low), target 3. The
    # tier is named as set by the unrecorded inputs.
    assert (info.risk_tier, info.target_level) == ("moderate", 3)
    assert info.risk_factor == "unrecorded inputs, counted as moderate"
    assert info.assessor == "tester"
    loaded = svc.load_questions(systems, info.id)
    entries = list(loaded.entries())
    assert len(entries) == 23
    assert all(q.priority == 1 and q.focus_area == "secure" for _, q in entries)
    responses = svc.list_responses(systems, info.id)
    assert len(responses) == 23
    assert all(not r.answered for r in responses)


def test_framework_text_and_hash_are_stored(systems, catalog):
    info = svc.new_assessment(systems, "AIS-001", ["nist-ai-rmf"], catalog=catalog)
    (ref,) = info.frameworks
    path = assessments_dir() / "nist-ai-rmf" / "1.0.yaml"
    assert ref.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (ref.id, ref.version) == ("nist-ai-rmf", "1.0")
    with systems.db.read() as session:
        row = session.get(FrameworkVersion, ref.stored_id)
    assert row.content == path.read_text(encoding="utf-8")
    assert hashlib.sha256(row.content.encode()).hexdigest() == ref.sha256
    # A second assessment reuses the stored text.
    again = svc.new_assessment(systems, "AIS-002", ["nist-ai-rmf"], catalog=catalog)
    assert again.frameworks[0].stored_id == ref.stored_id


def test_agentic_framework_only_where_it_applies(systems, catalog):
    with pytest.raises(UserError, match="no question of owasp-asi is in scope for AIS-001"):
        svc.new_assessment(systems, "AIS-001", ["owasp-asi"], catalog=catalog)
    info = svc.new_assessment(
        systems, "AIS-002", ["owasp-asi", "owasp-nhi"], target=4, catalog=catalog
    )
    assert info.scope["questions"] == {"owasp-asi": 40, "owasp-nhi": 23}
    assert info.questions == 63
    assert info.target_level == 4


def test_target_follows_the_risk_tier_unless_overridden(systems, catalog):
    with systems.db.write() as session:
        session.add(
            AISystem(external_id="AIS-003", name="Pay bot", autonomy="autonomous",
                     data_classification="restricted")
        )  # fmt: skip
    info = svc.new_assessment(systems, "AIS-003", ["owasp-nhi"], catalog=catalog)
    assert (info.risk_tier, info.target_level) == ("critical", 4)
    assert info.risk_factor == "autonomous system with restricted data"
    low = svc.new_assessment(systems, "AIS-003", ["owasp-nhi"], target=2, catalog=catalog)
    assert (low.risk_tier, low.target_level) == ("critical", 2)
    given = svc.new_assessment(
        systems, "AIS-003", ["owasp-nhi"], risk_tier="low", risk_factor="shown in the dialog",
        catalog=catalog,
    )  # fmt: skip
    assert (given.risk_tier, given.risk_factor, given.target_level) == (
        "low", "shown in the dialog", 2,
    )  # fmt: skip
    with pytest.raises(UserError, match="unknown risk tier 'extreme'"):
        svc.new_assessment(systems, "AIS-003", ["owasp-nhi"], risk_tier="extreme", catalog=catalog)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"system": "AIS-404"}, "no AI system 'AIS-404'"),
        ({"frameworks": ["nope"]}, "no framework 'nope'"),
        ({"frameworks": []}, "at least one framework"),
        ({"focus_areas": ["attack"]}, "unknown focus area 'attack'"),
        ({"max_priority": 4}, "max-priority"),
        ({"target": 6}, "target must be a whole number from 0 to 5"),
    ],
)
def test_refusals(systems, catalog, kwargs, message):
    values = {"system": "AIS-001", "frameworks": ["nist-ir-8596"]} | kwargs
    with pytest.raises(UserError, match=message):
        svc.new_assessment(systems, values.pop("system"), values.pop("frameworks"),
                           catalog=catalog, **values)  # fmt: skip
    with systems.db.read() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Response)).scalar() == 0


def test_creation_is_journalled(systems, catalog):
    info = svc.new_assessment(systems, "AIS-002", ["owasp-nhi"], catalog=catalog)
    with systems.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "assessment.create")
        ).scalar_one()
    assert entry.entity_id == str(info.id)
    assert entry.after["questions"] == 23
    assert entry.after["system"] == "AIS-002"


def _custom(version: str, wording: str) -> str:
    return textwrap.dedent(
        f"""
        schema_version: 1
        id: house-rules
        version: "{version}"
        title: House rules
        nodes: [{{id: R, kind: section, title: Rules}}]
        questions:
          - {{id: hr.q1, ref: R-1, title: "{wording}", node: R, prompt: "{wording}?",
             evidence: [a document]}}
        """
    )


def test_an_old_assessment_keeps_its_wording(systems, tmp_path):
    first = tmp_path / "v1.yaml"
    first.write_text(_custom("1", "Keys are rotated"), encoding="utf-8")
    add_custom_framework(systems, first)
    old = svc.new_assessment(systems, "AIS-001", ["house-rules"], catalog=catalog_for(systems))
    second = tmp_path / "v2.yaml"
    second.write_text(_custom("2", "Keys rotate automatically"), encoding="utf-8")
    add_custom_framework(systems, second)
    new = svc.new_assessment(systems, "AIS-001", ["house-rules"], catalog=catalog_for(systems))
    old_q = svc.load_questions(systems, old.id).find("hr.q1")[1]
    new_q = svc.load_questions(systems, new.id).find("hr.q1")[1]
    assert old_q.title == "Keys are rotated"
    assert new_q.title == "Keys rotate automatically"
    assert old.frameworks[0].version == "1"
    assert new.frameworks[0].version == "2"


def test_list_and_get(systems, catalog):
    a = svc.new_assessment(systems, "AIS-001", ["owasp-nhi"], title="Round 1", catalog=catalog)
    b = svc.new_assessment(systems, "AIS-002", ["owasp-nhi"], catalog=catalog)
    assert [x.id for x in svc.list_assessments(systems)] == [a.id, b.id]
    assert [x.id for x in svc.list_assessments(systems, "AIS-002")] == [b.id]
    assert svc.get_assessment(systems, a.id).title == "Round 1"
    assert b.title.startswith("Agent ")
    with pytest.raises(UserError, match="no assessment 99"):
        svc.get_assessment(systems, 99)
    with pytest.raises(UserError, match="AIS-404"):
        svc.list_assessments(systems, "AIS-404")
