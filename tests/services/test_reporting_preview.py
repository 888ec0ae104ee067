"""Page images for the preview: pdftoppm when installed, a clear message when not."""

from __future__ import annotations

import shutil

import pytest

from app.services.errors import UserError
from app.services.progress import Cancelled
from app.services.reporting.preview import (
    NO_RASTERISER_MESSAGE,
    pdf_page_count,
    render_page_images,
)


@pytest.fixture
def three_pages(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    path = tmp_path / "three.pdf"
    with path.open("wb") as stream:
        writer.write(stream)
    return path


class _Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[float, str]] = []
        self._cancel_after = cancel_after

    def report(self, fraction: float, message: str = "") -> None:
        self.reports.append((fraction, message))

    @property
    def cancelled(self) -> bool:
        return self._cancel_after is not None and len(self.reports) >= self._cancel_after


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm not installed")
def test_pages_become_png_images(three_pages, tmp_path):
    progress = _Recorder()
    preview = render_page_images(three_pages, tmp_path / "out", max_pages=2, progress=progress)
    assert preview.pages == 3
    assert len(preview.images) == 2
    for image in preview.images:
        assert image.read_bytes().startswith(b"\x89PNG")
    assert progress.reports[-1][0] == 1.0


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm not installed")
def test_cancel_stops_between_pages(three_pages, tmp_path):
    with pytest.raises(Cancelled):
        render_page_images(three_pages, tmp_path / "out", progress=_Recorder(cancel_after=1))
    assert len(list((tmp_path / "out").glob("*.png"))) == 1


def test_without_pdftoppm_the_preview_explains(three_pages, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    preview = render_page_images(three_pages, tmp_path / "out")
    assert preview.images == ()
    assert preview.pages == 3
    assert preview.message == NO_RASTERISER_MESSAGE


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path):
    bogus = tmp_path / "notes.pdf"
    bogus.write_text("not a pdf")
    with pytest.raises(UserError, match="notes.pdf"):
        pdf_page_count(bogus)
