"""Read a user's own question set from a spreadsheet (.xlsx, .xls, .ods) with python-calamine.

The first non-empty row is the header. Columns are matched by name, ignoring case and spaces:
``ID``, ``Section`` and ``Question`` are required; ``Guidance``, ``Weight`` (default 1),
``Evidence`` (items separated by new lines or ``;``) and ``Title`` are optional. Each section
becomes a leaf node; question ids become ``<framework-id>.<ID>`` so they cannot collide with
another framework's. Every row problem is reported at once, naming sheet, row and column.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalog.errors import CatalogError, Problem
from app.catalog.loader import problems_from_validation
from app.catalog.schema import Framework
from app.support.text import plural

logger = logging.getLogger(__name__)

COLUMNS = ("ID", "Section", "Question", "Guidance", "Weight", "Evidence", "Title")
REQUIRED_COLUMNS = ("ID", "Section", "Question")
DEFAULT_EVIDENCE = "Records or documents that show the practice is in place"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FIELD_COLUMN = {
    "id": "ID",
    "ref": "ID",
    "node": "Section",
    "prompt": "Question",
    "title": "Title",
    "guidance": "Guidance",
    "weight": "Weight",
    "evidence": "Evidence",
}


def default_framework_id(path: Path) -> str:
    """Return the framework id a spreadsheet gets when none is given: ``custom-<file name>``."""
    return "custom-" + (_slug(path.stem) or "set")


def read_excel_framework(
    path: Path,
    *,
    framework_id: str | None = None,
    version: str | None = None,
    title: str | None = None,
    sheet: str | None = None,
) -> Framework:
    """Read a custom question set from a spreadsheet.

    Args:
        path: The workbook.
        framework_id: The framework id; ``custom-<file name>`` by default.
        version: The version text; "1" by default.
        title: The title; the file name by default.
        sheet: The sheet to read; the first one by default.

    Returns:
        The framework, marked custom, with ``sha256`` of the workbook's bytes.

    Raises:
        CatalogError: With every problem found ("file.xlsx, sheet S, row 7, column Weight: ...").
    """
    data = _read(path)
    sheet_name, rows = _sheet_rows(path, data, sheet)
    reader = _SheetReader(path.name, sheet_name, rows)
    raw = reader.framework_data(
        framework_id or default_framework_id(path), version or "1", title or path.stem
    )
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(path.name, reader.map_problems(exc), separator=", ") from exc
    digest = hashlib.sha256(data).hexdigest()
    return framework.set_origin(sha256=digest, source_name=path.name, custom=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(
            path.name, [Problem("", f"cannot read the file: {exc.strerror}")]
        ) from exc


def _sheet_rows(path: Path, data: bytes, sheet: str | None) -> tuple[str, list[list[Any]]]:
    import io

    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        if not names:
            raise CatalogError(path.name, [Problem("", "the workbook has no sheets")])
        name = sheet if sheet is not None else names[0]
        if name not in names:
            listed = ", ".join(names)
            raise CatalogError(path.name, [Problem("", f"no sheet {name!r} (sheets: {listed})")])
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        problem = Problem("", f"cannot read the workbook: {exc}")
        raise CatalogError(path.name, [problem]) from exc
    return name, rows


class _SheetReader:
    """Turns the rows of one sheet into framework data, keeping each question's row."""

    def __init__(self, source: str, sheet: str, rows: list[list[Any]]) -> None:
        self.source, self.sheet, self.rows = source, sheet, rows
        self.problems: list[Problem] = []
        self.columns: dict[str, int] = {}
        self.question_rows: list[int] = []

    def _where(self, row: int, column: str | None = None) -> str:
        cell = f", column {column}" if column else ""
        return f"sheet {self.sheet}, row {row}{cell}"

    def _fail(self) -> CatalogError:
        return CatalogError(self.source, self.problems, separator=", ")

    def framework_data(self, framework_id: str, version: str, title: str) -> dict[str, Any]:
        header_index = self._find_header()
        sections: dict[str, str] = {}
        questions: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for index in range(header_index + 1, len(self.rows)):
            values = self._values(self.rows[index])
            if not any(values.values()):
                continue
            question = self._question(index + 1, values, seen, sections, framework_id)
            if question is not None:
                questions.append(question)
                self.question_rows.append(index + 1)
        if not questions and not self.problems:
            self.problems.append(Problem(self._where(header_index + 1), "no questions below"))
        if self.problems:
            raise self._fail()
        nodes = [{"id": nid, "kind": "section", "title": name} for name, nid in sections.items()]
        return {
            "schema_version": 1,
            "id": framework_id,
            "version": version,
            "title": title,
            "source_note": f"custom question set read from {self.source}",
            "nodes": nodes,
            "questions": questions,
        }

    def _find_header(self) -> int:
        for index, row in enumerate(self.rows):
            cells = [_text(cell) for cell in row]
            if not any(cells):
                continue
            known = {name.lower().replace(" ", ""): name for name in COLUMNS}
            for position, cell in enumerate(cells):
                name = known.get(cell.lower().replace(" ", ""))
                if name and name not in self.columns:
                    self.columns[name] = position
            missing = [name for name in REQUIRED_COLUMNS if name not in self.columns]
            if missing:
                found = ", ".join(c for c in cells if c) or "nothing"
                columns = plural(len(missing), "column", number=False)
                message = f"missing {columns} {', '.join(missing)} (found: {found})"
                self.problems.append(Problem(self._where(index + 1), message))
                raise self._fail()
            return index
        self.problems.append(Problem(f"sheet {self.sheet}", "the sheet is empty"))
        raise self._fail()

    def _values(self, row: list[Any]) -> dict[str, Any]:
        return {
            name: (row[position] if position < len(row) else None)
            for name, position in self.columns.items()
        }

    def _question(
        self,
        row: int,
        values: dict[str, Any],
        seen: dict[str, int],
        sections: dict[str, str],
        framework_id: str,
    ) -> dict[str, Any] | None:
        start = len(self.problems)
        ref, section, prompt = (_text(values.get(c)) for c in ("ID", "Section", "Question"))
        if not ref:
            self.problems.append(Problem(self._where(row, "ID"), "empty"))
        elif not _ID_RE.match(ref):
            message = (
                f"{ref!r} must start with a letter or digit and use only letters, digits, . - _"
            )
            self.problems.append(Problem(self._where(row, "ID"), message))
        elif ref in seen:
            self.problems.append(Problem(self._where(row, "ID"), f"duplicate of row {seen[ref]}"))
        else:
            seen[ref] = row
        for column, value in (("Section", section), ("Question", prompt)):
            if not value:
                self.problems.append(Problem(self._where(row, column), "empty"))
        weight = self._weight(row, values.get("Weight"))
        if len(self.problems) > start:
            return None
        node_id = sections.setdefault(section, _section_id(section, len(sections) + 1, sections))
        evidence = [p.strip() for p in re.split(r"[;\n]", _text(values.get("Evidence")))]
        return {
            "id": f"{framework_id}.{ref}",
            "ref": ref,
            "title": _text(values.get("Title")) or _shorten(prompt),
            "node": node_id,
            "weight": weight,
            "prompt": prompt,
            "guidance": _text(values.get("Guidance")),
            "evidence": [item for item in evidence if item] or [DEFAULT_EVIDENCE],
        }

    def _weight(self, row: int, value: Any) -> float:
        if value is None or _text(value) == "":
            return 1.0
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = float(value)
        else:
            try:
                number = float(_text(value))
            except ValueError:
                number = None
        if number is None:
            self.problems.append(Problem(self._where(row, "Weight"), "not a number"))
            return 1.0
        if not 0 < number <= 10:
            message = f"{number:g} is out of range (more than 0, at most 10)"
            self.problems.append(Problem(self._where(row, "Weight"), message))
        return number

    def map_problems(self, exc: ValidationError) -> list[Problem]:
        """Place the schema's remaining complaints on the rows and columns they came from."""
        mapped = []
        for problem in problems_from_validation(exc):
            match = re.match(r"^questions\[(\d+)\]\.(\w+)", problem.location)
            if match and int(match.group(1)) < len(self.question_rows):
                row = self.question_rows[int(match.group(1))]
                column = _FIELD_COLUMN.get(match.group(2), match.group(2))
                mapped.append(Problem(self._where(row, column), problem.message))
            else:
                mapped.append(Problem(f"framework {problem.location}", problem.message))
        return mapped


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _section_id(section: str, number: int, taken: dict[str, str]) -> str:
    slug = _slug(section)[:40].strip("-")
    if not slug or slug in taken.values():
        slug = f"section-{number}"
    return slug


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
