"""Long unbroken text: cut into pieces for layout, and printed in full."""

from __future__ import annotations

import dataclasses
import hashlib
import re

from pypdf import PdfReader

from app.reports.breaks import LONG, PIECE, pieces, with_break_opportunities
from app.reports.pdf import render_pdf


def _token(length: int, seed: str = "") -> str:
    """A text without spaces that never repeats itself (a misplaced piece would show)."""
    digest = "".join(hashlib.sha256(f"{seed}{i}".encode()).hexdigest() for i in range(length))
    return digest[:length]


def test_pieces_keep_every_character_and_stay_short():
    text = _token(1000)
    cut = pieces(text)
    assert "".join(cut) == text
    assert all(len(piece) <= PIECE for piece in cut)
    assert len(cut) == -(-len(text) // PIECE)


def test_prose_is_cut_right_after_a_space():
    text = " ".join(["assessor"] * 200)
    cut = pieces(text)
    assert "".join(cut) == text
    assert all(piece.endswith(" ") for piece in cut[:-1])


def test_entities_and_combining_marks_stay_whole():
    text = ("x" * (PIECE - 2)) + "&amp;" + ("e\u0301" * PIECE)
    cut = pieces(text)
    assert "".join(cut) == text
    assert cut[0] == "x" * (PIECE - 2)
    assert not any(piece.startswith("\u0301") for piece in cut)


def test_only_long_body_text_gets_break_opportunities():
    long_text = _token(LONG + 10)
    html = (
        f"<html><head><title>{long_text}</title></head>"
        f'<body><img src="data:image/svg+xml;base64,{long_text}">'
        f"<p>short</p><td>{long_text}</td></body></html>"
    )
    result = with_break_opportunities(html)
    assert f"<title>{long_text}</title>" in result
    assert f'src="data:image/svg+xml;base64,{long_text}"' in result
    assert "<p>short</p>" in result
    assert f"<td>{'<wbr>'.join(pieces(long_text))}</td>" in result


def test_a_long_note_title_and_evidence_name_print_in_full(report_data, squash, tmp_path):
    note, title, evidence = _token(6000, "n"), _token(700, "t"), _token(400, "e")
    answers = list(report_data.answers)
    # Different answers: a row split over pages would interleave the pieces of its cells.
    answers[0] = dataclasses.replace(answers[0], notes=note)
    answers[1] = dataclasses.replace(answers[1], title=title)
    answers[2] = dataclasses.replace(answers[2], evidence=(evidence,))
    data = dataclasses.replace(report_data, answers=tuple(answers))
    assert "answers" in data.chosen_appendices
    assert not data.is_client
    path = tmp_path / "long.pdf"
    render_pdf(data, path)
    # Each page ends with the running header and footer (the classification in capitals), and
    # a page that continues the answers table starts with its header row; without them the
    # text of the pages joins up.
    doc = data.document
    footer = re.escape(squash(f"{doc.title}{doc.classification}{doc.client}")) + r"Page\d+of\d+$"
    header = r"^" + re.escape("QuestionAnswerTargetEvidenceNotes(internal)")
    text = "".join(
        re.sub(f"{header}|{footer}", "", squash(page.extract_text()), flags=re.IGNORECASE)
        for page in PdfReader(path).pages
    )
    for value in (note, title, evidence):
        assert value in text, _longest_prefix_found(value, text)


def _longest_prefix_found(value: str, text: str) -> str:
    found = next(n for n in range(len(value), -1, -1) if value[:n] in text)
    return f"only the first {found} of {len(value)} characters are printed in a row"
