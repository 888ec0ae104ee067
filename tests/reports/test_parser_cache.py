"""The HTML parser parses report HTML the same with its pattern cache repaired, and uses it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tinyhtml5 import inputstream, parse

from app.reports.html import render_html
from app.reports.parser_cache import repair_html_parser_cache
from app.reports.pdf import prepared_html


def _tree(html: str) -> bytes:
    return ET.tostring(parse(html, namespace_html_elements=False))


def test_report_html_parses_the_same_with_the_cache_repaired(
    report_data, hostile_data, monkeypatch
):
    repair_html_parser_cache()
    stream = inputstream.HTMLUnicodeInputStream
    repaired = stream.chars_until
    htmls = [prepared_html(render_html(data)) for data in (report_data, hostile_data)]
    trees = [_tree(html) for html in htmls]
    monkeypatch.setattr(stream, "chars_until", repaired.__wrapped__)
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    assert [_tree(html) for html in htmls] == trees


def test_the_parser_finds_the_patterns_it_stored():
    repair_html_parser_cache()
    repair_html_parser_cache()  # once is enough; a second call changes nothing
    stream = inputstream.HTMLUnicodeInputStream
    assert stream.chars_until.__wrapped__.__name__ == "chars_until"
    assert not hasattr(stream.chars_until.__wrapped__, "__wrapped__")
    _tree('<p class="a">text &amp; more</p>')
    cache = inputstream.characters_until_regex
    assert cache[(("&", "<", "\u0000"), False)].pattern == "[^\\x26\\x3c\\x00]+"
