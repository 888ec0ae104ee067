"""Turn cell values as clients write them into canonical values.

Each normaliser takes a cell as read (text, number, date, boolean or empty) and returns the
canonical value, or raises :class:`BadValue` with a reason the user can read. Empty cells give
the field's empty value (``""``, ``None`` or ``[]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

from app.ingest.fields import BOOL, DATE, EMAIL, ENUM, ID, IDS, LIST, TEXT, FieldSpec, header_key
from app.ingest.problems import quote
from app.ingest.vocabulary import (
    is_unrecorded,
    lookup,
    option_texts,
    vocabulary,
    vocabulary_key,
)

logger = logging.getLogger(__name__)


class BadValue(ValueError):  # noqa: N818 - reads as what the cell is
    """A cell value that cannot be read as what its column holds; the message is the reason."""


Normaliser = Callable[[Any], Any]

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 9999-12-31
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_NAMED_EMAIL = re.compile(r"^\s*\"?([^<>\"]*?)\"?\s*<\s*([^<>]+?)\s*>\s*$")
_SPLIT = re.compile(r"[;,\n\r]+")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:[ T].*)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[ T].*)?$")
_NAMED_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")
_TRUE = frozenset(
    header_key(w)
    for w in ("yes", "y", "true", "1", "x", "required", "enabled", "on", "ja", "oui")
) | {"✓", "✔", "☑"}  # fmt: skip
_FALSE = frozenset(
    header_key(w)
    for w in ("no", "n", "false", "0", "not required", "disabled", "off", "nein", "non")
)  # fmt: skip


def is_blank(value: Any) -> bool:
    """Return True for an empty cell (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """Return a cell as trimmed text: whole numbers without ``.0``, dates as ISO text."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value).strip()


def split_email(value: Any) -> tuple[str | None, str]:
    """Read an e-mail cell, which may be ``Name <address>``.

    Returns:
        The address (lower case) or None when empty, and the name when the cell gave one.

    Raises:
        BadValue: The cell does not hold an e-mail address.
    """
    text = as_text(value)
    if not text:
        return None, ""
    name = ""
    named = _NAMED_EMAIL.match(text)
    if named:
        name, text = named.group(1).strip(), named.group(2)
    text = text.strip().lower().removeprefix("mailto:")
    if not _EMAIL.match(text):
        raise BadValue(f"{quote(as_text(value))} is not an e-mail address")
    return text, name


def split_owner(value: Any) -> tuple[str | None, str]:
    """Read an owner cell: an e-mail, ``Name <address>`` or only a name.

    Returns:
        The address (lower case) or None, and the name when the cell gave one.

    Raises:
        BadValue: The cell looks like an e-mail address but is not one.
    """
    text = as_text(value)
    if is_unrecorded(text):
        return None, ""
    if "@" not in text:
        return None, " ".join(text.split())
    return split_email(value)


def _email(value: Any) -> str | None:
    return split_email(value)[0]


def _text(value: Any) -> str:
    return as_text(value)


def _items(value: Any) -> list[str]:
    text = as_text(value)
    if not text:
        return []
    if "," not in text and ";" not in text and "\n" not in text and "\r" not in text:
        return [text]
    items: list[str] = []
    seen: set[str] = set()
    for part in _SPLIT.split(text):
        part = part.strip()
        if part and part not in seen:
            seen.add(part)
            items.append(part)
    return items


class Copying:
    """A memoised list-valued normaliser that hands each caller its own list.

    Attributes:
        remembered: The memo the lists are copied from.
    """

    __slots__ = ("remembered",)

    def __init__(self, function: Callable[[Any], list[str]]) -> None:
        self.remembered = memoised(function)

    def __call__(self, value: Any) -> list[str]:
        """Return the list the cell reads as, a copy of its own."""
        return list(self.remembered(value))


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    for option in option_texts(as_text(value)):
        key = vocabulary_key(option)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    if is_unrecorded(as_text(value)):
        return None
    raise BadValue(f"{quote(value)} is not yes or no")


def excel_serial(serial: float) -> dt.date:
    """Return the date of an Excel serial day number (1900 date system)."""
    if not 1 <= serial <= _MAX_SERIAL:
        raise BadValue(f"{quote(as_text(serial))} is not a date")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool | dt.time | dt.timedelta):
        raise BadValue(f"{quote(as_text(value))} is not a date")
    if isinstance(value, int | float):
        return excel_serial(value)
    text = as_text(value)
    if is_unrecorded(text):
        return None
    parsed = _parse_date_text(text)
    if parsed is None:
        raise BadValue(f"{quote(text)} is not a date")
    return parsed


def _parse_date_text(text: str) -> dt.date | None:
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        stamp = None
    if stamp is not None:
        return _date(stamp)
    for pattern, order in ((_DAY_FIRST, (3, 2, 1)), (_YEAR_FIRST, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            year += 2000 if year < 100 else 0
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    if text.isdigit():
        if len(text) == 8:
            try:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                return None
        if len(text) == 5:
            return excel_serial(int(text))
        return None
    cleaned = text.replace(",", " ").replace(".", " ")
    cleaned = " ".join(cleaned.split())
    for fmt in _NAMED_MONTH_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _enum_normaliser(fspec: FieldSpec) -> Normaliser:
    assert fspec.enum is not None
    table = vocabulary(fspec.enum)
    label = fspec.name.replace("_", " ")
    choices = ", ".join(member.value for member in fspec.enum)

    def normalise(value: Any) -> str | None:
        text = as_text(value)
        if not text:
            return None
        found = lookup(table, text)
        if found is None and is_unrecorded(text):
            return None
        if found is None:
            raise BadValue(f"{quote(text)} is not a known {label} (use {choices})")
        return found

    return normalise


_BY_KIND: dict[str, Normaliser] = {
    TEXT: _text,
    ID: _text,
    EMAIL: _email,
    DATE: _date,
    LIST: _items,
    IDS: _items,
    BOOL: _bool,
}


class _Store(dict[Any, Any]):
    """A memo's table: a missing entry is computed, and kept while the table has room."""

    __slots__ = ("compute", "size")

    def __init__(self, compute: Callable[[Any], Any], size: int) -> None:
        super().__init__()
        self.compute, self.size = compute, size

    def __missing__(self, key: Any) -> Any:
        found = self.compute(key)
        if len(self) < self.size:
            self[key] = found
        return found


class Remembered:
    """A function remembering its results for up to ``size`` distinct cells of each table.

    Text cells, the common case, are keyed by the text alone (:attr:`texts`); other cells by
    their type and value (:attr:`others`: 1, 1.0 and True are equal keys otherwise). A whole
    column of one type can be looked up in C through the tables' ``__getitem__``.

    Attributes:
        function: The function remembered.
        texts: Text cell → result.
        others: ``(type, value)`` → result.
    """

    __slots__ = ("function", "texts", "others")

    def __init__(self, function: Callable[[Any], Any], size: int) -> None:
        self.function = function
        self.texts = _Store(function, size)
        self.others = _Store(lambda key: function(key[1]), size)

    def __call__(self, value: Any) -> Any:
        """Return the function's result for a cell, remembered when seen before."""
        if value.__class__ is str:
            return self.texts[value]
        try:
            return self.others[(type(value), value)]
        except TypeError:  # an unhashable cell: nothing to remember
            return self.function(value)


def memoised(function: Callable[[Any], Any], size: int = 20_000) -> Remembered:
    """Return ``function`` remembering its results for up to ``size`` distinct cells.

    Columns of owners, vocabularies and dates repeat the same few values over thousands of rows;
    failures are not remembered (they raise each time, so every row gets its problem).
    """
    return Remembered(function, size)


def normaliser(fspec: FieldSpec) -> Normaliser:
    """Return the function that normalises cells of this field.

    Fields with few distinct values (vocabularies, e-mails, dates, yes/no) are memoised; each call
    returns a fresh memo, so its cache lives as long as the reading of one sheet.
    """
    if fspec.kind == ENUM:
        return memoised(_enum_normaliser(fspec))
    if fspec.kind in (EMAIL, DATE, BOOL):
        return memoised(_BY_KIND[fspec.kind])
    if fspec.kind in (LIST, IDS):
        return Copying(_BY_KIND[fspec.kind])
    return _BY_KIND[fspec.kind]


def empty_value(fspec: FieldSpec) -> Any:
    """Return the value an empty cell of this field stands for."""
    if fspec.kind in (TEXT, ID):
        return ""
    if fspec.kind in (LIST, IDS):
        return []
    return None
