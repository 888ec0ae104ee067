"""A small streaming .xlsx writer for generated benchmark workbooks.

openpyxl's write-only mode spends most of its time building one cell object per value; a
register of a million rows takes minutes. This writer streams each sheet's XML straight into
the zip: text as inline strings, numbers as numbers, dates as serial numbers with a date style,
as Excel itself stores them. Only what the benchmarks write is supported.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from app.ingest.xlsx import column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_EPOCH = dt.date(1899, 12, 30)
_BATCH = 2_000


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _sheet_rows(rows: Iterable[list[object]], letters: list[str]) -> Iterable[str]:
    for number, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(row))
        yield f'<row r="{number}">{cells}</row>'


def _write_sheet(archive: zipfile.ZipFile, part: str, rows: Iterable[list[object]]) -> None:
    letters = [column_letter(i) for i in range(64)]
    with archive.open(part, "w", force_zip64=True) as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
                  .encode())  # fmt: skip
        batch: list[str] = []
        for line in _sheet_rows(rows, letters):
            batch.append(line)
            if len(batch) >= _BATCH:
                out.write("".join(batch).encode())
                batch.clear()
        out.write(("".join(batch) + "</sheetData></worksheet>").encode())


def write_workbook(path: Path, sheets: Mapping[str, tuple[list[str], Iterable[list]]]) -> None:
    """Write ``sheets`` (title → (headers, rows)) to a new .xlsx workbook at ``path``."""
    titles = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(titles) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name="{escape(t)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, t in enumerate(titles, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(titles) + 1)
        )
        styles_id = len(titles) + 1
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">{links}'
            f'<Relationship Id="rId{styles_id}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
            'xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        for number, title in enumerate(titles, start=1):
            headers, rows = sheets[title]
            _write_sheet(archive, f"xl/worksheets/sheet{number}.xml", _chain([list(headers)], rows))


def _chain(first: list[list[object]], rest: Iterable[list]) -> Iterable[list[object]]:
    yield from first
    yield from rest
