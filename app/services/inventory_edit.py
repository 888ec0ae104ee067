"""Add, edit and delete inventory records by hand (the window's dialogs and ``assay … add``).

Every record kind of the inventory is edited through the same three functions:
:func:`add_record`, :func:`edit_record` and :func:`delete_record`. Values come as text (what a
form field or a command-line option holds) and are read with the importer's own normalisers, so
the window, the CLI and an import accept the same words ("HITL", "service account",
31/12/2026). Each change is one write transaction with one journal entry (``inventory.add``,
``inventory.edit``, ``inventory.delete``) naming the fields it changed;
:mod:`app.services.inventory_import.plan` reads the ``inventory.edit`` entries to keep hand
edits on the next import of a register.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.record_kinds import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.fields import SPECS, FieldSpec
from app.ingest.values import BadValue, normaliser, split_email
from app.services.errors import UserError
from app.services.unit import reads, writes
from app.storage import journal
from app.storage.models import Delegation, Grant, Person
from app.storage.repositories.inventory import ID_TABLES, InventoryRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

#: What each record kind is called in messages.
NOUNS = {SYSTEMS: "AI system", IDENTITIES: "identity", RESOURCES: "resource", GRANTS: "grant",
         DELEGATIONS: "delegation"}  # fmt: skip
#: The fields a hand edit may change, per record kind (``owner`` is "Name <e-mail>").
EDITABLE: dict[str, tuple[str, ...]] = {
    SYSTEMS: ("name", "description", "owner", "business_unit", "provider", "model",
              "lifecycle_stage", "environment", "autonomy", "data_classification", "exposure",
              "tools", "tags", "review_due", "identities"),
    IDENTITIES: ("name", "kind", "provider", "owner", "environment", "created", "last_rotated",
                 "last_used", "expires", "revocation_procedure", "systems"),
    RESOURCES: ("name", "kind", "environment", "sensitivity"),
    GRANTS: ("approval_required", "logged", "last_used"),
    DELEGATIONS: (),
}  # fmt: skip
_LINKS = {SYSTEMS: "identities", IDENTITIES: "systems"}
ACTION_ADD, ACTION_EDIT, ACTION_DELETE = "inventory.add", "inventory.edit", "inventory.delete"


@dataclass(frozen=True)
class EditResult:
    """What a hand edit did.

    Attributes:
        entity: ``systems``, ``identities``, ``resources``, ``grants`` or ``delegations``.
        key: The record's key (its id, or the fields that identify a grant or delegation).
        changed: The fields whose value changed (empty when nothing did).
    """

    entity: str
    key: tuple[str, ...]
    changed: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return the record's key as ``AIS-1`` or ``svc-a → db → read``."""
        return key_label(self.key)


def noun_title(entity: str) -> str:
    """Return a record kind's noun at the start of a sentence (``AI system``, ``Grant``)."""
    noun = NOUNS[entity]
    return noun[:1].upper() + noun[1:]


def key_label(parts: tuple[str, ...]) -> str:
    """Return a record's key for a message, leaving out an empty part (a grant with no scope)."""
    return " → ".join(part for part in parts if part)


def _spec(entity: str, name: str) -> FieldSpec:
    for fspec in SPECS[entity].fields:
        if fspec.name == name:
            return fspec
    raise UserError(f"an {NOUNS[entity]} has no field {name!r}")


def _label(name: str) -> str:
    return name.replace("_", " ")


def read_value(entity: str, name: str, text: Any) -> Any:
    """Return a typed value from what the user wrote, as the importer would read it.

    Raises:
        UserError: The value cannot be read; the message names the field in words.
    """
    if name == "owner":
        email, owner_name = split_email(text)
        return (email, owner_name) if email or owner_name else None
    fspec = _spec(entity, name)
    try:
        return normaliser(fspec)(text)
    except BadValue as exc:
        hint = " (write it as YYYY-MM-DD, e.g. 2027-03-31)" if fspec.kind == "date" else ""
        raise UserError(f"{_label(name).capitalize()}: {exc}{hint}") from exc


def _key(entity: str, key: tuple[str, ...] | str) -> tuple[str, ...]:
    parts = (key,) if isinstance(key, str) else tuple(key)
    if len(parts) != len(SPECS[entity].key):
        raise UserError(f"a {NOUNS[entity]} is named by {', '.join(SPECS[entity].key)}")
    if entity == GRANTS:
        action = read_value(GRANTS, "action", parts[2])
        return (parts[0].strip(), parts[1].strip(), action or "", parts[3].strip())
    if entity == DELEGATIONS:
        kind = read_value(DELEGATIONS, "kind", parts[2]) or ""
        return (parts[0].strip(), parts[1].strip(), kind)
    if not parts[0].strip():
        raise UserError(f"give the {NOUNS[entity]} an id")
    return (parts[0].strip(),)


@writes
def add_record(uow: UnitOfWork, entity: str, key: tuple[str, ...] | str,
               values: Mapping[str, Any] | None = None) -> EditResult:  # fmt: skip
    """Add one record by hand and journal it.

    Args:
        uow: The unit of work (or the workspace).
        entity: The record kind.
        key: Its id (or, for a grant, identity, resource, action, scope; for a delegation,
            from identity, to identity, kind).
        values: Field → text for the other fields (see :data:`EDITABLE`).

    Raises:
        UserError: A value cannot be read, the record exists, or a referenced record does not.
    """
    parts = _key(entity, key)
    typed = _typed(entity, values or {})
    records = uow.repository(InventoryRepository)
    if _find(records, entity, parts) is not None:
        raise UserError(f"the {NOUNS[entity]} {key_label(parts)} already exists")
    row = records.add(_new_row(records, entity, parts))
    _apply(records, entity, row, typed)
    after = _state(records, entity, row)
    uow.record(ACTION_ADD, entity, " → ".join(parts), before=None, after=after)
    logger.info("added %s %s by hand", entity, parts)
    return EditResult(entity, parts, tuple(sorted(typed)))


@writes
def edit_record(uow: UnitOfWork, entity: str, key: tuple[str, ...] | str,
                values: Mapping[str, Any]) -> EditResult:  # fmt: skip
    """Change some fields of a record by hand; journal the fields that changed.

    Raises:
        UserError: The record does not exist or a value cannot be read.
    """
    parts = _key(entity, key)
    typed = _typed(entity, values)
    records = uow.repository(InventoryRepository)
    row = _existing(records, entity, parts)
    before = _state(records, entity, row)
    _apply(records, entity, row, typed)
    after = _state(records, entity, row)
    changed = tuple(name for name in after if after[name] != before.get(name))
    if changed:
        uow.record(ACTION_EDIT, entity, " → ".join(parts),
                   before={n: before.get(n) for n in changed},
                   after={n: after[n] for n in changed})  # fmt: skip
    logger.info("edited %s %s by hand: %s", entity, parts, changed)
    return EditResult(entity, parts, changed)


@writes
def delete_record(uow: UnitOfWork, entity: str, key: tuple[str, ...] | str) -> EditResult:
    """Delete one record (and its links, grants and delegations) and journal it.

    Raises:
        UserError: The record does not exist, or it is an AI system with assessments.
    """
    parts = _key(entity, key)
    records = uow.repository(InventoryRepository)
    row = _existing(records, entity, parts)
    if entity == SYSTEMS and records.has_assessments(row.id):
        raise UserError(
            f"the AI system {parts[0]} has assessments; it cannot be deleted while they exist"
        )
    before = _state(records, entity, row)
    records.delete(row)
    uow.record(ACTION_DELETE, entity, " → ".join(parts), before=before, after=None)
    logger.info("deleted %s %s by hand", entity, parts)
    return EditResult(entity, parts, tuple(before))


def _typed(entity: str, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [name for name in values if name not in EDITABLE[entity]]
    if unknown:
        raise UserError(f"an {NOUNS[entity]} has no field {', '.join(map(_label, unknown))}")
    return {name: read_value(entity, name, text) for name, text in values.items()}


def _row_id(records: InventoryRepository, entity: str, ext_id: str, role: str) -> int:
    found = records.row_id(entity, ext_id)
    if found is None:
        raise UserError(f"{role}: no {NOUNS[entity]} {ext_id!r} in this workspace")
    return found


def _find(records: InventoryRepository, entity: str, parts: tuple[str, ...]) -> Any:
    if entity in ID_TABLES:
        return records.find(entity, parts[0])
    if entity == GRANTS:
        identity = _row_id(records, IDENTITIES, parts[0], "Identity")
        resource = _row_id(records, RESOURCES, parts[1], "Resource")
        return records.find_grant(identity, resource, parts[2], parts[3])
    source = _row_id(records, IDENTITIES, parts[0], "From identity")
    target = _row_id(records, IDENTITIES, parts[1], "To identity")
    return records.find_delegation(source, target, parts[2])


def _existing(records: InventoryRepository, entity: str, parts: tuple[str, ...]) -> Any:
    row = _find(records, entity, parts)
    if row is None:
        raise UserError(f"no {NOUNS[entity]} {key_label(parts)} in this workspace")
    return row


def _new_row(records: InventoryRepository, entity: str, parts: tuple[str, ...]) -> Any:
    if entity in ID_TABLES:
        return ID_TABLES[entity](external_id=parts[0])
    if entity == GRANTS:
        if not parts[2]:
            raise UserError("Action: choose what the grant allows (read, write, execute, admin)")
        return Grant(identity_id=_row_id(records, IDENTITIES, parts[0], "Identity"),
                     resource_id=_row_id(records, RESOURCES, parts[1], "Resource"),
                     action=parts[2], scope=parts[3])  # fmt: skip
    if parts[0] == parts[1]:
        raise UserError("an identity cannot be delegated to itself")
    if not parts[2]:
        raise UserError("Kind: choose the kind of delegation")
    return Delegation(from_identity_id=_row_id(records, IDENTITIES, parts[0], "From identity"),
                      to_identity_id=_row_id(records, IDENTITIES, parts[1], "To identity"),
                      kind=parts[2])  # fmt: skip


def _apply(records: InventoryRepository, entity: str, row: Any, typed: Mapping[str, Any]) -> None:
    for name, value in typed.items():
        if name == "owner":
            row.owner_id = _person(records, value)
        elif name == _LINKS.get(entity):
            _set_links(records, entity, row.id, value or [])
        else:
            setattr(row, name, value)
    if typed and hasattr(row, "updated_at"):
        row.updated_at = dt.datetime.now(dt.UTC)
    records.flush()


def _person(records: InventoryRepository, owner: tuple[str | None, str] | None) -> int | None:
    """Return the person row of an owner, matched by e-mail (else by name), added if new."""
    if owner is None:
        return None
    email, name = owner
    person = records.find_person(email, name)
    if person is None:
        person = records.add(Person(name=name, email=email))
    elif name and person.name != name and email:
        person.name = name
    return person.id


def _set_links(records: InventoryRepository, entity: str, row_id: int, others: list[str]) -> None:
    other = IDENTITIES if entity == SYSTEMS else SYSTEMS
    role = "Identities" if entity == SYSTEMS else "Systems"
    ids = [_row_id(records, other, ext, role) for ext in dict.fromkeys(others)]
    records.set_links(entity, row_id, ids)


def _state(records: InventoryRepository, entity: str, row: Any) -> dict[str, Any]:
    """Return the record's editable fields as plain values (what the journal records)."""
    state: dict[str, Any] = {}
    for name in EDITABLE[entity]:
        if name == "owner":
            person = records.person(row.owner_id) if row.owner_id else None
            state[name] = _owner_text(person)
        elif name == _LINKS.get(entity):
            state[name] = records.links(entity, row.id)
        else:
            value = getattr(row, name)
            state[name] = list(value) if isinstance(value, list) else value
    plain: dict[str, Any] = journal.jsonable(state)
    return plain


def _owner_text(person: Person | None) -> str:
    if person is None:
        return ""
    if person.email and person.name:
        return f"{person.name} <{person.email}>"
    return person.email or person.name


def field_choices(entity: str, name: str) -> tuple[str, ...]:
    """Return the values an enumerated field takes (empty for a free field)."""
    if name in ("approval_required", "logged"):
        return ("yes", "no")
    if name == "owner" or name not in {f.name for f in SPECS[entity].fields}:
        return ()
    fspec = _spec(entity, name)
    return tuple(member.value for member in fspec.enum) if fspec.enum else ()


def field_kind(entity: str, name: str) -> str:
    """Return ``text``, ``enum``, ``date``, ``list``, ``ids``, ``bool`` or ``owner``."""
    if name == "owner":
        return "owner"
    return _spec(entity, name).kind


@reads
def record_texts(uow: UnitOfWork, entity: str, key: tuple[str, ...] | str) -> dict[str, str]:
    """Return a record's editable fields as the text a form shows (lists joined by "; ").

    Raises:
        UserError: The record does not exist.
    """
    parts = _key(entity, key)
    records = uow.repository(InventoryRepository)
    state = _state(records, entity, _existing(records, entity, parts))
    return {name: _as_text(value) for name, value in state.items()}


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


@reads
def known_ids(uow: UnitOfWork) -> dict[str, list[str]]:
    """Return the ids of every AI system, identity and resource, sorted (for pick lists)."""
    records = uow.repository(InventoryRepository)
    return {entity: records.external_ids(entity) for entity in ID_TABLES}
