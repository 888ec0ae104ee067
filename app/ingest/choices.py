"""The user's choices for reading a register: value mappings and the id rule.

A value mapping says what a cell's text means in one column (``Autonomy:Advisory only=advisory``);
an empty meaning leaves the field unrecorded. The id rule says how a row without an id gets
one: from one column or several joined (``Business unit+Name``), or ``generated`` from the
row's name, so the same rule on the next import finds the same records.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.ingest.fields import header_key
from app.ingest.problems import IngestError
from app.ingest.records import Record
from app.ingest.vocabulary import vocabulary_key

logger = logging.getLogger(__name__)

GENERATED = "generated"
#: What a value mapping may say to leave the field unrecorded.
UNRECORDED_TARGETS = frozenset({"", "-", "unrecorded", "unknown", "none", "blank"})
_PREFIX = {"systems": "AIS", "identities": "NHI", "resources": "RES"}


@dataclass(frozen=True)
class ValueMap:
    """Value mappings by column: header key → value key → canonical text ('' = unrecorded).

    Attributes:
        columns: The mappings, keyed for lookup.
        written: The mappings as the user wrote them (``Column:Text=value``), for profiles.
    """

    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    written: tuple[str, ...] = ()

    def for_column(self, header: str) -> dict[str, str]:
        """Return the mappings of one column (empty when it has none)."""
        return self.columns.get(header_key(header), {})


def parse_values(pairs: Mapping[str, str] | Iterable[str] | None) -> ValueMap:
    """Read value mappings written ``Column:Text=value`` (or ``{"Column:Text": "value"}``).

    Raises:
        IngestError: A mapping lacks its column, its text or its ``=``.
    """
    if not pairs:
        return ValueMap()
    items = pairs.items() if isinstance(pairs, Mapping) else [_split(p) for p in pairs]
    columns: dict[str, dict[str, str]] = {}
    written = []
    for left, target in items:
        column, sep, text = str(left).partition(":")
        if not sep or not header_key(column) or not text.strip():
            raise IngestError(
                f"value mapping {left}={target} should read COLUMN:TEXT=VALUE "
                "(e.g. 'Autonomy:Advisory only=advisory'; an empty VALUE leaves it unrecorded)"
            )
        meaning = "" if target.strip().lower() in UNRECORDED_TARGETS else target.strip()
        columns.setdefault(header_key(column), {})[vocabulary_key(text)] = meaning
        written.append(f"{column.strip()}:{text.strip()}={meaning}")
    return ValueMap(columns, tuple(written))


def _split(pair: str) -> tuple[str, str]:
    left, sep, target = str(pair).rpartition("=")
    if not sep:
        raise IngestError(f"value mapping {pair!r} should read COLUMN:TEXT=VALUE")
    return left, target


@dataclass(frozen=True)
class IdRule:
    """How a row without an id gets one.

    Attributes:
        columns: The headers whose cells, joined with `` / ``, give the id; empty for a
            generated id.
        chosen: True when the user chose the rule (a sheet without an id column is then read
            when it has the rule's columns).
    """

    columns: tuple[str, ...] = ()
    chosen: bool = False

    @property
    def text(self) -> str:
        """Return the rule as written (``generated`` or ``Column+Column``)."""
        return "+".join(self.columns) if self.columns else GENERATED

    def describe(self) -> str:
        """Return the rule in words, for messages."""
        if not self.columns:
            return "generated from the row's name"
        return "made of " + " + ".join(repr(c) for c in self.columns)


def parse_id_rule(text: str | None) -> IdRule:
    """Read an id rule: ``generated``, a column header, or headers joined with ``+``.

    Raises:
        IngestError: The rule names an empty column.
    """
    if text is None or not str(text).strip():
        return IdRule()
    if header_key(text) == GENERATED:
        return IdRule((), chosen=True)
    columns = tuple(part.strip() for part in str(text).split("+"))
    if not all(header_key(c) for c in columns):
        raise IngestError(
            f"id rule {text!r} should be 'generated', a column, or columns joined with + "
            "(e.g. 'Business unit+Name')"
        )
    return IdRule(columns, chosen=True)


def rule_id(record: Record, rule: IdRule) -> str:
    """Return the id a rule gives a record already read (from its fields or custom columns).

    Used for a row repeating another row's id with other values; empty when the rule's
    columns are empty on the row, or a generated id has no name to start from.
    """
    if rule.columns:
        by_header = {header_key(h): f for f, h in record.headers.items()}
        attributes = {header_key(h): v for h, v in record.attributes.items()}
        parts = []
        for column in rule.columns:
            key = header_key(column)
            value = record.values.get(by_header[key]) if key in by_header else attributes.get(key)
            if value not in ("", None):
                parts.append(str(value))
        return " / ".join(parts)
    name = record.values.get("name") or ""
    unit = record.values.get("business_unit") or ""
    return generated_id(record.entity, [name, unit]) if name else ""


def generated_id(entity: str, parts: Iterable[str]) -> str:
    """Return a stable id for a record from the texts that name it (same texts, same id)."""
    seed = "\x1f".join(" ".join(p.split()).casefold() for p in parts)
    digest = hashlib.sha256(seed.encode()).hexdigest()[:8].upper()
    return f"{_PREFIX.get(entity, 'REC')}-{digest}"
