"""PDFs render from the dummy data: every heading and answer, real pages, safe with hostile data."""

from __future__ import annotations

import logging
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.reports.errors import ReportCancelled
from app.reports.html import report_toc
from app.reports.manifest import evidence_manifest_sha256
from app.reports.pdf import SIGNATURE_FIELD, render_pdf, render_portfolio_pdf
from app.support.progress import Cancelled

FIXED_HEADINGS = ("Document control", "Contents", "Evidence manifest", "How to verify this report")


def test_pdf_is_a_real_multi_page_document(report_pdf):
    assert report_pdf.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(report_pdf)
    assert len(reader.pages) >= 20
    assert SIGNATURE_FIELD in (reader.get_fields() or {})
    assert reader.metadata.title.startswith("AI system assessment")


def test_every_section_heading_is_in_the_pdf(report_data, report_text, squash):
    text = squash(report_text)
    for entry in report_toc(report_data):
        assert squash(entry.heading) in text, entry.heading
    for heading in FIXED_HEADINGS:
        assert squash(heading) in text, heading


def test_every_answer_is_in_the_pdf(report_data, report_text, squash):
    text = squash(report_text)
    for answer in report_data.answers:
        assert squash(f"{answer.ref} {answer.title}") in text, answer.question_id
        if answer.not_applicable:
            assert squash(answer.justification) in text
        if answer.notes:
            assert squash(answer.notes) in text


def test_evidence_index_and_manifest_hash_are_printed(report_data, report_text, squash):
    text = squash(report_text)
    for item in report_data.evidence:
        assert item.sha256 in text
    assert evidence_manifest_sha256(report_data) in text


def test_running_headers_page_numbers_and_toc(report_data, report_pdf, squash):
    pages = [page.extract_text() for page in PdfReader(report_pdf).pages]
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert report_data.document.classification.upper() in text
    contents = next(text for text in pages if "Contents" in text)
    numbers = [int(line) for line in contents.splitlines() if line.strip().isdigit()]
    toc = report_toc(report_data)
    assert len(numbers) == len(toc)
    assert numbers == sorted(numbers)
    for entry, number in zip(toc, numbers, strict=True):
        assert squash(entry.heading) in squash(pages[number - 1]), entry.heading


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_pages_render_to_non_blank_images(report_pdf, tmp_path):
    from PIL import Image, ImageStat

    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "20",
            "-png",
            "-f",
            "1",
            "-l",
            "6",
            str(report_pdf),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == 6
    for path in images:
        with Image.open(path) as image:
            extrema = ImageStat.Stat(image.convert("L")).extrema[0]
        assert extrema[0] < 200, f"{path.name} looks blank"


def test_hostile_strings_come_out_as_plain_text(hostile_data, hostile, squash, tmp_path, caplog):
    path = tmp_path / "hostile.pdf"
    with caplog.at_level(logging.WARNING, logger="app.reports.fetcher"):
        render_pdf(hostile_data, path)
    text = squash("\n".join(p.extract_text() for p in PdfReader(path).pages))
    for value in hostile:
        assert squash(value) in text, value
    refused = " ".join(r.getMessage() for r in caplog.records)
    assert "http://example.com/x.png" in refused
    assert "file:///etc/passwd" in refused


def test_progress_is_reported_and_cancel_stops(hostile_data, tmp_path):
    seen: list[float] = []

    class Recorder:
        cancelled = False

        def report(self, fraction: float, message: str = "") -> None:
            seen.append(fraction)

    render_pdf(hostile_data, tmp_path / "ok.pdf", progress=Recorder())
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 5

    class CancelAfterCharts:
        def __init__(self) -> None:
            self.calls = 0

        def report(self, fraction: float, message: str = "") -> None:
            self.calls += 1

        @property
        def cancelled(self) -> bool:
            return self.calls >= 2

    target = tmp_path / "cancelled.pdf"
    with pytest.raises(ReportCancelled) as stopped:
        render_pdf(hostile_data, target, progress=CancelAfterCharts())
    assert isinstance(stopped.value, Cancelled)  # one protocol: services and renderers alike
    assert not target.exists()
    assert not list(tmp_path.glob("cancelled*"))


def test_portfolio_pdf(portfolio_data, squash, tmp_path):
    path = tmp_path / "portfolio.pdf"
    pages = render_portfolio_pdf(portfolio_data, path)
    text = squash("\n".join(p.extract_text() for p in PdfReader(path).pages))
    assert pages >= 4
    for heading in ("Portfolio overview", "Maturity by system and function", "Top findings"):
        assert squash(heading) in text
    for figure in ("66%", "40%", "47%"):  # owned, over-privileged, not rotated (dummy data)
        assert figure in text
    assert "industry" not in text.lower()
    for system in portfolio_data.systems:
        assert squash(system.name) in text


def test_action_plan_effort_and_status_words_stay_whole(report_data, tmp_path):
    import dataclasses

    import pdfplumber

    from app.reports.pdf import render_pdf
    from tests.layout_check import check_pdf, describe

    actions = tuple(
        dataclasses.replace(a, effort="medium", status="in-progress", status_label="In progress")
        for a in report_data.actions
    )
    data = dataclasses.replace(report_data, actions=actions, appendices=())
    path = tmp_path / "actions.pdf"
    render_pdf(data, path)
    with pdfplumber.open(path) as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    assert words.count("Medium") >= len(actions)
    assert "Mediu" not in words
    assert [w for w in words if w.startswith("progres") and w != "progress"] == []
    problems = [describe([p]) for p in check_pdf(path)]
    in_plan = [text for text in problems if "progress" in text or "Medium" in text]
    assert in_plan == []
