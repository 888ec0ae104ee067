"""The layout check finds overprinted text and text beyond the margins, and passes clean pages."""

from __future__ import annotations

import pytest

from tests.layout_check import check_pdf, describe

_PAGE = "@page { size: A4; margin: 20mm 17mm; } body { font: 10pt 'DejaVu Sans'; }"


def _pdf(tmp_path, body: str, name: str):
    from weasyprint import HTML

    path = tmp_path / f"{name}.pdf"
    HTML(string=f"<style>{_PAGE}</style>{body}").write_pdf(path)
    return path


def test_a_clean_page_has_no_problems(tmp_path):
    body = "<p>Two lines of text,</p><p>one below the other, inside the margins.</p>"
    assert check_pdf(_pdf(tmp_path, body, "clean")) == []


def test_overprinted_words_are_named_with_their_page(tmp_path):
    body = (
        "<p>First page.</p><p style='break-before: page'>Second</p>"
        "<p style='margin-top: -24pt'>Overprint</p>"
    )
    problems = check_pdf(_pdf(tmp_path, body, "overlap"))
    overlaps = [p for p in problems if p.kind == "overlap"]
    assert overlaps, describe(problems)
    assert {overlaps[0].text, overlaps[0].other} == {"Second", "Overprint"}
    assert overlaps[0].page == 2
    assert "page 2: overlap" in str(overlaps[0])


@pytest.mark.parametrize(
    ("style", "kind"),
    [("margin-left: -12mm", "outside margin"), ("margin-left: -30mm", "outside page")],
)
def test_text_beyond_the_margin_or_page_is_found(tmp_path, style, kind):
    body = f"<p style='{style}'>Stray badge</p>"
    problems = check_pdf(_pdf(tmp_path, body, kind.replace(" ", "-")))
    assert [(p.kind, p.text) for p in problems[:1]] == [(kind, "Stray")], describe(problems)
