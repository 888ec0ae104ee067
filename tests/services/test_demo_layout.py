"""Every report the demo produces is laid out cleanly and its workbooks print and colour well.

The demo is built and its reports rendered once for the module (the slow part); the layout
check (tests/layout_check.py) then reads every page's character boxes: no text may overprint
other text, leave the page or cross the side margins.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from app.services.reporting import generate_pdf, generate_portfolio
from app.services.workspace import open_workspace
from tests.layout_check import LayoutProblem, check_pdf, describe

#: Problems of the client system report whose fix is on its way from the report's restructuring
#: (as (kind, text) pairs); empty when none is pending. Each entry leaves once the fix is merged.
PENDING_SYSTEM_REPORT: frozenset[tuple[str, str]] = frozenset()


@pytest.fixture(scope="module")
def demo_files(demo_build, demo_reports):
    result, out = demo_build
    workspace = open_workspace(result.workspace_path, create=False, actor="tester")
    try:
        client_portfolio = out / "portfolio-client.pdf"
        generate_portfolio(workspace, client_portfolio, profile="client")
        # The re-assessment's report is the one with a comparison with the previous round.
        reassessment = out / "reassessment-client.pdf"
        generate_pdf(workspace, result.reassessment_id, reassessment, profile="client")
    finally:
        workspace.close()
    return demo_reports, client_portfolio, reassessment


def _unexpected(problems: list[LayoutProblem]) -> list[LayoutProblem]:
    return [p for p in problems if (p.kind, p.text) not in PENDING_SYSTEM_REPORT]


def test_portfolio_reports_have_no_colliding_or_stray_text(demo_files):
    files, client_portfolio, _ = demo_files
    for pdf in (files.portfolio, client_portfolio):
        problems = check_pdf(pdf)
        assert problems == [], f"{pdf.name}:\n{describe(problems)}"


def test_system_reports_have_no_colliding_or_stray_text(demo_files):
    files, _, _ = demo_files
    for pdf in (files.pdf, files.signed_pdf):
        problems = _unexpected(check_pdf(pdf))
        assert problems == [], f"{pdf.name}:\n{describe(problems)}"


def test_portfolio_heatmap_labels_stand_upright_and_pages_are_used(demo_files):
    import pdfplumber

    files, _, _ = demo_files
    with pdfplumber.open(files.portfolio) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
        upright = [
            c for page in pdf.pages for c in page.chars if not c["upright"] and c["text"].strip()
        ]
    # The function labels of the heat map are turned a quarter: none runs into the next.
    assert {"G", "V", "M", "A", "P"} <= {c["text"] for c in upright}
    heatmap = next(i for i, text in enumerate(pages) if "Maturity by system and function" in text)
    # The identity section follows on the same page instead of after a mostly blank one.
    assert "Identity posture" in pages[heatmap] + pages[heatmap + 1]
    text = "\n".join(pages)
    assert "Not asses" not in text.replace("Not assessed", "")
    assert "industry" not in text.lower()


def test_demo_workbooks_print_and_colour(demo_files):
    files, _, _ = demo_files
    for path in (files.workbook, files.portfolio_workbook):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape", (path.name, ws.title)
            assert ws.page_setup.fitToWidth == 1, (path.name, ws.title)
            assert "Northwind" in ws.oddHeader.left.text, (path.name, ws.title)
        coloured = {ws.title for ws in wb.worksheets if ws.conditional_formatting}
        assert coloured, path.name
    portfolio = load_workbook(files.portfolio_workbook)
    assert {"Systems", "Heat map", "Top findings"} <= {
        ws.title for ws in portfolio.worksheets if ws.conditional_formatting
    }
    inventory = load_workbook(files.workbook)["Inventory"]
    headers = [c.value for c in inventory[1]]
    assert "Owner email" in headers
    assert "Cost centre" in headers  # the demo inventory's custom column
    assert inventory.cell(2, headers.index("Cost centre") + 1).value


def test_reassessment_report_compares_compactly_and_cleanly(demo_files):
    import pdfplumber

    _, _, reassessment = demo_files
    problems = check_pdf(reassessment)
    assert problems == [], f"{reassessment.name}:\n{describe(problems)}"
    from pypdf import PdfReader

    reader = PdfReader(reassessment)
    starts = {
        str(item.title): reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list)
    }
    start = next(page for title, page in starts.items() if "Comparison with the previous" in title)
    end = min(page for page in starts.values() if page > start)
    with pdfplumber.open(reassessment) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    comparison = "\n".join(pages[start:end])
    # Framework by framework and category by category as in the results, never the raw ids
    # of the frameworks nor the achieved level (a column of zeros for the client).
    assert "OWASP Top 10 for Agentic Applications 2026" in comparison
    assert "ASI03 Identity and Privilege Abuse" in comparison
    assert not {"nist-ir-8596", "owasp-asi", "owasp-nhi"} & set(comparison.split())
    assert "achieved" not in comparison.lower()
    assert end - start <= 4
