"""The report view-model built from a real workspace: sections, client profile, branding."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.reports.loading import to_plain
from app.reports.render_pool import default_size
from app.services.errors import UserError
from app.services.pending import sha256_of
from app.services.progress import Cancelled
from app.services.reporting import build_portfolio, build_report, generate_pdf
from app.services.reporting.build import refresh_report_gaps
from app.services.reporting.report_process import ReportProcess
from app.services.settings import set_workspace_setting
from app.services.workspace import open_workspace
from app.storage.models import JournalEntry

_SETUP = Path(__file__).with_name("test_reporting_setup.py")


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return setup.build_report_workspace(tmp_path_factory.mktemp("built"))


@pytest.fixture
def ws(built, tmp_path):
    copy = setup.copy_workspace(built, tmp_path)
    workspace = open_workspace(copy.path, actor="tester")
    yield workspace
    workspace.close()


def _head(ws) -> str:
    with ws.db.read() as session:
        return session.execute(
            sa.select(JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)
        ).scalar_one()


def test_every_section_comes_from_the_workspace(ws, built):
    bundle = build_report(ws, built.assessment_id)
    data = bundle.data
    assert data.document.assessment_ref == f"ASSESSMENT-{built.assessment_id}"
    assert data.document.client == "Example Insurance"
    assert data.document.reviewer == "Rita Reviewer"
    assert [f.framework_id for f in data.frameworks] == list(setup.FRAMEWORKS)
    assert all(f.overall.questions > 0 and f.nodes for f in data.frameworks)
    assert len(data.answers) == sum(f.overall.questions for f in data.frameworks)
    na = [a for a in data.answers if a.not_applicable]
    assert len(na) == 1
    assert na[0].justification == "Not used by this system"
    assert data.system.risk_tier == "critical"
    assert data.system.risk_factor
    delegated = [p for p in data.identity.paths if p.hops == 1]
    assert delegated
    assert delegated[0].delegation_kinds == ("assume-role",)
    assert {h.rule_id for h in data.identity.hygiene} >= {"key-not-rotated"}
    manual = [f for f in data.findings if f.source == "manual"]
    assert manual
    assert manual[0].severity == "high"
    assert [a.priority for a in data.actions] == sorted(a.priority for a in data.actions)
    assert data.evidence[0].name == "access-review.txt"
    evidence_bytes = built.evidence_file.read_bytes()
    assert data.evidence[0].size == len(evidence_bytes)
    assert data.comparison is not None
    assert [q.change for q in data.comparison.questions] == ["improved"]
    assert data.comparison.previous_ref == f"ASSESSMENT-{built.previous_id}"
    assert data.cross_framework, "IR 8596 and NHI questions share crosswalk links"
    assert bundle.journal_hash == _head(ws)
    assert bundle.journal_hash in data.data_sources[-1]
    assert bundle.gate.errors == ()


def test_a_draft_report_brings_themed_findings_up_to_date(ws, built):
    refresh_report_gaps(ws, built.assessment_id)  # the callers' explicit step; building only reads
    data = build_report(ws, built.assessment_id).data
    themes = [f for f in data.findings if f.source == "theme"]
    below = [a for a in data.answers if a.level is not None and a.level < a.target]
    criteria = [c for f in themes for c in f.criteria if c.ref != "Identity check"]
    assert len(criteria) == len(below) > 0
    assert all(f.recommendation and f.likelihood and f.impact for f in themes)
    assert not any(setup.SECRET_NOTE in f.detail for f in themes), "notes stay with answers"
    numbers = [a.number for a in data.actions]
    assert numbers == list(range(1, len(numbers) + 1))


def test_client_profile_masks_secret_ids_and_drops_notes(ws, built):
    internal = json.dumps(to_plain(build_report(ws, built.assessment_id).data), default=str)
    client_data = build_report(ws, built.assessment_id, profile="client").data
    client = json.dumps(to_plain(client_data), default=str, ensure_ascii=False)
    for secret in (setup.ARN, setup.KEY_ID, setup.SECRET_NOTE):
        assert secret in internal
        assert secret not in client
    assert "arn:aws:iam::••••9012:role/" in client
    assert client_data.evidence[0].sha256 in internal, "hashes are never masked"
    assert all(a.notes == "" for a in client_data.answers)
    assert client_data.is_client


def test_branding_comes_from_settings_and_bad_values_fall_back(ws, built, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    set_workspace_setting(ws, "branding.logo_path", str(logo))
    set_workspace_setting(ws, "branding.organisation", "Assurance Partners")
    set_workspace_setting(ws, "branding.primary_colour", "#00aa00")
    set_workspace_setting(ws, "branding.accent_colour", "teal")
    bundle = build_report(ws, built.assessment_id)
    branding = bundle.data.branding
    assert branding.logo.startswith("data:image/png;base64,")
    assert branding.organisation == "Assurance Partners"
    assert branding.primary_colour == "#00aa00"
    assert branding.accent_colour == "#c8102e"
    assert any("teal" in w for w in bundle.warnings)
    set_workspace_setting(ws, "branding.logo_path", str(tmp_path / "missing.png"))
    bundle = build_report(ws, built.assessment_id)
    assert bundle.data.branding.logo == ""
    assert any("missing.png" in w for w in bundle.warnings)


def test_refusals(ws, built):
    with pytest.raises(UserError, match="profile"):
        build_report(ws, built.assessment_id, profile="public")
    with pytest.raises(UserError, match="no assessment 99"):
        build_report(ws, 99)


def test_portfolio_counts_the_inventory(ws):
    data = build_portfolio(ws)
    assert [s.system_id for s in data.systems] == ["AIS-001"]
    system = data.systems[0]
    assert system.status == "draft"
    assert system.mean is not None
    assert system.open_findings > 0
    assert any(c.startswith("IR 8596 ") for c in data.heatmap_columns)
    assert "OWASP NHI" in data.heatmap_columns
    assert len(data.heatmap) == 1
    kpis = data.kpis
    assert (kpis.identities, kpis.with_owner) == (3, 2)
    assert kpis.not_rotated >= 1
    assert kpis.over_privileged >= 1
    assert data.top_findings


class _CancelAfter:
    def __init__(self, reports: int) -> None:
        self.left = reports

    def report(self, fraction: float, message: str = "") -> None:
        self.left -= 1

    @property
    def cancelled(self) -> bool:
        return self.left <= 0


def test_cancelling_leaves_no_file(ws, built, tmp_path):
    from app.services.progress import Cancelled
    from app.services.reporting import generate_pdf

    output = tmp_path / "report.pdf"
    with pytest.raises(Cancelled):
        generate_pdf(ws, built.assessment_id, output, progress=_CancelAfter(1))
    assert list(tmp_path.glob("*.pdf*")) == []


# --------------------------------------------------------------------------- the report process

_PROC = Path("/proc")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in (_PROC / str(pid) / "task").glob("*"):
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _gone(pids: set[int], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any((_PROC / str(pid)).exists() for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _wait_for_workers(process: ReportProcess) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(process.pid)  # the real processes
        if len(workers) >= 2:
            return workers
        time.sleep(0.05)
    pytest.fail("the report process started no render workers")


def test_a_prepared_process_writes_one_report(ws, built, tmp_path):
    process = ReportProcess()
    output = tmp_path / "report.pdf"
    outcome = process.run(generate_pdf, ws, built.assessment_id, output)
    assert outcome.path == output
    assert outcome.pages > 1
    assert outcome.sha256 == sha256_of(output)
    assert process.used
    with pytest.raises(RuntimeError):
        process.run(generate_pdf, ws, built.assessment_id, output)


class _CancelWhenAsked:
    cancelled = False

    def report(self, fraction: float, message: str = "") -> None:
        self.cancelled = True  # the first report arrives once the job runs


@pytest.mark.skipif(not _PROC.is_dir(), reason="reads the process tree from /proc")
@pytest.mark.skipif(default_size() < 2, reason="one processor: no render workers")
def test_cancel_stops_the_report_process_and_its_render_workers(ws, built, tmp_path):
    process = ReportProcess()
    pids = {process.pid} | _wait_for_workers(process)
    with pytest.raises(Cancelled):
        process.run(
            generate_pdf, ws, built.assessment_id, tmp_path / "r.pdf", progress=_CancelWhenAsked()
        )
    assert _gone(pids)
    assert list(tmp_path.glob("*.pdf*")) == []


@pytest.mark.skipif(not _PROC.is_dir(), reason="reads the process tree from /proc")
@pytest.mark.skipif(default_size() < 2, reason="one processor: no render workers")
def test_closing_an_unused_process_stops_its_render_workers():
    process = ReportProcess()
    pids = {process.pid} | _wait_for_workers(process)
    process.close()
    assert _gone(pids)
