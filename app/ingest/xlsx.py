"""Reading .xlsx/.xlsm workbooks: zip safety checks, formula cells, then python-calamine.

Before python-calamine touches the file, the zip's declared sizes are checked against the caps
(a small file whose sheet XML expands enormously is refused), and every worksheet part is read
once through :mod:`zipfile`, which stops at the declared size and verifies the CRC, so a part
that lies about its size is refused too. That pass also finds formula cells: python-calamine
returns a formula's cached value and says nothing about the formula, so the importer flags them.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from app.ingest.limits import Limits, megabytes
from app.ingest.problems import IngestError

logger = logging.getLogger(__name__)

_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_FORMULA_HINTS = (b"<f", b":f")
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_READ_CHUNK = 1024 * 1024


class RawSheet:
    """The cells of one sheet as read, before any header is looked for.

    A workbook's sheet may be read lazily (``loader``): its cells are read on first use and
    :meth:`release` forgets them, so an import holds one large sheet's cells at a time.

    Attributes:
        name: The sheet name (a CSV file's name without its suffix).
        rows: The cells; ``rows[0]`` is spreadsheet row 1 and ``rows[r][0]`` column A.
        formula_cells: 0-based (row, column) positions of cells that hold a formula.
    """

    __slots__ = ("name", "formula_cells", "_rows", "_loader")

    def __init__(
        self,
        name: str,
        rows: list[list[Any]] | None = None,
        formula_cells: set[tuple[int, int]] | None = None,
        *,
        loader: Callable[[], list[list[Any]]] | None = None,
    ) -> None:
        self.name = name
        self.formula_cells = formula_cells if formula_cells is not None else set()
        self._rows = rows
        self._loader = loader

    def __repr__(self) -> str:
        return f"RawSheet({self.name!r}, {len(self.rows)} rows)"

    @property
    def rows(self) -> list[list[Any]]:
        """Return the cells, reading them first when the sheet is read lazily."""
        if self._rows is None:
            self._rows = self._loader() if self._loader is not None else []
        return self._rows

    @rows.setter
    def rows(self, rows: list[list[Any]]) -> None:
        self._rows = rows

    @property
    def lazy(self) -> bool:
        """Return True when the cells can be read again after :meth:`release`."""
        return self._loader is not None

    def release(self) -> None:
        """Forget the cells of a lazily read sheet (they are read again when asked for)."""
        if self._loader is not None:
            self._rows = None


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_position(ref: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(ref)
    if not match:
        return None
    col = 0
    for char in match.group(1):
        col = col * 26 + ord(char) - 64
    return int(match.group(2)) - 1, col - 1


def check_zip(path: Path, display: str, limits: Limits) -> zipfile.ZipFile:
    """Open a workbook's zip and refuse it when its declared content is too large.

    Args:
        path: The workbook file.
        display: The file name used in messages.
        limits: The caps to apply.

    Returns:
        The open zip file (the caller closes it).

    Raises:
        IngestError: The file is not a complete zip, not a workbook, or expands too far.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise IngestError(
            f"{display} is damaged or truncated: it is not a complete workbook"
        ) from exc
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        archive.close()
        raise IngestError(f"{display} holds {len(entries):,} parts; a workbook has far fewer")
    problem = _expansion_problem(entries, display, limits)
    if problem:
        archive.close()
        raise IngestError(problem)
    if "xl/workbook.xml" not in archive.namelist():
        archive.close()
        raise IngestError(f"{display} is a zip archive but not an Excel workbook (.xlsx/.xlsm)")
    return archive


def _expansion_problem(entries: list[zipfile.ZipInfo], display: str, limits: Limits) -> str:
    """Return why the zip's declared sizes look like a bomb rather than a large register."""
    for entry in entries:
        if entry.file_size < limits.ratio_floor_bytes:
            continue
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            return (
                f"{display} would expand to {megabytes(entry.file_size)} from "
                f"{megabytes(entry.compress_size)} in its part {entry.filename} ({ratio:,.0f} "
                f"times; spreadsheet data expands about 5 to 20 times); refused as unsafe "
                "(possible decompression bomb)"
            )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_unpacked_bytes:
        return (
            f"{display} would expand to {megabytes(unpacked)}, more than the "
            f"{megabytes(limits.max_unpacked_bytes)} allowed; refused as unsafe "
            "(possible decompression bomb)"
        )
    return ""


def _xml(archive: zipfile.ZipFile, name: str, display: str) -> ElementTree.Element:
    """Parse one XML part, refusing a damaged or malformed one in a sentence."""
    try:
        return ElementTree.fromstring(_read_part(archive, name, display))
    except ElementTree.ParseError as exc:
        raise IngestError(f"{display} is damaged: its part {name} is not valid XML") from exc


def sheet_parts(archive: zipfile.ZipFile, display: str = "the workbook") -> dict[str, str]:
    """Return the zip part of each worksheet, by sheet name.

    Raises:
        IngestError: The workbook's index parts are damaged or malformed.
    """
    workbook = _xml(archive, "xl/workbook.xml", display)
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_name in archive.namelist():
        for rel in _xml(archive, rels_name, display).findall(".//{*}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id", "")] = posixpath.normpath(path)
    parts: dict[str, str] = {}
    for sheet in workbook.findall(".//{*}sheet"):
        rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        if rel_id in targets:
            parts[sheet.get("name", "")] = targets[rel_id]
    return parts


def _read_part(archive: zipfile.ZipFile, name: str, display: str) -> bytes:
    """Read one part in full through zipfile, which stops at the declared size and checks CRC."""
    return b"".join(_part_chunks(archive, name, display))


def _part_chunks(archive: zipfile.ZipFile, name: str, display: str) -> Iterator[bytes]:
    """Yield one part in chunks; zipfile stops at the declared size and checks the CRC."""
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_READ_CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise IngestError(f"{display} is damaged or truncated ({name}: {exc})") from exc


class _ChunkStream(io.RawIOBase):
    """A readable file over a part's chunks, for a streaming XML parse."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            self._rest = next(self._chunks, b"")
            if not self._rest:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def _formula_positions(xml: IO[bytes]) -> set[tuple[int, int]]:
    """Return the positions of cells with a formula in one worksheet's XML (streamed)."""
    found: set[tuple[int, int]] = set()
    row, col = -1, -1
    for event, elem in ElementTree.iterparse(xml, events=("start", "end")):
        tag = elem.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "row":
            number = elem.get("r")
            row, col = (int(number) - 1 if number and number.isdigit() else row + 1), -1
        elif event == "start" and tag == "c":
            position = _cell_position(elem.get("r", ""))
            col = position[1] if position else col + 1
            row = position[0] if position else row
        elif event == "end" and tag == "f":
            found.add((row, col))
        elif event == "end" and tag in ("row", "c"):
            elem.clear()
    return found


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index


def _check_extent(xml: bytes, display: str, sheet: str, limits: Limits) -> None:
    """Refuse a sheet whose cells lie further apart than the caps allow.

    python-calamine holds a sheet as one dense block from its first cell to its last, so two
    cells at A1 and XFD1048576 in a 5 KB file would need terabytes. Only references long
    enough to pass a cap are extracted, so a normal sheet costs two quick scans.

    Raises:
        IngestError: A cell or row lies beyond the row or column cap.
    """
    max_rows = limits.max_rows + limits.header_search_rows
    row_digits = len(str(max_rows))
    col_letters = len(column_letter(limits.max_columns - 1))
    far_rows = re.findall(rb'r="[A-Z]{0,3}([0-9]{%d,})"' % row_digits, xml)
    rows = max(map(int, far_rows), default=0)
    if rows > max_rows:
        raise IngestError(
            f"{display}, sheet {sheet!r} reaches row {rows:,}, beyond the {limits.max_rows:,} "
            "rows an import accepts"
        )
    far_columns = set(re.findall(rb'r="([A-Z]{%d,})[0-9]' % col_letters, xml))
    columns = max(map(_column_index, far_columns), default=0)
    if columns > limits.max_columns:
        raise IngestError(
            f"{display}, sheet {sheet!r} reaches column {columns:,}, beyond the "
            f"{limits.max_columns:,} columns an import accepts"
        )


def scan_workbook(
    archive: zipfile.ZipFile, display: str, wanted: list[str], limits: Limits
) -> dict[str, set[tuple[int, int]]]:
    """Verify the parts python-calamine will read, check their extent, find formula cells.

    Args:
        archive: The workbook's zip, already size-checked.
        display: The file name used in messages.
        wanted: The sheet names that will be read.
        limits: The row and column caps.

    Returns:
        Formula cell positions by sheet name.

    Raises:
        IngestError: A part is missing, damaged, truncated, larger than it declares, or
            spans more rows or columns than allowed.
    """
    parts = sheet_parts(archive, display)
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" in names:
        for _chunk in _part_chunks(archive, "xl/sharedStrings.xml", display):
            pass  # verified against its declared size and CRC, never held whole
    formulas: dict[str, set[tuple[int, int]]] = {}
    for sheet in wanted:
        part = parts.get(sheet)
        if not part or part not in names:
            raise IngestError(f"{display}, sheet {sheet!r} is damaged: its part is missing")
        has_formulas = _scan_sheet(archive, part, display, sheet, limits)
        try:
            formulas[sheet] = (
                _formula_positions(_ChunkStream(_part_chunks(archive, part, display)))
                if has_formulas
                else set()
            )
        except ElementTree.ParseError as exc:
            raise IngestError(f"{display}, sheet {sheet!r} is damaged ({exc})") from exc
    return formulas


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, display: str, sheet: str, limits: Limits
) -> bool:
    """Stream one sheet: verify its bytes, check its extent, say whether it holds formulas.

    The sheet is never held whole in memory: chunks overlap by a few bytes so a cell reference
    or a formula tag cut by a chunk boundary is still seen.
    """
    overlap, tail, has_formulas = 64, b"", False
    for chunk in _part_chunks(archive, part, display):
        window = tail + chunk
        _check_extent(window, display, sheet, limits)
        if not has_formulas and any(h in window for h in _FORMULA_HINTS):
            has_formulas = _FORMULA_TAG.search(window) is not None
        tail = window[-overlap:]
    return has_formulas
