"""The demo workspace is built through the real services and holds a realistic estate."""

from __future__ import annotations

import stat

import pytest

from app.services import assessment_records, findings
from app.services.integrity import check_workspace
from app.services.inventory_queries import list_identities, list_systems
from app.services.overview import workspace_summary
from app.services.scoring import score_assessment
from app.services.workspace import open_workspace


@pytest.fixture(scope="module")
def demo(demo_build):
    result, _out = demo_build
    ws = open_workspace(result.workspace_path, create=False, actor="tester")
    yield result, ws
    ws.close()


def test_inventory_has_the_fictitious_estate(demo):
    _result, ws = demo
    summary = workspace_summary(ws)
    assert summary.systems == 25
    assert summary.identities >= 50
    assert summary.client.startswith("Northwind Mutual")
    autonomy = {system.autonomy for system in list_systems(ws)}
    assert {"advisory", "human-in-the-loop", "human-on-the-loop", "autonomous"} <= autonomy
    kinds = {identity.kind for identity in list_identities(ws)}
    assert {"service-account", "api-key", "role", "human-user"} <= kinds


def test_identity_problems_are_found(demo):
    _result, ws = demo
    rules = {f.rule_id for f in findings.list_findings(ws) if f.source == "identity-rule"}
    assert len(rules) >= 5


def test_assessments_lifecycle_and_scores(demo):
    result, ws = demo
    first = assessment_records.get_assessment(ws, result.final_assessment_id)
    again = assessment_records.get_assessment(ws, result.reassessment_id)
    assert first.final
    assert again.previous_id == first.id
    assert again.status == "draft"
    for assessment_id in result.assessment_ids:
        info = assessment_records.get_assessment(ws, assessment_id)
        assert info.answered == info.questions > 100
    before = score_assessment(ws, first.id).result.overall
    after = score_assessment(ws, again.id).result.overall
    assert after.mean > before.mean


def test_the_organisation_baseline_is_reviewed_and_final_before_the_systems_start(demo):
    result, ws = demo
    baseline = assessment_records.get_assessment(ws, result.organisation_assessment_id)
    first = assessment_records.get_assessment(ws, result.final_assessment_id)
    assert baseline.final
    assert baseline.submitted_at is not None
    assert baseline.finalized_at is not None
    assert baseline.submitted_at < baseline.finalized_at < first.created_at


def test_demo_workspace_passes_every_integrity_check(demo):
    _result, ws = demo
    report = check_workspace(ws)
    assert report.ok, report.as_dict()
    assert report.evidence_checked == 10
    assert report.journal.entries > 300


def test_demo_reports_are_written_signed_and_verifiable(demo_reports):
    from app.services.reporting import verify_report

    files = demo_reports
    for path in (
        files.pdf,
        files.signed_pdf,
        files.workbook,
        files.portfolio,
        files.portfolio_workbook,
    ):
        assert path.stat().st_size > 10_000, path
    outcome = verify_report(files.signed_pdf, trust=[files.certificate.with_suffix(".pem")])
    assert outcome.valid
    assert outcome.verdict == "intact and trusted"
    assert "Robin Vale" in outcome.signatures[0].signer
    assert not verify_report(files.signed_pdf).valid, "self-signed: trusted only when given"
    assert stat.S_IMODE(files.certificate.stat().st_mode) == 0o600


def test_cli_demo_builds_the_workspace_where_asked(tmp_path, capsys):
    import json

    from app.cli import main

    target = tmp_path / "mine.assay"
    assert main(["demo", "--workspace", str(target), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["workspace"] == str(target)
    assert len(summary["assessments"]) == 3


def test_cli_demo_refuses_to_replace_an_existing_workspace(tmp_path, capsys):
    from app.cli import main

    target = tmp_path / "client.assay"
    target.write_bytes(b"precious")
    assert main(["demo", "--workspace", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == b"precious"


def test_the_claims_agent_has_ten_to_twenty_themed_findings_with_owners(demo):
    result, ws = demo
    themes = findings.list_findings(ws, assessment_id=result.final_assessment_id, source="theme")
    assert 10 <= len(themes) <= 20
    assert all(t.owner and t.due_date and t.effort and t.items for t in themes)
    assert 2 <= sum(bool(t.management_response) for t in themes) < len(themes)
    (accepted,) = [t for t in themes if t.status == "accepted"]
    assert accepted.acceptance_justification
    assert accepted.accepted_by
    assert sum(len(t.items) for t in themes) > 150
    assert findings.list_findings(ws, source="gap") == []


def test_the_portfolio_counts_each_standing_finding_once_and_names_who_fixes_it(demo):
    from app.services.inventory_queries import list_findings
    from app.services.reporting.portfolio import build_portfolio

    result, ws = demo
    data = build_portfolio(ws)
    claims = next(s for s in data.systems if s.system_id == "AIS-001")
    standing = [
        f
        for f in list_findings(ws, system="AIS-001")
        if f.system == "AIS-001"
        and f.status in ("open", "in-progress")
        and f.assessment_id != result.final_assessment_id
    ]
    # The re-assessment copied the first assessment's themes: only its own copies count.
    assert claims.open_findings == len(standing)
    top = [(f.system, f.title) for f in data.top_findings]
    assert len(top) == len(set(top))
    assert all(f.owner and f.due_date for f in data.top_findings)
    # The identities' own findings name no system; the overview still counts them.
    on_identities = [f for f in list_findings(ws, status="open") if not f.system]
    assert on_identities
    assert f"The identity check has {len(on_identities)} more open findings" in data.summary
