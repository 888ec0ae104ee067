"""Unknown is not zero: every surface shows an unrecorded access as unknown, never 0 (low).

The workspace holds a system whose only identity carries no grant (AIS-U), a system with no
identity (AIS-N) and one whose access is recorded (AIS-K). The CLI text and JSON, the PDF
report (text through poppler), the portfolio PDF, the Excel workbook and the overview counts
are read back.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.cli import main
from app.ingest.fields import GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.services.inventory_edit import add_record


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory) -> tuple[Path, int]:
    from app.services import assessments
    from app.services.workspace import open_workspace

    path = tmp_path_factory.mktemp("unknown") / "unknown.assay"
    ws = open_workspace(path, actor="tester")
    try:
        add_record(ws, SYSTEMS, "AIS-U", {"name": "Ops agent", "autonomy": "autonomous"})
        add_record(ws, SYSTEMS, "AIS-N", {"name": "Unwired pilot"})
        known = {"name": "Known", "autonomy": "advisory", "data_classification": "public",
                 "exposure": "internal", "owner": "a@example.com"}  # fmt: skip
        add_record(ws, SYSTEMS, "AIS-K", known)
        add_record(ws, IDENTITIES, "svc-u", {"kind": "service account", "systems": "AIS-U"})
        add_record(ws, IDENTITIES, "svc-k", {"kind": "api key", "systems": "AIS-K"})
        add_record(ws, RESOURCES, "docs", {"sensitivity": "public"})
        add_record(ws, GRANTS, ("svc-k", "docs", "read", ""))
        made = assessments.new_assessment(ws, "AIS-U", ["owasp-nhi"], target=3)
        return path, made.id
    finally:
        ws.close()


def _run(capsys, *args: object) -> str:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def test_systems_list_text_and_json(ws_path, capsys) -> None:
    path, _ = ws_path
    text = _run(capsys, "--workspace", path, "systems", "list")
    lines = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert " unknown " in lines["AIS-U"]
    assert "provisional" in lines["AIS-U"]
    assert " unknown " in lines["AIS-N"]
    assert re.search(r"\b\d+/100 \(low\)", lines["AIS-K"])
    data = {r["ext_id"]: r["analysis"] for r in json.loads(
        _run(capsys, "--workspace", path, "--json", "systems", "list"))}  # fmt: skip
    assert data["AIS-U"]["score"] is None
    assert data["AIS-U"]["tier"] is None
    assert data["AIS-U"]["unknown"] == "none of its identities has a recorded grant"
    assert data["AIS-N"]["unknown"] == "no identity is recorded for this system"
    assert "blast radius" in data["AIS-U"]["risk_missing"]
    assert data["AIS-K"]["score"] > 0


def test_systems_show_and_identities_text_and_json(ws_path, capsys) -> None:
    path, _ = ws_path
    text = _run(capsys, "--workspace", path, "systems", "show", "AIS-U")
    assert "Blast radius: unknown (access not recorded" in text
    assert "provisional: blast radius, data classification, exposure not recorded" in text
    assert "Access of AIS-U not recorded" in text
    assert "Owner: unknown" in text
    assert "0/100" not in text
    shown = json.loads(_run(capsys, "--workspace", path, "--json", "systems", "show", "AIS-U"))
    blast = shown["analysis"]["blast_radius"]
    assert (blast["score"], blast["tier"]) == (None, None)
    assert blast["unknown"]
    listing = _run(capsys, "--workspace", path, "identities", "list")
    row = next(line for line in listing.splitlines() if line.startswith("svc-u"))
    assert row.rstrip().endswith("unknown")
    rows = json.loads(_run(capsys, "--workspace", path, "--json", "identities", "list"))
    found = {r["ext_id"]: r["blast_radius"] for r in rows}
    assert found["svc-u"]["score"] is None
    assert found["svc-u"]["unknown"]
    one = _run(capsys, "--workspace", path, "identities", "show", "svc-u")
    assert "Blast radius: unknown (access not recorded" in one


def test_pdf_excel_and_portfolio_say_unknown(ws_path, capsys, tmp_path) -> None:
    from openpyxl import load_workbook

    path, assessment = ws_path
    pdf, book, folio = tmp_path / "r.pdf", tmp_path / "r.xlsx", tmp_path / "p.pdf"
    _run(capsys, "--workspace", path, "report", "pdf", "--assessment", assessment, "-o", pdf)
    text = " ".join(_pdf_text(pdf).split())
    assert "its identity blast radius is unknown because its access is not recorded" in text
    assert "Identity blast radius unknown: access not recorded" in text
    assert "Identity blast radius: access not recorded" in text  # the summary tile
    assert "Unknown is not the lowest value" in text  # the method states the rule
    assert "provisional" in text
    assert not re.search(r"blast radius (is )?0\b|0/100|0 out of 100", text)
    _run(capsys, "--workspace", path, "report", "xlsx", "--assessment", assessment, "-o", book)
    workbook = load_workbook(book)
    summary = {r[0].value: r[1].value for r in workbook["Summary"].iter_rows(max_col=2)}
    assert summary["Blast radius"] == "unknown (access not recorded)"
    assert "provisional" in summary["Risk tier and target"]
    identities = workbook["Identities"]
    header = [c.value for c in identities[1]]
    row = next(r for r in identities.iter_rows(min_row=2, values_only=True) if r[0] == "svc-u")
    assert row[header.index("Blast radius")] == "unknown"  # never 0, never blank
    assert row[header.index("Blast tier")] == "unknown (access not recorded)"
    _run(capsys, "--workspace", path, "report", "portfolio", "-o", folio)
    portfolio = " ".join(_pdf_text(folio).split())
    assert re.search(r"AIS-U Ops agent .*?unknown", portfolio)


def test_overview_counts_systems_whose_access_is_not_recorded(ws_path) -> None:
    from app.services.overview import workspace_summary
    from app.services.workspace import open_workspace

    ws = open_workspace(ws_path[0], actor="tester")
    try:
        assert workspace_summary(ws).systems_access_unknown == 2
    finally:
        ws.close()
