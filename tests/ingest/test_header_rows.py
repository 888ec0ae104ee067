"""Header rows chosen by the user: they override detection for their sheet only."""

from __future__ import annotations

import pytest

from app.ingest.headers import chosen_header_row, map_sheet
from app.ingest.pipeline import parse_header_rows, parse_inventory
from app.ingest.problems import IngestError
from app.ingest.xlsx import RawSheet
from tests.inventory_files import SIGN_OFF_REGISTER as REGISTER
from tests.inventory_files import TITLED_IDENTITIES as IDENTITIES


def test_detection_picks_the_sign_off_block_and_the_chosen_row_fixes_it(make_xlsx):
    path = make_xlsx({"AI systems": REGISTER, "Identities": IDENTITIES})
    guessed = parse_inventory(path)
    assert guessed.sheets[0].header_row == 1
    assert guessed.records["systems"] == []
    assert "no column gives the id" in str(guessed.problems[0])
    chosen = parse_inventory(path, header_rows={"AI systems": 40})
    assert chosen.problems == []
    assert [r.key for r in chosen.records["systems"]] == [("AIS-1",), ("AIS-2",)]
    assert chosen.records["systems"][0].source.row == 41
    assert [(s.name, s.header_row) for s in chosen.sheets] == [("AI systems", 40),
                                                               ("Identities", 2)]  # fmt: skip
    assert [r.key for r in chosen.records["identities"]] == [("svc-1",)]  # still detected
    assert chosen.header_rows == {"AI systems": 40}


def test_row_past_the_end_of_a_sheet_names_file_sheet_and_row(make_xlsx):
    path = make_xlsx({"AI systems": REGISTER, "Identities": IDENTITIES})
    with pytest.raises(IngestError) as caught:
        parse_inventory(path, header_rows=["AI systems=50"])
    assert str(caught.value) == (
        "inventory.xlsx, sheet 'AI systems': header row 50 is past the end of the sheet "
        "(its last row is 42)"
    )


def test_an_empty_row_is_refused(make_xlsx):
    path = make_xlsx({"AI systems": REGISTER})
    with pytest.raises(IngestError, match=r"sheet 'AI systems': row 5, chosen as the header row, "
                                          r"is empty"):  # fmt: skip
        parse_inventory(path, header_rows={"AI systems": 5})


def test_csv_takes_a_bare_row_or_its_sheet_name(make_csv):
    path = make_csv([["Systems exported 2025-06-01"], *([[]] * 38), *REGISTER[-3:]],
                    name="export.csv")  # fmt: skip
    assert parse_inventory(path).records["systems"] == []
    for rows in (["40"], ["export=40"], {"export": 40}, ["export.csv=40"]):
        inventory = parse_inventory(path, header_rows=rows)
        assert len(inventory.records["systems"]) == 2, rows
        assert inventory.header_rows == {"export": 40}
    with pytest.raises(IngestError) as caught:
        parse_inventory(path, header_rows=["45"])
    assert str(caught.value) == (
        "export.csv: header row 45 is past the end of the file (its last row is 42)"
    )


def test_chosen_rows_must_name_a_sheet_that_is_read(make_xlsx):
    path = make_xlsx({"AI systems": REGISTER, "Identities": IDENTITIES})
    with pytest.raises(IngestError, match="inventory.xlsx has 2 sheets .* name the sheet"):
        parse_inventory(path, header_rows=["40"])
    with pytest.raises(IngestError, match="sheet 'Systems', which is not among the sheets read"):
        parse_inventory(path, header_rows={"Systems": 40})
    with pytest.raises(IngestError, match="not among the sheets read \\('Identities'\\)"):
        parse_inventory(path, sheet="Identities", header_rows={"AI systems": 40})
    only = parse_inventory(path, sheet="AI systems", header_rows=["40"])
    assert only.header_rows == {"AI systems": 40}


@pytest.mark.parametrize("text", ["Systems=0", "Systems=-2", "Systems=four", "Systems=", "4.5"])
def test_malformed_rows_are_refused(text):
    with pytest.raises(IngestError, match="should read SHEET=N"):
        parse_header_rows([text])


def test_a_sheet_given_two_rows_is_refused():
    assert parse_header_rows(["A=b=3", "Systems=4", "Systems=4"]) == {"A=b": 3, "Systems": 4}
    with pytest.raises(IngestError, match="sheet 'Systems' is given two rows, 4 and 5"):
        parse_header_rows(["Systems=4", "Systems=5"])


def test_chosen_row_whose_headers_fit_nothing_skips_the_sheet_with_a_warning():
    raw = RawSheet("Sheet1", [["Quarterly notes"], ["colour", "size"], ["red", "L"]])
    sheet = map_sheet(raw, "notes.xlsx", "Sheet1", {}, header_row=2)
    assert sheet.entity is None
    assert [p.reason for p in sheet.problems] == [
        "not imported: the headers of row 2, the chosen header row, match no inventory sheet"
    ]


def test_chosen_header_row_on_an_empty_sheet():
    with pytest.raises(IngestError, match="header row 1 is past the end of the sheet "
                                          r"\(it has no rows\)"):  # fmt: skip
        chosen_header_row(RawSheet("Empty", []), "book.xlsx", "Empty", 1)
