"""A report laid out in parts by worker processes is the report laid out in one piece."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time

import pytest
from pypdf import PdfReader

from app.reports import parallel_pdf
from app.reports.credentials import Credential
from app.reports.errors import ReportCancelled, ReportError
from app.reports.manifest import attachments_for
from app.reports.pdf import SIGNATURE_FIELD, prepared_html, render_pdf
from app.reports.render_pool import RenderPool
from app.reports.report_parts import balanced_runs, split_report
from app.reports.signing import sign_pdf
from app.reports.verify import verify_pdf
from tests.pki import PDFSIG, pdfsig


@pytest.fixture(scope="module")
def pool():
    with RenderPool(2) as workers:
        yield workers.start()


@pytest.fixture(scope="module")
def parallel_pdf_file(report_data, pool, tmp_path_factory):
    path = tmp_path_factory.mktemp("parallel") / "report.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel_pdf, "MIN_WEIGHT", 0)  # the dummy report counts as long
        render_pdf(report_data, path, pool=pool)
    return path


def _structure(path):
    reader = PdfReader(path)
    index = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}

    def outline(items, depth=0):
        found = []
        for item in items:
            if isinstance(item, list):
                found += outline(item, depth + 1)
            else:
                found.append((depth, item.title, index[item.page.idnum], round(item.top, 1)))
        return found

    annotations = [
        sorted(
            (str(a.get_object().get("/Dest")), str(a.get_object().get("/FT")))
            for a in page.get("/Annots") or ()
        )
        for page in reader.pages
    ]
    return {
        "text": [page.extract_text() for page in reader.pages],
        "outline": outline(reader.outline),
        "destinations": {
            name: (index[d.page.idnum], round(d.top, 1))
            for name, d in reader.named_destinations.items()
        },
        "annotations": annotations,
        "fields": sorted(reader.get_fields() or {}),
        "metadata": dict(reader.metadata),
    }


def test_parts_give_the_same_pages_numbers_contents_links_and_fields(report_pdf, parallel_pdf_file):
    one_piece, in_parts = _structure(report_pdf), _structure(parallel_pdf_file)
    assert len(in_parts["text"]) == len(one_piece["text"]) >= 20
    for number, (expected, got) in enumerate(
        zip(one_piece["text"], in_parts["text"], strict=True), start=1
    ):
        assert got == expected, f"page {number}"  # footers, headers and contents included
    for key in ("outline", "destinations", "annotations", "fields", "metadata"):
        assert in_parts[key] == one_piece[key], key
    assert SIGNATURE_FIELD in in_parts["fields"]


def _embedded_subsets(path) -> dict[str, set[bytes]]:
    """Every embedded font subset by its name, with the bytes of each program so named."""
    found: dict[str, set[bytes]] = {}
    reader = PdfReader(path)
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            for each in [font.get_object(), *font.get_object().get("/DescendantFonts", [])]:
                descriptor = each.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                if program is not None:
                    name = str(descriptor["/FontName"])
                    found.setdefault(name, set()).add(program.get_object().get_data())
    return found


def test_each_font_subset_has_a_name_of_its_own(report_pdf, parallel_pdf_file):
    # Each part embeds its own subset of a font: the tag in front of the name must tell them
    # apart, as it does in a report laid out in one piece.
    one_piece, in_parts = _embedded_subsets(report_pdf), _embedded_subsets(parallel_pdf_file)
    assert all(len(programs) == 1 for programs in one_piece.values())
    assert all(len(programs) == 1 for programs in in_parts.values()), in_parts.keys()
    plain_names = {name.split("+", 1)[1] for name in in_parts}
    assert plain_names == {name.split("+", 1)[1] for name in one_piece}
    assert len(in_parts) > len(one_piece)  # the parts' subsets, each named


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_parts_look_the_same(report_pdf, parallel_pdf_file, tmp_path):
    from PIL import Image, ImageChops

    for name, path in (("one", report_pdf), ("parts", parallel_pdf_file)):
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", "-l", "8", str(path), str(tmp_path / name)],
            check=True,
        )
    pages = sorted(tmp_path.glob("one-*.png"))
    assert len(pages) == 8
    for page in pages:
        other = tmp_path / page.name.replace("one-", "parts-")
        with Image.open(page) as a, Image.open(other) as b:
            assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None


def test_a_report_laid_out_in_parts_signs_and_verifies(
    parallel_pdf_file, report_data, p12, tmp_path
):
    path, password = p12
    signed = tmp_path / "signed.pdf"
    sign_pdf(
        parallel_pdf_file,
        signed,
        Credential(p12_path=path, secret=password),
        attachments=attachments_for(report_data),
    )
    (check,) = verify_pdf(signed).signatures
    assert check.intact
    if PDFSIG is not None:
        assert "Signature is Valid" in pdfsig(signed)


def test_cancel_kills_the_workers_and_leaves_no_file(report_data, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_pdf, "MIN_WEIGHT", 0)
    pool = RenderPool(2).start()
    processes = [worker.process for worker in pool.workers(2)]

    class CancelOnceInParts:
        """Cancels once the parts are handed to the workers."""

        message = ""

        def report(self, fraction: float, message: str = "") -> None:
            self.message = message

        @property
        def cancelled(self) -> bool:
            return "parts" in self.message

    target = tmp_path / "cancelled.pdf"
    with pytest.raises(ReportCancelled):
        render_pdf(report_data, target, progress=CancelOnceInParts(), pool=pool)
    deadline = time.monotonic() + 10
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_alive() for p in processes)
    assert not list(tmp_path.iterdir())


def test_a_failed_worker_falls_back_to_one_piece(report_data, report_pdf, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_pdf, "MIN_WEIGHT", 0)
    pool = RenderPool(2).start()
    for worker in pool.workers(2):
        worker.process.kill()
    path = tmp_path / "report.pdf"
    pages = render_pdf(report_data, path, pool=pool)
    assert pages == len(PdfReader(report_pdf).pages)
    assert not pool.started


def test_a_numbering_hook_the_layout_engine_refuses_falls_back_to_one_piece(
    report_data, report_pdf, pool, tmp_path, monkeypatch
):
    # The page-number hook rests on how the layout engine keeps its counters; when a new
    # version keeps them another way the report is laid out in one piece, not refused.
    @contextlib.contextmanager
    def refused(_numbering):
        raise ReportError("the layout engine keeps its page counters another way")
        yield  # pragma: no cover - never reached

    monkeypatch.setattr(parallel_pdf, "MIN_WEIGHT", 0)
    monkeypatch.setattr(parallel_pdf, "continued_page_numbers", refused)
    path = tmp_path / "report.pdf"
    pages = render_pdf(report_data, path, pool=pool)
    assert pages == len(PdfReader(report_pdf).pages)
    assert (
        PdfReader(path).pages[-1].extract_text() == PdfReader(report_pdf).pages[-1].extract_text()
    )


def test_only_documents_of_the_report_shape_are_cut(report_data, portfolio_data):
    from app.reports.html import render_html, render_portfolio_html

    parts = split_report(prepared_html(render_html(report_data)))
    assert parts is not None
    assert len(parts.body) > 5
    assert parts.front.startswith('<section class="cover"')
    assert split_report(prepared_html(render_portfolio_html(portfolio_data))) is not None
    assert split_report("<html><head></head><body><p>x</p></body></html>") is None
    no_contents = '<html><head></head><body><section class="cover"></section><section>'
    assert split_report(no_contents + "</section></body></html>") is None


def test_balanced_runs_keep_order_and_minimise_the_heaviest():
    assert balanced_runs([5, 1, 1, 1, 5], 2) in ([(0, 2), (2, 5)], [(0, 3), (3, 5)])
    assert balanced_runs([1, 1, 1, 1], 4) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert balanced_runs([3], 4) == [(0, 1)]
    runs = balanced_runs([4, 2, 9, 1, 1, 3], 3)
    assert runs[0][0] == 0
    assert runs[-1][1] == 6
    assert max(sum([4, 2, 9, 1, 1, 3][a:b]) for a, b in runs) == 9


def test_a_worker_whose_parent_is_gone_before_it_starts_exits_at_once():
    """A worker that comes up after its parent died must not warm up and wait for work."""
    import multiprocessing

    from app.reports import render_pool

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe(duplex=True)
    not_its_parent = _a_finished_process_id(context)
    worker = context.Process(target=render_pool._worker_main, args=(theirs, not_its_parent))
    worker.start()
    theirs.close()
    worker.join(60)
    assert worker.exitcode == 0
    with pytest.raises(EOFError):  # it sent nothing: it neither warmed up nor laid anything out
        ours.recv()


def _a_finished_process_id(context) -> int:
    finished = context.Process(target=time.sleep, args=(0,))
    finished.start()
    finished.join()
    return finished.pid
