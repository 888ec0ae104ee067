"""Readers: CSV encodings and separators, workbooks, and files that must be refused."""

from __future__ import annotations

import codecs
import struct
import subprocess
import sys
import textwrap
import zipfile

import pytest

from app.ingest.limits import Limits
from app.ingest.problems import IngestError
from app.ingest.readers import decode_text, read_file, sniff_delimiter

ROWS = [["id", "name", "owner"], ["AIS-1", "Café bot", "zoë@example.com"], ["AIS-2", "b", "c"]]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("cp1252", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(make_csv, encoding, prefix, delimiter):
    path = make_csv(ROWS, delimiter=delimiter, encoding=encoding, prefix=prefix)
    raw = read_file(path)
    assert raw.kind == "csv"
    assert raw.delimiter == delimiter
    assert raw.sheets[0].rows == ROWS
    assert raw.sheets[0].name == "inventory"


def test_cp1252_euro_sign_and_quoted_fields(make_csv):
    rows = [["id", "notes"], ["A1", "costs 5 €; weekly, roughly"], ["A2", "two\nlines"]]
    path = make_csv(rows, delimiter=";", encoding="cp1252")
    raw = read_file(path)
    assert raw.encoding == "cp1252"
    assert raw.sheets[0].rows == rows


def test_decode_prefers_utf8_and_falls_back():
    assert decode_text("é".encode(), "f") == ("é", "utf-8")
    assert decode_text("é".encode("cp1252"), "f") == ("é", "cp1252")
    russian = "Привет, как дела у тебя сегодня? Хорошо."
    assert decode_text(russian.encode("cp1251"), "f") == (russian, "cp1251")
    with pytest.raises(IngestError, match="line 1, character 4: byte 0xFF is not valid UTF-8"):
        decode_text("Zoë\xff".encode("latin-1").replace(b"\xeb", "ë".encode()), "f")


def test_sniff_delimiter_ignores_commas_inside_values():
    text = 'id;name;tools\nA;"x, y";"a, b, c"\nB;z;w\n'
    assert sniff_delimiter(text) == ";"


def test_workbook_sheets_and_sheet_choice(make_xlsx):
    path = make_xlsx({"Systems": [["id"], ["A"]], "Identities": [["id"], ["svc"]]})
    assert [s.name for s in read_file(path).sheets] == ["Systems", "Identities"]
    assert [s.name for s in read_file(path, sheet="Identities").sheets] == ["Identities"]
    with pytest.raises(
        IngestError, match="has no sheet 'Nope' \\(its sheets: 'Systems', 'Identities'\\)"
    ):
        read_file(path, sheet="Nope")


def test_workbook_rows_keep_absolute_positions(make_xlsx):
    from openpyxl import load_workbook

    path = make_xlsx({"S": [["x"]]})
    book = load_workbook(path)
    sheet = book["S"]
    sheet.delete_rows(1)
    sheet["C4"] = "id"
    book.save(path)
    rows = read_file(path).sheets[0].rows
    assert rows[3][2] == "id"


def test_not_a_workbook(tmp_path):
    png = tmp_path / "inventory.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(IngestError, match="inventory.xlsx is not an Excel workbook"):
        read_file(png)


def test_binary_file_with_csv_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\x00\x01\x02binary" * 10)
    with pytest.raises(
        IngestError, match="export.csv is neither a workbook .* nor a CSV text file"
    ):
        read_file(path)


def test_old_excel_and_empty_and_missing_files(tmp_path):
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(IngestError, match="old binary Excel file"):
        read_file(old)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="empty.xlsx is empty"):
        read_file(empty)
    with pytest.raises(IngestError, match="nope.csv: no such file"):
        read_file(tmp_path / "nope.csv")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(IngestError, match="zip archive but not an Excel workbook"):
        read_file(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_workbook(make_xlsx, tmp_path, keep):
    path = make_xlsx({"Systems": [["id", "name"]] + [[f"A{i}", "x" * 50] for i in range(300)]})
    data = path.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(IngestError, match="cut.xlsx"):
        read_file(cut)


def _bomb(path, unpacked_mb: int) -> None:
    """Write a workbook-shaped zip whose sheet XML expands to ``unpacked_mb`` megabytes."""
    chunk = b"<!-- padding -->" * 65536  # 1 MiB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(unpacked_mb):
                sheet.write(chunk)


def test_decompression_bomb_refused_from_declared_sizes(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 300)
    assert path.stat().st_size < 5 * 1024 * 1024
    with pytest.raises(IngestError, match="would expand to 300.0 MB.*decompression bomb"):
        read_file(path)


def test_decompression_bomb_under_a_lower_cap(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 3)
    with pytest.raises(IngestError, match="more than the 2.0 MB allowed"):
        read_file(path, limits=Limits(max_unpacked_bytes=2 * 1024 * 1024))


def test_part_that_lies_about_its_size_is_refused(make_xlsx, tmp_path):
    path = make_xlsx({"Systems": [["id", "name"]] + [[f"A{i}", "y" * 40] for i in range(500)]})
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name.decode())
    # Shrink the declared size in the central directory and the local header to 100 bytes.
    for signature, size_offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_offset = 46 if signature == b"PK\x01\x02" else 30
            if data[start + name_offset : start + name_offset + len(name)] == name:
                struct.pack_into("<I", data, start + size_offset, 100)
            start += 4
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(bytes(data))
    assert info.file_size > 100
    with pytest.raises(IngestError, match="lying.xlsx is damaged or truncated"):
        read_file(lying)


def test_row_cap_on_csv_and_workbook(make_csv, make_xlsx):
    rows = [["id"]] + [[f"A{i}"] for i in range(500)]
    limits = Limits(max_rows=100, header_search_rows=5)
    with pytest.raises(IngestError, match="more than the 100 rows an import accepts"):
        read_file(make_csv(rows), limits=limits)
    with pytest.raises(IngestError, match="reaches row 501, beyond the 100 rows"):
        read_file(make_xlsx({"Systems": rows}), limits=limits)


def test_huge_csv_field_refuses_the_file(make_csv):
    path = make_csv([["id", "notes"], ["A", "x" * 2_000_000]])
    with pytest.raises(IngestError, match="the CSV cannot be read"):
        read_file(path)


def test_formula_cells_are_found(make_xlsx):
    path = make_xlsx({"Systems": [["id", "review_due"], ["A", "=TODAY()"], ["B", "2025-01-01"]]})
    raw = read_file(path)
    assert raw.sheets[0].formula_cells == {(1, 1)}


@pytest.mark.parametrize(("cell", "message"), [("XFD1048576", "reaches row 1,048,576"),
                                               ("ZZZ2", "reaches column 18,278")])  # fmt: skip
def test_far_apart_cells_are_refused_before_calamine_allocates(make_xlsx, cell, message):
    # A 5 KB file with cells at A1 and XFD1048576 makes python-calamine allocate a dense block
    # of terabytes and abort the process; the reader must refuse it first. The check runs in a
    # child process with capped memory so that a regression fails cleanly.
    from openpyxl import load_workbook

    path = make_xlsx({"AI systems": [["id"], ["x"]]})
    book = load_workbook(path)
    book["AI systems"][cell] = "far away"
    book.save(path)
    code = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
        from app.ingest.readers import read_file
        from app.ingest.problems import IngestError
        try:
            read_file({str(path)!r})
        except IngestError as exc:
            print(exc)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert message in done.stdout


def _honest_register(make_xlsx, rows: int):
    """A register with varied values, compressing as real spreadsheet data does."""
    header = ["id", "name", "owner", "purpose"]
    body = [
        [f"AIS-{i:06d}", f"system {i * 7919 % 100_003}", f"owner{i % 97}@example.com", hex(i**3)]
        for i in range(rows)
    ]
    return make_xlsx({"Systems": [header, *body]})


def test_a_large_honest_register_is_told_from_a_bomb_by_its_compression_ratio(make_xlsx, tmp_path):
    honest = _honest_register(make_xlsx, 30_000)
    with zipfile.ZipFile(honest) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    floor = 1024 * 1024
    assert sheet.file_size > floor  # big enough for the ratio to be judged
    limits = Limits(ratio_floor_bytes=floor)
    assert len(read_file(honest, limits=limits).sheets[0].rows) == 30_001
    bomb = tmp_path / "bomb.xlsx"
    _bomb(bomb, sheet.file_size // (1024 * 1024) + 1)
    with pytest.raises(IngestError, match=r"in its part xl/worksheets/sheet1\.xml \([\d,]+ times"):
        read_file(bomb, limits=limits)


def test_a_sheet_is_checked_without_being_held_whole_in_memory(make_xlsx):
    import tracemalloc

    from app.ingest import xlsx

    path = _honest_register(make_xlsx, 60_000)
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        tracemalloc.start()
        xlsx.scan_workbook(archive, "register.xlsx", ["Systems"], Limits())
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < size / 2, f"scanning a {size:,}-byte sheet peaked at {peak:,} bytes"
