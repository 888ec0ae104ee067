"""Long unbroken text: cut into pieces for layout, and printed in full."""

from __future__ import annotations

import dataclasses
import hashlib
import re

from pypdf import PdfReader

from app.reports.breaks import LONG, PIECE, pieces, with_break_opportunities
from app.reports.pdf import html_to_pdf, render_pdf


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


def test_prose_is_cut_just_before_a_space():
    text = " ".join(["assessor"] * 200)
    cut = pieces(text)
    assert "".join(cut) == text
    assert all(piece.startswith(" ") and not piece.endswith(" ") for piece in cut[1:])


#: Advice long enough to be cut into pieces, as a finding's recommendation is.
_ADVICE = (
    "Move every secret this system uses into your secrets vault and have the code fetch it at "
    "run time, so none sits in source or configuration files. Write and rehearse a rotation "
    "runbook so that any leaked key can be replaced within hours without an outage. Replace "
    "static passwords and API keys on this system's integrations with federated sign-in using "
    "short-lived tokens. The criteria list 6 further practices to bring to target and 2 "
    "further identity cases to resolve."
)


def test_a_cut_between_words_never_leaves_a_word_on_a_line_of_its_own(tmp_path):
    # Cells of forty widths: wherever a line ends near a cut, the next word must follow on
    # the same line as the words after it (a piece that ended in a space put it alone).
    tables = "".join(
        f'<table class="data" style="width:{width}mm"><tr><td>{_ADVICE}</td></tr></table>'
        for width in range(40, 80)
    )
    html = f'<html><head><link rel="stylesheet" href="base.css"></head><body>{tables}</body></html>'
    html_to_pdf(html, tmp_path / "cells.pdf")
    lines = [
        line.strip()
        for page in PdfReader(tmp_path / "cells.pdf").pages
        for line in (page.extract_text() or "").splitlines()
    ]
    lonely = [line for line in lines if line and " " not in line and line != "resolve."]
    assert not lonely, lonely


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


def test_a_long_note_is_shortened_in_the_register_and_printed_whole_after_it(report_data):
    from app.reports.html import render_html, report_toc
    from app.reports.long_texts import APPENDIX_TITLE, CLIP, CLIP_UNBROKEN, LINE, beginning

    note = _token(CLIP * 4, "whole")
    answers = list(report_data.answers)
    answers[0] = dataclasses.replace(answers[0], notes=note)
    data = dataclasses.replace(report_data, answers=tuple(answers))
    toc = [entry.title for entry in report_toc(data)]
    assert toc.index(APPENDIX_TITLE) == toc.index("Answers, notes and evidence") + 1
    html = render_html(data)
    register = html[html.index('id="appendix-answers"') : html.index('id="appendix-notes"')]
    assert beginning(note, CLIP_UNBROKEN) in register
    assert note not in register
    assert 'href="#note-1"' in register
    appendix = html[html.index('id="appendix-notes"') :]
    # Preserved lines, two a block: no <br> box and no line break to search for.
    assert f'<p class="unbroken">{note[:LINE]}\n{note[LINE : 2 * LINE]}</p>' in appendix


def test_no_appendix_of_notes_without_a_long_note_or_in_the_client_report(report_data):
    from app.reports.html import report_toc
    from app.reports.long_texts import APPENDIX_TITLE, CLIP

    assert APPENDIX_TITLE not in [e.title for e in report_toc(report_data)]
    answers = list(report_data.answers)
    answers[0] = dataclasses.replace(answers[0], notes=_token(CLIP * 2))
    client = dataclasses.replace(report_data, answers=tuple(answers), profile="client")
    assert APPENDIX_TITLE not in [e.title for e in report_toc(client)]


def test_a_prose_note_is_cut_before_a_word():
    from app.reports.long_texts import CLIP, beginning

    prose = " ".join(["assessor"] * CLIP)
    cut = beginning(prose)
    assert len(cut) <= CLIP
    assert prose.startswith(cut + " ")


def test_fixed_lines_keep_every_character_and_only_for_unbroken_notes():
    from app.reports.long_texts import LINE, fixed_lines

    dump = _token(LINE * 3 + 7) + "e\u0301" * LINE
    lines = fixed_lines(dump)
    assert "".join(lines) == dump
    assert all(len(line) <= LINE for line in lines)
    assert not any(line.startswith("\u0301") for line in lines)
    assert fixed_lines(" ".join(["assessor"] * 400)) == ()


def test_fixed_lines_of_wide_characters_fit_the_width():
    from app.reports.long_texts import LINE, fixed_lines

    dump = "\u6f22" * LINE + _token(LINE)  # each of the first takes two monospaced cells
    lines = fixed_lines(dump)
    assert "".join(lines) == dump
    assert lines[0] == "\u6f22" * (LINE // 2)
    assert all(len(line) <= LINE for line in lines)
