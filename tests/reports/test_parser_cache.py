"""The HTML parser parses report HTML the same with its pattern cache repaired, and uses it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

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


def test_a_second_parse_builds_no_pattern_again(monkeypatch):
    repair_html_parser_cache()
    html = '<p class="a">text &amp; more</p><table><tr><td>x</td></tr></table>'
    _tree(html)
    built = []
    real_compile = re.compile

    def compile_and_count(*args):
        built.append(args)
        return real_compile(*args)

    # The parser's module alone sees the counting compile; the rest of the process does not.
    monkeypatch.setattr(inputstream, "re", SimpleNamespace(compile=compile_and_count))
    _tree(html)
    assert built == []
