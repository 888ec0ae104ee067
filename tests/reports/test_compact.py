"""Whitespace beside block-level tags is left out of the HTML laid out; text keeps its spaces."""

from __future__ import annotations

from app.reports.compact import without_layout_whitespace


def test_indentation_between_blocks_goes():
    html = (
        "<head>\n  <title> A </title>\n</head><body>\n  <table>\n    <tr>\n"
        "      <td> x </td>\n    </tr>\n  </table>\n</body>"
    )
    result = without_layout_whitespace(html)
    assert result.startswith("<head>\n  <title> A </title>\n</head>")  # the head is left alone
    assert result.endswith("<body><table><tr><td>x</td></tr></table></body>")


def test_spaces_between_inline_content_stay():
    html = "<body><p><b>Owner:</b> <span>Ada</span> and\n<i>Bob</i></p>\n<div>a\u00a0</div></body>"
    assert without_layout_whitespace(html) == (
        "<body><p><b>Owner:</b> <span>Ada</span> and\n<i>Bob</i></p><div>a\u00a0</div></body>"
    )


def test_a_tag_name_that_only_starts_like_a_block_tag_keeps_its_spaces():
    html = "<body><p>x <path d='M0'/> <thing>y</thing> <colour>z</colour></p></body>"
    assert without_layout_whitespace(html) == (
        "<body><p>x <path d='M0'/> <thing>y</thing> <colour>z</colour></p></body>"
    )
