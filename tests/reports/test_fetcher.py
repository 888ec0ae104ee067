"""Reports load only bundled files and data: URIs; everything else is refused and logged."""

from __future__ import annotations

import logging

import pytest

from app.reports.errors import FetchRefused
from app.reports.fetcher import fetch_local
from app.support.paths import resources_dir, templates_dir


def test_serves_bundled_templates_and_fonts():
    css = fetch_local((templates_dir() / "base.css").resolve().as_uri())
    assert b"@page" in css.data
    assert css.media_type == "text/css"
    font = fetch_local((resources_dir() / "fonts" / "DejaVuSans.ttf").resolve().as_uri())
    assert font.media_type == "font/ttf"
    assert len(font.data) > 100_000


def test_decodes_data_uris():
    assert fetch_local("data:text/plain;base64,aGVsbG8=").data == b"hello"
    assert fetch_local("data:text/plain,a%20b").data == b"a b"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/style.css",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "file://otherhost/share/x.png",
        "relative/path.png",
        "javascript:alert(1)",
    ],
)
def test_refuses_everything_else_with_a_warning(url, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="app.reports.fetcher"),
        pytest.raises(FetchRefused),
    ):
        fetch_local(url)
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_refuses_escaping_the_templates_folder():
    escaping = templates_dir().resolve().as_uri() + "/../../../../../../etc/passwd"
    with pytest.raises(FetchRefused):
        fetch_local(escaping)


def test_weasyprint_fetcher_refuses_remote_and_local_files():
    from app.reports.pdf import local_only_fetcher

    fetcher = local_only_fetcher()
    assert fetcher.fetch((templates_dir() / "base.css").resolve().as_uri()).read()
    for url in ("http://example.com/x.png", "file:///etc/passwd"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
