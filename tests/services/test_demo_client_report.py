"""The demo's client report reads: a short body, appendices after it, nothing internal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader

from app.services.demo.builder import build_demo
from app.services.reporting import generate_pdf
from app.services.workspace import open_workspace

#: The day the demo is relative to (its lifecycle is dated on its engagement's calendar).
DEMO_DAY = dt.date.today()
#: The body (cover to the last section before the appendices) a client's CISO reads.
MAX_BODY_PAGES = 30
#: Phrases that belong to the assessment team or to a lazy template, never to a client.
INTERNAL = (
    "Quality gate",
    "quality gate",
    "warning(s)",
    "finding(s)",
    "hop(s)",
    "level(s)",
    "file(s)",
    "Notes (internal)",
    "Assessor's notes",
    "reached by every applicable question",
    "Internal edition",
)


@pytest.fixture(scope="module")
def client_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-client")
    result = build_demo(folder / "demo.assay", today=DEMO_DAY)
    workspace = open_workspace(result.workspace_path, create=False, actor="tester")
    try:
        outcome = generate_pdf(
            workspace,
            result.final_assessment_id,
            folder / "client.pdf",
            profile="client",
            today=DEMO_DAY,
        )
    finally:
        workspace.close()
    reader = PdfReader(outcome.path)
    pages = [page.extract_text() or "" for page in reader.pages]
    return outcome, reader, pages


def _first_appendix_page(reader: PdfReader) -> int:
    """Return the 0-based page of the first appendix heading (from the PDF's bookmarks)."""
    starts = [
        reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list) and str(item.title).startswith("Appendix")
    ]
    assert starts, "the client report has appendices"
    return min(starts)


def test_the_body_before_the_appendices_is_short(client_report):
    outcome, reader, pages = client_report
    body = _first_appendix_page(reader)
    assert body <= MAX_BODY_PAGES, f"the body runs to {body} pages"
    assert outcome.pages > body  # the per-question detail is still there, as appendices
    assert "Criteria of every finding" in pages[body]
    body_text = " ".join(pages[:body])
    # The themed findings and their action plan are body sections the CISO reads, not appendices.
    assert re.search(r"\d+\. Findings and recommendations", body_text)
    assert re.search(r"\d+\. Action plan", body_text)


def test_no_internal_line_or_lazy_plural_reaches_the_client(client_report):
    _outcome, _reader, pages = client_report
    text = " ".join(" ".join(pages).split())
    for phrase in INTERNAL:
        assert phrase not in text, phrase
    assert not re.search(r"\b1 (findings|hops|identities|resources)\b", text)


def test_the_demo_dates_agree_with_the_report_date(client_report):
    outcome, _reader, pages = client_report
    assert not [w for w in outcome.warnings if "fieldwork" in w or "revision" in w]
    control = next(p for p in pages if "Document control" in p)
    start, end = (DEMO_DAY - dt.timedelta(days=21)), (DEMO_DAY - dt.timedelta(days=2))
    assert f"{start.isoformat()} to {end.isoformat()}" in control


def test_the_revision_history_reads_like_an_engagement(client_report):
    _outcome, _reader, pages = client_report
    control = " ".join(next(p for p in pages if "Document control" in p).split())
    found = dict(re.findall(r"\b(0\.1|0\.9|1\.0) (\d{4}-\d{2}-\d{2}) Robin Vale", control))
    assert set(found) == {"0.1", "0.9", "1.0"}, control
    started, for_review, final = (dt.date.fromisoformat(found[v]) for v in ("0.1", "0.9", "1.0"))
    fieldwork_start, fieldwork_end = (
        (DEMO_DAY - dt.timedelta(days=21)),
        (DEMO_DAY - dt.timedelta(days=2)),
    )
    assert fieldwork_start <= started < for_review < final <= fieldwork_end
    assert (for_review - started).days >= 5  # a draft during fieldwork, not an afternoon


#: One row of a criteria table as the PDF's text gives it: "<ref> <title> <current> <target>".
_CRITERION_ROW = re.compile(r"^\S+ .+ (\d [A-Z][a-z]+( [a-z]+)?|—) (\d [A-Z][a-z]+|—)$")


def test_no_criteria_table_leaves_a_lone_row_on_a_page(client_report):
    _outcome, _reader, pages = client_report
    runs = []
    for page in pages:
        lines = page.splitlines()
        for start, line in enumerate(lines):
            if line.startswith("Criterion Practice or check Current Target"):
                rows = 0
                for row in lines[start + 1 :]:
                    if not _CRITERION_ROW.match(row):
                        break
                    rows += 1
                runs.append(rows)
                assert rows >= 2, f"a criteria table has {rows} row(s) on a page:\n{page}"
    assert len(runs) > 10  # the tables were found (body and Appendix A)


def _squashed(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def test_the_client_reads_an_approved_opinion_on_a_page_of_its_own(client_report):
    _outcome, _reader, pages = client_report
    opening = next(
        i for i, p in enumerate(pages) if "1. Overall opinion" in p and "Contents" not in p
    )
    text = " ".join(pages[opening].split())
    assert "Unsatisfactory" in text
    assert "reviewed and approved by Dana Quill (quality reviewer)" in text
    assert "Executive summary" in pages[opening + 1]  # nothing of the opinion spills over
    control = " ".join(next(p for p in pages if "Document control" in p).split())
    assert "Dana Quill (quality reviewer) · reviewed and approved" in control
    assert "not yet approved" not in _squashed(pages)


def test_the_client_edition_carries_settled_results_in_plain_words(client_report):
    _outcome, _reader, pages = client_report
    text = _squashed(pages)
    assert "Where the frameworks disagree" not in text
    assert not re.search(r"\b0 (critical|high|medium|low|not applicable)\b", text)
    assert "answers appendix" not in text  # the client edition has none
    assert "Classification Confidential" in text
    profile = text.split("Tier on its own", 1)[1][:200]
    assert "Autonomy Human-on-the-loop" in profile
    assert "autonomy: " not in profile
    card = text.split("· Staff are not trained for AI-specific risks", 1)[1]
    accepted = card.split("Criterion")[0]
    assert "Risk accepted by" in accepted
    assert "Not yet received" not in accepted
