"""Gather what the readers of identity-platform exports find into one :class:`ParsedInventory`.

An export is read element by element (a role, a role assignment, a binding...). Each element's
records go in together, or, when something in it cannot be read, are rejected together with an
error naming the file and the JSON path; the element is then what a "row" is for a spreadsheet
(its :class:`Source` is the section and the element's 1-based position). Records met again are
merged: a principal named by many assignments is one identity, a resource one resource.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from app.domain.enums import Action
from app.domain.scopes import is_whole_scope
from app.ingest.fields import ENTITIES, GRANTS, RESOURCES
from app.ingest.problems import ERROR, WARNING, Problem, Source
from app.ingest.records import (
    DelegationRecord,
    GrantRecord,
    IdentityRecord,
    ParsedInventory,
    Record,
    ResourceRecord,
    SheetInfo,
)
from app.support.text import plural

logger = logging.getLogger(__name__)

#: Attribute names that hold lists merged (not replaced) when a record is met again.
_LIST_ATTRIBUTES = frozenset({"actions", "conditions", "denied_by", "via", "aliases", "roles"})
_MAX_LIST = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Collector:
    """Builds the records of one import from one or more export files.

    Args:
        name: The import's name for messages (the file or folder name).
        format: The format recorded for the import.
    """

    def __init__(self, name: str, format: str) -> None:  # noqa: A002 - the pipeline's word
        self.out = ParsedInventory(name, format)
        self._index: dict[str, dict[tuple[str, ...], Record]] = {e: {} for e in ENTITIES}
        self._sections: dict[str, list[Any]] = {}
        self._pending: list[Record] = []
        self._failed = False
        self._file = name
        self._source = Source(name, "", 0)
        self._path = ""
        self._in_element = False
        self.last_rejected = False
        self._counts: list[Any] = []
        self._derived = 0
        self._guard = _Element(self)
        self.source_attribute: dict[str, str] = {}
        self.sources_seen: set[tuple[str, str]] = set()

    # -- elements -------------------------------------------------------------------------------

    def element(self, file: str, section: str, index: int, path: str, entity: str) -> _Element:
        """Read one element: its records are kept together or rejected together.

        Use as ``with collector.element(...):``.

        Args:
            file: The export file it comes from.
            section: The part of the export (``RoleDetailList``), shown as the "sheet".
            index: The element's 0-based position in its section.
            path: Its JSON path, e.g. ``$.RoleDetailList[3]``.
            entity: The entity the section mainly describes (for the summary).
        """
        sheet = self.sheet_name(file, section)
        self._file, self._source, self._path = file, Source(file, sheet, index + 1), path
        self._pending, self._failed, self._in_element = [], False, True
        self._counts = self._sections.setdefault(sheet, [entity, 0, 0])
        return self._guard

    def _close(self) -> None:
        self._in_element = False
        counts = self._counts
        counts[1] += 1
        self.last_rejected = self._failed
        if self._failed:
            counts[2] += 1
            self.out.reject(self._pending)
        else:
            for record in self._pending:
                self._merge(record)
        self._pending = []

    @property
    def place(self) -> tuple[str, str]:
        """Return the file and JSON path being read (to report something about it later)."""
        return self._file, self._path

    @property
    def failed(self) -> bool:
        """Return True when the element being read has an error so far."""
        return self._failed

    def sheet_name(self, file: str, section: str) -> str:
        """Return how a section is named: ``RoleDetailList``, or ``file: section`` in a folder."""
        return section if file == self.out.file_name else f"{file}: {section}"

    def problem(
        self, reason: str, path: str = "", *, severity: str = ERROR, file: str = ""
    ) -> None:
        """Report a problem at ``path`` (default: the current element); an error rejects it."""
        if self._in_element:
            source = self._source
            self._failed = self._failed or severity == ERROR
            problem = Problem(
                source.file, source.sheet, source.row, "", reason, severity, path or self._path
            )
        else:
            problem = Problem(file or self._file, "", 0, "", reason, severity, path or "$")
        self.out.problems.append(problem)

    def date(self, value: Any, key: str) -> dt.date | None:
        """Return the date of an export's time stamp; warn (and return None) when it is not one."""
        try:
            return parse_date(value)
        except ValueError:
            self.warn(f"{key} {short(value, 40)!r} is not a date; left empty")
            return None

    def warn(self, reason: str, path: str = "", *, file: str = "") -> None:
        """Report a warning (shown, does not reject anything)."""
        self.problem(reason, path, severity=WARNING, file=file)

    # -- records --------------------------------------------------------------------------------

    def identity(
        self,
        ident: str,
        attributes: dict[str, Any] | None = None,
        *,
        stamp: bool = True,
        **values: Any,
    ) -> str:
        """Add (or complete) an identity; return its id.

        Args:
            ident: The identity's id.
            attributes: Its custom attributes.
            stamp: Mark it as coming from this export (False for another platform's identity
                an export merely points at, which this export cannot say is gone).
            **values: Its canonical fields.
        """
        values = {k: v for k, v in values.items() if v not in (None, "")}
        values["id"] = ident
        attributes = self._stamp(attributes) if stamp else dict(attributes or {})
        self._add(IdentityRecord((ident,), values, attributes, self._source))
        return ident

    def resource(
        self,
        ident: str,
        name: str,
        kind: str,
        *,
        within: list[str] | None = None,
        **attributes: Any,
    ) -> str:
        """Add (or complete) a resource; return its id.

        Args:
            ident: The resource's id.
            name: Its name.
            kind: What it is (``AWS account``, ``Azure resource group``…).
            within: The ids of the scopes that hold it (its account, subscription, project,
                cluster): admin over such a scope reaches it (see :func:`inherit_admin`).
            **attributes: Its custom attributes.
        """
        if within:
            attributes["within"] = within
        values = {"id": ident, "name": name, "kind": kind}
        self._add(ResourceRecord((ident,), values, self._stamp(attributes), self._source))
        return ident

    def grant(
        self,
        identity: str,
        resource: str,
        action: Action,
        scope: str,
        *,
        conditional: bool = False,
        **attributes: Any,
    ) -> None:
        """Add a grant (merged with an equal one: lists joined, conditional if either is)."""
        values = {
            "identity": identity,
            "resource": resource,
            "action": action.value,
            "scope": scope,
            "conditional": conditional,
        }
        key = (identity, resource, action.value, scope)
        self._add(GrantRecord(key, values, self._stamp(attributes), self._source))

    def delegation(self, source: str, target: str, kind: str, **attributes: Any) -> None:
        """Add a delegation: ``source`` can act as ``target``."""
        if source == target:
            return
        values = {"from_identity": source, "to_identity": target, "kind": kind}
        key = (source, target, kind)
        self._add(DelegationRecord(key, values, self._stamp(attributes), self._source))

    def derived_grant(self, template: Record, resource: str, scope: str, **attributes: Any) -> None:
        """Add a grant derived from another (the same identity, action and conditions)."""
        self._derived += 1
        values = dict(template.values, resource=resource, scope=scope)
        key = (template.key[0], resource, template.key[2], scope)
        merged = {**template.attributes, **attributes}
        source = Source(self.out.file_name, "inherited from whole scopes", self._derived)
        self._merge(GrantRecord(key, values, merged, source))

    def has(self, entity: str, ident: str) -> bool:
        """Return True when an identity or resource of that id was already added."""
        return (ident,) in self._index[entity] or any(
            r.key == (ident,) for r in self._pending if r.entity == entity
        )

    def records(self, entity: str) -> list[Record]:
        """Return the records of an entity added so far (merged, in order)."""
        return self.out.records[entity]

    def _stamp(self, attributes: dict[str, Any] | None) -> dict[str, Any]:
        stamped = dict(attributes or {})
        stamped.update(self.source_attribute)
        self.sources_seen.update(self.source_attribute.items())
        return stamped

    def _add(self, record: Record) -> None:
        if self._in_element:
            self._pending.append(record)
        else:
            self._merge(record)

    def _merge(self, record: Record) -> None:
        index = self._index[record.entity]
        earlier = index.get(record.key)
        if earlier is None:
            index[record.key] = record
            self.out.records[record.entity].append(record)
            return
        merge_values(earlier.values, record.values)
        merge_attributes(earlier.attributes, record.attributes)

    # -- the end --------------------------------------------------------------------------------

    def finish(self, covered: set[str]) -> ParsedInventory:
        """Return the inventory with one summary per section and the covered entities."""
        out = self.out
        for name, (entity, rows, rejected) in self._sections.items():
            out.sheets.append(SheetInfo(name, entity, 0, [], rows, rejected))
            out.rows += rows
        out.covered = set(covered)
        logger.info(
            "read %s as %s: %s",
            out.file_name,
            out.format,
            {e: len(r) for e, r in out.records.items()},
        )
        return out


class _Element:
    """The context manager :meth:`Collector.element` returns (one, reused: elements are many)."""

    __slots__ = ("collector",)

    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        self.collector._close()  # noqa: SLF001 - its own context manager


def merge_values(earlier: dict[str, Any], new: dict[str, Any]) -> None:
    """Fill the earlier record's empty values from the new one; a grant turns conditional."""
    for name, value in new.items():
        if name == "conditional":
            earlier[name] = bool(earlier.get(name)) or bool(value)
        elif earlier.get(name) in (None, "", []) and value not in (None, "", []):
            earlier[name] = value


def merge_attributes(earlier: dict[str, Any], new: dict[str, Any]) -> None:
    """Merge attributes: list attributes are joined (capped), others keep the first value."""
    for name, value in new.items():
        if name in _LIST_ATTRIBUTES and isinstance(value, list):
            joined = list(earlier.get(name) or [])
            joined.extend(v for v in value if v not in joined)
            earlier[name] = joined[:_MAX_LIST]
        else:
            earlier.setdefault(name, value)


def parse_date(value: Any) -> dt.date | None:
    """Return the date of an ISO 8601 time stamp (``2025-03-01T10:00:00Z``); None if absent.

    Raises:
        ValueError: The value is not an ISO 8601 date or time stamp.
    """
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return dt.date.fromisoformat(text[:10])


def owner_from_tags(tags: dict[str, str]) -> str | None:
    """Return an owner e-mail from a resource's tags or labels (``owner``, ``owner_email``)."""
    for key, value in tags.items():
        if key.lower().replace("-", "_") in ("owner", "owner_email", "contact") and _EMAIL.match(
            str(value)
        ):
            return str(value).lower()
    return None


def as_list(value: Any) -> list[Any]:
    """Return a JSON value that may be one item or a list as a list (None as empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def short(value: Any, limit: int = 200) -> str:
    """Return a JSON value as compact text for an attribute or a message, shortened."""
    text = value if isinstance(value, str) else _compact(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def is_whole(kind: str) -> bool:
    """Return True for a resource kind that stands for a whole scope (``AWS s3 (all)`` too)."""
    return is_whole_scope(kind) or kind.endswith("(all)")


def inherit_admin(collector: Collector) -> int:
    """Give admin over a whole scope its meaning: admin on every resource it holds.

    A grant of admin on an account, subscription, project or cluster is copied onto each
    resource of this import that the scope holds (the resource's ``within``), with the scope
    named in the grant's scope text; return how many grants were added.
    """
    resources = collector.records(RESOURCES)
    wholes = {r.key[0].lower(): r for r in resources if is_whole(r.values.get("kind") or "")}
    held: dict[str, list[str]] = {}
    for record in resources:
        for scope in record.attributes.get("within") or ():
            if scope.lower() in wholes:
                held.setdefault(scope.lower(), []).append(record.key[0])
    added = 0
    for grant in list(collector.records(GRANTS)):
        scope = grant.key[1].lower()
        if grant.key[2] != Action.ADMIN.value or scope not in held:
            continue
        name = wholes[scope].values.get("name") or grant.key[1]
        for resource in held[scope]:
            collector.derived_grant(
                grant, resource, f"{grant.key[3]} (via {name})", inherited_from=grant.key[1]
            )
            added += 1
    if added:
        logger.info("admin over whole scopes reaches %s", plural(added, "further resource"))
    return added
