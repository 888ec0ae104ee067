"""Read an inventory file into raw sheets: workbooks through python-calamine, CSV by hand.

CSV files are decoded as UTF-8 (with or without a byte-order mark), UTF-16 with a mark, or the
legacy encoding charset-normalizer detects for that file; damaged UTF-8 is refused rather than
misread. Control characters are removed from every cell. Rows are split on whichever of comma,
semicolon or tab gives the most regular rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from app.ingest import xlsx
from app.ingest.limits import DEFAULT_LIMITS, Limits, megabytes
from app.ingest.problems import IngestError
from app.ingest.xlsx import RawSheet

logger = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class RawFile:
    """The sheets read from one file.

    Attributes:
        name: The file name (no folder), used in every message.
        kind: ``xlsx`` or ``csv``.
        sheets: The sheets, in file order.
        encoding: The text encoding of a CSV file.
        delimiter: The field separator of a CSV file.
    """

    name: str
    kind: str
    sheets: list[RawSheet]
    encoding: str = ""
    delimiter: str = ""


def read_file(
    path: Path, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS, lazy: bool = False
) -> RawFile:
    """Read a workbook or CSV file into raw sheets.

    Args:
        path: The file to read.
        sheet: Read only this sheet of a workbook.
        limits: Caps on size, rows, columns and cells.
        lazy: Check a workbook now but read each sheet's cells only when they are first used
            (see :meth:`RawSheet.release`); a CSV file is read at once.

    Returns:
        The raw sheets of the file.

    Raises:
        IngestError: The file is missing, of an unknown kind, damaged, unsafe or too large.
    """
    path = Path(path)
    display = path.name
    if not path.is_file():
        raise IngestError(f"{display}: no such file")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise IngestError(
            f"{display} is {megabytes(size)}, more than the {megabytes(limits.max_file_bytes)} "
            "an inventory file may have"
        )
    with path.open("rb") as stream:
        head = stream.read(8)
    if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in WORKBOOK_SUFFIXES:
        if not head.startswith(_ZIP_MAGIC):
            raise IngestError(_not_a_workbook(display, head))
        return _read_workbook(path, display, sheet, limits, lazy)
    if head.startswith(_OLE_MAGIC):
        raise IngestError(
            f"{display} is an old binary Excel file (.xls); save it as .xlsx or CSV and retry"
        )
    return _read_csv(path, display, sheet, limits)


def _not_a_workbook(display: str, head: bytes) -> str:
    if head.startswith(_OLE_MAGIC):
        return f"{display} is an old binary or encrypted Excel file; save it as .xlsx and retry"
    if not head:
        return f"{display} is empty"
    return f"{display} is not an Excel workbook (.xlsx/.xlsm): its content is of another kind"


def _read_workbook(
    path: Path, display: str, only: str | None, limits: Limits, lazy: bool
) -> RawFile:
    from python_calamine import SheetTypeEnum

    with xlsx.check_zip(path, display, limits) as archive:
        book = _open_book(path, display)
        names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        try:
            if only is not None:
                if only not in names:
                    listed = ", ".join(repr(n) for n in names) or "none"
                    raise IngestError(f"{display} has no sheet {only!r} (its sheets: {listed})")
                names = [only]
            formulas = xlsx.scan_workbook(archive, display, names, limits)
        except IngestError:
            book.close()
            raise
    if lazy:
        book.close()
        sheets = _LazySheets(path, display, limits, names)
        return RawFile(display, "xlsx", [
            RawSheet(name, None, formulas.get(name, set()), loader=partial(sheets.rows, name))
            for name in names
        ])  # fmt: skip
    try:
        read = [
            _sheet_rows(_parse_sheet(book, name, display), name, display, limits) for name in names
        ]
    finally:
        book.close()
    pairs = zip(names, read, strict=True)
    return RawFile(display, "xlsx", [RawSheet(n, r, formulas.get(n, set())) for n, r in pairs])


def _open_book(path: Path, display: str):  # noqa: ANN202 - python-calamine has no stubs
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise IngestError(f"{display} cannot be read as a workbook ({exc})") from exc
    except Exception as exc:  # calamine raises plain errors for some broken parts
        raise IngestError(f"{display} is damaged or truncated ({exc})") from exc


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


class _LazySheets:
    """The sheets of a checked workbook, each read when it is first used.

    When a sheet is read, the next one is parsed meanwhile in a background thread
    (python-calamine parses without holding the interpreter), so parsing a sheet overlaps the
    work on the rows of the one before. A sheet is refused if the file changed since it was
    checked.
    """

    def __init__(self, path: Path, display: str, limits: Limits, names: list[str]) -> None:
        self.path, self.display, self.limits, self.names = path, display, limits, names
        self.stamp = _stamp(path)
        self.ahead: dict[str, _Parsing] = {}

    def rows(self, name: str) -> list[list[Any]]:
        """Return the cells of a sheet, and start parsing the next one."""
        parsing = self.ahead.pop(name, None)
        sheet = parsing.result() if parsing is not None else self._parse(name)
        following = self.names.index(name) + 1
        if following < len(self.names) and self.names[following] not in self.ahead:
            self.ahead[self.names[following]] = _Parsing(
                partial(self._parse, self.names[following])
            )
        return _sheet_rows(sheet, name, self.display, self.limits)

    def _parse(self, name: str) -> Any:
        if not self.path.is_file() or _stamp(self.path) != self.stamp:
            raise IngestError(f"{self.display} changed while it was being read; import it again")
        book = _open_book(self.path, self.display)
        try:
            return _parse_sheet(book, name, self.display)
        finally:
            book.close()


class _Parsing:
    """Work done in a background thread; :meth:`result` waits for it and returns or raises."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._work = work
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sheet-parse", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as exc:  # handed to the thread that waits for the result
            self._error = exc

    def result(self) -> Any:
        """Wait for the work; return its value or raise its error."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _parse_sheet(book, name: str, display: str) -> Any:  # noqa: ANN001 - calamine has no stubs
    try:
        return book.get_sheet_by_name(name)
    except Exception as exc:  # calamine's errors carry the parser's reason
        raise IngestError(f"{display}, sheet {name!r} cannot be read ({exc})") from exc


def _sheet_rows(sheet, name: str, display: str, limits: Limits) -> list[list[Any]]:  # noqa: ANN001
    """Return a parsed sheet's cells from A1, control characters removed."""
    end = sheet.end
    if end is None:
        return []
    height, width = end[0] + 1, end[1] + 1
    if height > limits.max_rows + limits.header_search_rows:
        raise IngestError(
            f"{display}, sheet {name!r} has {height:,} rows, more than the "
            f"{limits.max_rows:,} an import accepts; split the file"
        )
    if width > limits.max_columns:
        raise IngestError(
            f"{display}, sheet {name!r} has {width:,} columns, more than the "
            f"{limits.max_columns:,} an import accepts"
        )
    rows: list[list[Any]] = []
    for cells in sheet.iter_rows():  # from the first row; from the sheet's first column
        row = cells if len(cells) == width else [""] * (width - len(cells)) + cells
        _clean_row(row)
        rows.append(row)
    if len(rows) < height:
        rows[:0] = [[""] * width for _ in range(height - len(rows))]
    return rows


def decode_text(data: bytes, display: str) -> tuple[str, str]:
    """Decode a text file's bytes, detecting the encoding of this file.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a mark are read strictly. Other
    bytes are handed to charset-normalizer. A file that is UTF-8 except for a few invalid
    bytes is refused (naming the first), rather than read as another encoding that would turn
    every accented letter into two wrong ones.

    Args:
        data: The file's bytes.
        display: The file name used in messages.

    Returns:
        The text and the encoding used.

    Raises:
        IngestError: The bytes are binary, damaged UTF-8, or fit no text encoding.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8", display), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", display), "utf-16"
    if b"\x00" in data[:_SNIFF_CHARS]:
        raise IngestError(
            f"{display} is neither a workbook (.xlsx/.xlsm) nor a CSV text file: "
            "its content is binary"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            raise IngestError(_bad_utf8(data, exc, display)) from exc
    return _detected(data, display)


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _strict(data: bytes, encoding: str, display: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(_bad_utf8(data, exc, display, encoding.upper())) from exc


def _bad_utf8(data: bytes, exc: UnicodeDecodeError, display: str, encoding: str = "UTF-8") -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    column = len(data[line_start : exc.start].decode(exc.encoding, errors="replace")) + 1
    return (
        f"{display}, line {line}, character {column}: byte 0x{data[exc.start]:02X} is not valid "
        f"{encoding} although the file is {encoding} text; nothing was imported (fix that "
        f"byte or save the file again as {encoding})"
    )


def _detected(data: bytes, display: str) -> tuple[str, str]:
    """Decode bytes of a legacy encoding, or refuse them.

    Windows-1252 comes first when its reading looks like ordinary text (charset-normalizer's
    own measure of "mess"): it is by far the most common legacy encoding of the spreadsheets
    Assay reads, and a short file fits many code pages equally well. Otherwise the encoding
    charset-normalizer finds is used, if its reading is clean.
    """
    from charset_normalizer import from_bytes  # deferred: only legacy files need it
    from charset_normalizer.md import mess_ratio

    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and mess_ratio(western, _MAX_MESS) < _MAX_MESS:
        return western, "cp1252"
    best = from_bytes(data).best()
    if best is None or best.chaos >= _MAX_MESS or best.encoding.startswith("utf"):
        raise IngestError(
            f"{display}: its bytes fit no text encoding; nothing was imported "
            "(save it as UTF-8 CSV or as a workbook)"
        )
    logger.info("%s: detected encoding %s", display, best.encoding)
    return str(best), best.encoding


_MAX_MESS = 0.2


#: Characters that have no place in a cell: controls (tab, line feed, carriage return stay) and
#: the bidirectional embeddings, overrides and isolates that make text read other than it is
#: stored ("Trojan source"); right-to-left text itself needs none of them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Remove control characters (escape sequences, NUL, bell...) from imported text."""
    return CONTROL_CHARACTERS.sub("", text) if CONTROL_CHARACTERS.search(text) else text


def _clean_row(row: list[Any]) -> None:
    """Remove control characters from a row's text cells, in place.

    Every character the pattern removes is unprintable, so a row whose text is all printable
    (nearly every row) is passed after one check.
    """
    if "".join([c for c in row if c.__class__ is str]).isprintable():
        return
    for index, cell in enumerate(row):
        if cell.__class__ is str and CONTROL_CHARACTERS.search(cell):
            row[index] = CONTROL_CHARACTERS.sub("", cell)


def sniff_delimiter(text: str) -> str:
    """Return the separator (comma, semicolon or tab) that splits the text most regularly."""
    sample = text[:_SNIFF_CHARS].splitlines()[:50]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(r)]
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        score = (wide.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, display: str, only: str | None, limits: Limits) -> RawFile:
    text, encoding = decode_text(path.read_bytes(), display)
    text = strip_controls(text)
    delimiter = sniff_delimiter(text)
    name = path.stem
    if only is not None and only != name:
        raise IngestError(
            f"{display} is a CSV file with one sheet, {name!r}; --sheet {only!r} does not match it"
        )
    csv.field_size_limit(max(limits.max_csv_field_bytes, limits.max_cell_chars + 1))
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limits.max_rows + limits.header_search_rows:
                raise IngestError(
                    f"{display} has more than the {limits.max_rows:,} rows an import accepts; "
                    "split the file"
                )
            if len(row) > limits.max_columns:
                raise IngestError(
                    f"{display}, row {reader.line_num} has {len(row):,} columns, more than the "
                    f"{limits.max_columns:,} an import accepts"
                )
    except csv.Error as exc:
        raise IngestError(
            f"{display}, around line {reader.line_num}: the CSV cannot be read ({exc})"
        ) from exc
    logger.info("read %s as CSV (%s, %r): %d rows", display, encoding, delimiter, len(rows))
    return RawFile(display, "csv", [RawSheet(name, rows)], encoding, delimiter)
