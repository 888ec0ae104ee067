"""Page images of a PDF for the preview in the window.

Assay renders PDFs with WeasyPrint, which writes PDF only (its PNG output was removed years
ago), and the Qt PDF module is not part of the Qt packages Assay ships with. The preview
therefore uses poppler's ``pdftoppm`` when it is installed (it is on most Linux desktops and
comes with common PDF tool bundles on Windows and macOS); without it the preview says so
plainly and the user opens the PDF in their own viewer. Nothing else depends on the preview.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.services.errors import UserError
from app.services.progress import Progress, check_cancelled

logger = logging.getLogger(__name__)

RASTERISER = "pdftoppm"
DEFAULT_DPI = 50
DEFAULT_MAX_PAGES = 40
_TIMEOUT_SECONDS = 60
NO_RASTERISER_MESSAGE = (
    "Page previews need poppler's pdftoppm, which is not installed on this computer "
    "(package poppler-utils on Linux, poppler on macOS). The PDF itself is complete: "
    "open it in your PDF viewer."
)


@dataclass(frozen=True)
class PagePreview:
    """Images of a PDF's first pages, or the reason there are none.

    Attributes:
        pdf: The PDF previewed.
        pages: How many pages the PDF has.
        images: PNG files of the first pages, in page order.
        message: Why there are no images (empty when there are).
    """

    pdf: Path
    pages: int
    images: tuple[Path, ...]
    message: str = ""


def rasteriser_available() -> bool:
    """Return True when page images can be made on this computer."""
    return shutil.which(RASTERISER) is not None


def pdf_page_count(pdf: Path) -> int:
    """Return the number of pages of a PDF.

    Raises:
        UserError: The file cannot be read as a PDF.
    """
    from pypdf import PdfReader  # deferred: only the preview and tests need it
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(str(pdf)).pages)
    except (OSError, PdfReadError, ValueError) as exc:
        raise UserError(f"cannot read {Path(pdf).name} as a PDF: {exc}") from exc


def render_page_images(
    pdf: Path,
    out_dir: Path,
    *,
    dpi: int = DEFAULT_DPI,
    max_pages: int = DEFAULT_MAX_PAGES,
    progress: Progress | None = None,
) -> PagePreview:
    """Write PNG images of a PDF's first ``max_pages`` pages into ``out_dir``.

    Args:
        pdf: The PDF file.
        out_dir: A folder for the images (created when missing).
        dpi: Resolution of the images.
        max_pages: Stop after this many pages.
        progress: Reports one step per page; cancelling stops between pages.

    Returns:
        The images, or none with a message when ``pdftoppm`` is not installed.

    Raises:
        UserError: The PDF cannot be read or a page cannot be rendered.
        Cancelled: The caller cancelled.
    """
    pdf = Path(pdf)
    pages = pdf_page_count(pdf)
    tool = shutil.which(RASTERISER)
    if tool is None:
        logger.info("no %s on PATH; preview of %s skipped", RASTERISER, pdf.name)
        return PagePreview(pdf, pages, (), NO_RASTERISER_MESSAGE)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = min(pages, max_pages)
    images: list[Path] = []
    for number in range(1, wanted + 1):
        check_cancelled(progress)
        if progress is not None:
            progress.report((number - 1) / max(wanted, 1), f"Page {number} of {wanted}")
        images.append(_render_page(tool, pdf, out_dir, number, dpi))
    if progress is not None:
        progress.report(1.0, "Preview ready")
    return PagePreview(pdf, pages, tuple(images))


def _render_page(tool: str, pdf: Path, out_dir: Path, number: int, dpi: int) -> Path:
    stem = out_dir / f"page-{number:03d}"
    command = [tool, "-r", str(dpi), "-png", "-f", str(number), "-l", str(number)]
    command += ["-singlefile", str(pdf), str(stem)]
    try:
        done = subprocess.run(  # noqa: S603 - fixed tool found on PATH, arguments are ours
            command, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"could not render page {number} of {pdf.name}: {exc}") from exc
    image = stem.with_suffix(".png")
    if done.returncode != 0 or not image.exists():
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no image"]
        raise UserError(f"could not render page {number} of {pdf.name}: {reason[0]}")
    return image
