"""The canonical inventory fields (DESIGN §5) and the header aliases that map onto them.

Headers and aliases are compared by :func:`header_key`: lower case, letters and digits only,
text in brackets and marks such as ``*`` dropped. ``docs/import-aliases.md`` is rendered from
this table by :func:`aliases_markdown`, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    LifecycleStage,
    Sensitivity,
)
from app.domain.record_kinds import DELEGATIONS, ENTITIES, GRANTS, IDENTITIES, RESOURCES, SYSTEMS

logger = logging.getLogger(__name__)


# Kinds of value a field holds; values.py has one normaliser per kind.
TEXT, ID, EMAIL, ENUM, DATE, LIST, IDS, BOOL = (
    "text",
    "id",
    "email",
    "enum",
    "date",
    "list",
    "ids",
    "bool",
)

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(text: object) -> str:
    """Return the comparison key of a header: lower case letters and digits only.

    ``"Owner E-mail *"``, ``"owner_email"`` and ``"OWNER EMAIL (required)"`` all give
    ``"owneremail"``.
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    stripped = _BRACKETS.sub(" ", folded.lower())
    key = _NOT_ALNUM.sub("", stripped)
    return key or _NOT_ALNUM.sub("", folded.lower())


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field of an entity.

    Attributes:
        name: The canonical name (the template's header).
        kind: What the field holds (``text``, ``id``, ``email``, ``enum``, ``date``, ``list``,
            ``ids``, ``bool``).
        aliases: Other headers that mean this field, as a client might write them.
        enum: The vocabulary of an ``enum`` field.
        help: One line for the template's "Read me" and the documentation.
        in_template: False for an accepted field the template workbook does not show.
    """

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    enum: type[StrEnum] | None = None
    help: str = ""
    in_template: bool = True


@dataclass(frozen=True)
class EntitySpec:
    """One kind of inventory record.

    Attributes:
        name: ``systems``, ``identities``, ``resources``, ``grants`` or ``delegations``.
        title: The template's sheet title.
        labels: Words that name the entity; ``label + field alias`` is a qualified header
            (``Identity kind``), and a sheet named like a label holds this entity.
        sheet_names: Further sheet names that hold this entity.
        fields: The canonical fields, in template order.
        key: The fields that identify a record.
    """

    name: str
    title: str
    labels: tuple[str, ...]
    sheet_names: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]

    def field(self, name: str) -> FieldSpec:
        """Return the field of that canonical name."""
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Return the canonical field names, in template order."""
        return tuple(f.name for f in self.fields)


_OWNER_EMAIL = "owner email | owner e mail | owner mail | accountable email | contact email"
_ENVIRONMENT = "environment | env | deployment environment | tier"


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _field(name: str, kind: str, aliases: str, **extra: object) -> FieldSpec:
    return FieldSpec(name, kind, _aliases(aliases), **extra)  # type: ignore[arg-type]


# fmt: off
_SYSTEM_FIELDS = (
    _field("id", ID, "system id | ai system id | ref | reference | asset id | app id | "
           "use case id | identifier | key | sys id | ci id | cmdb id | "
           "configuration item id | inventory id",
           help="Stable identifier of the AI system, e.g. AIS-001"),
    _field("name", TEXT, "system name | title | application | use case | ai system name",
           help="Display name"),
    _field("description", TEXT, "purpose | summary | details | business purpose"),
    _field("owner_name", TEXT, "owner | business owner | accountable owner | system owner | "
           "accountable | responsible | owned by", help="Accountable owner's name"),
    _field("owner_email", EMAIL, f"{_OWNER_EMAIL} | business owner email | system owner email",
           help="Accountable owner's e-mail (owners are matched by e-mail)"),
    _field("business_unit", TEXT, "bu | department | division | team | line of business"),
    _field("provider", TEXT, "vendor | supplier | platform"),
    _field("model", TEXT, "model name | foundation model | llm | model version | base model"),
    _field("lifecycle_stage", ENUM, "lifecycle | stage | status | phase | state | "
           "operational status | lifecycle status",
           enum=LifecycleStage),
    _field("environment", ENUM, _ENVIRONMENT, enum=Environment),
    _field("autonomy", ENUM, "autonomy level | human oversight | oversight | level of autonomy",
           enum=Autonomy),
    _field("data_classification", ENUM, "classification | data sensitivity | sensitivity | "
           "data class | confidentiality", enum=Sensitivity),
    _field("exposure", ENUM, "external exposure | audience | facing | internet facing",
           enum=Exposure),
    _field("tools", LIST, "tool access | integrations | can call | plugins | capabilities | "
           "connectors", help="What the system can call, several per cell"),
    _field("identities", IDS, "identity | identity ids | service accounts | service account | "
           "nhi | nhis | credentials | accounts | api keys",
           help="Ids of the identities it uses, several per cell (; , or new line)"),
    _field("tags", LIST, "labels | keywords | categories"),
    _field("review_due", DATE, "next review | review date | due for review | next review date | "
           "review due date"),
    _field("risk_designation", TEXT, "client risk designation | risk designation | risk rating | "
           "risk tier | risk classification | risk category | inherent risk | "
           "inherent risk rating | materiality | model materiality | model tier | "
           "model risk tier | business criticality | criticality | impact level | "
           "impact rating | high impact | risk level | designation",
           help="The client's own risk designation (high-impact, critical, Tier 1, material)",
           in_template=False),
)

_IDENTITY_FIELDS = (
    _field("id", ID, "identity id | account id | principal id | client id | key id | username | "
           "user name | login | arn | identifier | account / key | account | key | principal | "
           "identity | app id | application id | object id | service account | key name | "
           "account or key | credential",
           help="Stable identifier, e.g. the account name or key id"),
    _field("name", TEXT, "display name | identity name | account name | description"),
    _field("kind", ENUM, "type | identity type | account type | credential type | category",
           enum=IdentityKind),
    _field("provider", TEXT, "platform | cloud | directory | source | idp | identity provider"),
    _field("owner_email", EMAIL, f"{_OWNER_EMAIL} | owner | technical owner | custodian"),
    _field("owner_name", TEXT, "owner name | technical owner name | custodian name",
           in_template=False),
    _field("systems", IDS, "system | ai systems | ai system | used by | system ids | "
           "applications | consumers", help="Ids of the AI systems that use it"),
    _field("environment", ENUM, _ENVIRONMENT, enum=Environment),
    _field("created", DATE, "created on | created at | creation date | date created | issued | "
           "created date"),
    _field("last_rotated", DATE, "rotated | last rotation | rotated on | last key rotation | "
           "password last changed | secret last changed | key rotated"),
    _field("last_used", DATE, "last use | last activity | last login | last seen | last sign in | "
           "last used date | last access"),
    _field("expires", DATE, "expiry | expiration | expiry date | expiration date | expires on | "
           "valid until | end date"),
    _field("revocation_procedure", TEXT, "revocation | how to revoke | kill switch | revoke | "
           "offboarding"),
    _field("permissions", TEXT, "permission | access | roles | role | policies | policy | "
           "entitlements | privileges | rights | scopes | access rights | role assignments | "
           "iam policies | permissions granted | access level",
           help="Free-text access, read into grants (role and policy names, 'X on Y')",
           in_template=False),
)

_RESOURCE_FIELDS = (
    _field("id", ID, "resource id | asset id | target id | identifier"),
    _field("name", TEXT, "resource name | display name | description"),
    _field("kind", TEXT, "type | resource type | category | service"),
    _field("environment", ENUM, _ENVIRONMENT, enum=Environment),
    _field("sensitivity", ENUM, "classification | data classification | data sensitivity | "
           "confidentiality | criticality", enum=Sensitivity),
)

_GRANT_FIELDS = (
    _field("identity", ID, "identity id | principal | account | service account | grantee | "
           "who | nhi"),
    _field("resource", ID, "resource id | target | asset | on | object | data store"),
    _field("action", ENUM, "permission | access level | access | privilege | right | role | "
           "level | operation | permission level | access type | rights", enum=Action),
    _field("scope", TEXT, "path | condition | resource scope | restriction"),
    _field("approval_required", BOOL, "approval | requires approval | human approval | "
           "needs approval"),
    _field("logged", BOOL, "logging | audited | audit log | monitored"),
    _field("last_used", DATE, "last use | last activity | last accessed | last access"),
)

_DELEGATION_FIELDS = (
    _field("from_identity", ID, "from | source identity | source | delegator | caller | "
           "principal | who"),
    _field("to_identity", ID, "to | target identity | target | can act as | assumes | "
           "can assume | acts as | delegate | role"),
    _field("kind", ENUM, "type | delegation type | mechanism | method", enum=DelegationKind),
)

SPECS: dict[str, EntitySpec] = {
    SYSTEMS: EntitySpec(
        SYSTEMS, "AI systems", _aliases("ai system | system | application | use case"),
        _aliases("ai systems | systems | register | ai register | inventory | ai inventory | "
                 "use cases | applications | ai use cases"),
        _SYSTEM_FIELDS, ("id",),
    ),
    IDENTITIES: EntitySpec(
        IDENTITIES, "Identities",
        _aliases("identity | nhi | non human identity | service account | account | credential | "
                 "machine identity | principal"),
        _aliases("identities | nhis | non human identities | service accounts | accounts | "
                 "credentials | machine identities | keys | api keys | principals"),
        _IDENTITY_FIELDS, ("id",),
    ),
    RESOURCES: EntitySpec(
        RESOURCES, "Resources", _aliases("resource | target | asset | data store"),
        _aliases("resources | assets | data stores | targets | datastores | systems of record"),
        _RESOURCE_FIELDS, ("id",),
    ),
    GRANTS: EntitySpec(
        GRANTS, "Grants", _aliases("grant | permission | access"),
        _aliases("grants | permissions | access | entitlements | access grants | rights | "
                 "privileges | role assignments"),
        _GRANT_FIELDS, ("identity", "resource", "action", "scope"),
    ),
    DELEGATIONS: EntitySpec(
        DELEGATIONS, "Delegations", _aliases("delegation | trust"),
        _aliases("delegations | trusts | trust relationships | assume roles | impersonation | "
                 "role chaining"),
        _DELEGATION_FIELDS, ("from_identity", "to_identity", "kind"),
    ),
}
# fmt: on

#: Headers that mean a field of another entity when written on its own in any sheet.
_ANYWHERE: dict[str, tuple[str, str]] = {
    "last rotated": (IDENTITIES, "last_rotated"),
    "revocation procedure": (IDENTITIES, "revocation_procedure"),
    "action": (GRANTS, "action"),
    "permission": (GRANTS, "action"),
    "access level": (GRANTS, "action"),
    "access": (GRANTS, "action"),
    "access right": (GRANTS, "action"),
    "resource": (GRANTS, "resource"),
    "scope": (GRANTS, "scope"),
    "approval required": (GRANTS, "approval_required"),
    "can assume": (DELEGATIONS, "to_identity"),
    "can act as": (DELEGATIONS, "to_identity"),
    "delegation kind": (DELEGATIONS, "kind"),
}
_EXTRA_QUALIFIED = {header_key(text): target for text, target in _ANYWHERE.items()}


def _qualified_table() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for spec in SPECS.values():
        for fspec in spec.fields:
            for label in spec.labels:
                for alias in (fspec.name.replace("_", " "), *fspec.aliases):
                    key = header_key(f"{label} {alias}")
                    table.setdefault(key, (spec.name, fspec.name))
    table.update(_EXTRA_QUALIFIED)
    return table


def _unqualified_table(entity: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for fspec in SPECS[entity].fields:
        for alias in (fspec.name, *fspec.aliases):
            table.setdefault(header_key(alias), fspec.name)
    return table


UNQUALIFIED: dict[str, dict[str, str]] = {name: _unqualified_table(name) for name in ENTITIES}
QUALIFIED: dict[str, tuple[str, str]] = _qualified_table()
SHEET_KEYS: dict[str, tuple[str, ...]] = {
    spec.name: tuple(header_key(s) for s in (*spec.sheet_names, *spec.labels))
    for spec in SPECS.values()
}
KNOWN_HEADER_KEYS: frozenset[str] = frozenset(QUALIFIED) | frozenset(
    key for table in UNQUALIFIED.values() for key in table
)


def parse_field(text: str, entity: str) -> tuple[str, str] | None:
    """Read a field named by the user (``kind`` or ``identities.kind``) in a sheet of ``entity``.

    Returns:
        ``(entity, field)`` or None when no such field exists.
    """
    if "." in text:
        entity_part, field_part = text.split(".", 1)
        target = next((e for e in ENTITIES if header_key(e) == header_key(entity_part)), None)
        if target and header_key(field_part) in UNQUALIFIED[target]:
            return target, UNQUALIFIED[target][header_key(field_part)]
        return None
    key = header_key(text)
    for name in SPECS[entity].field_names:
        if header_key(name) == key:
            return entity, name
    return QUALIFIED.get(key)


def all_field_names() -> list[str]:
    """Return every field as ``entity.field`` (for help texts and the GUI's mapping step)."""
    return [f"{spec.name}.{f.name}" for spec in SPECS.values() for f in spec.fields]


def aliases_markdown() -> str:
    """Return the alias table as Markdown (the body of ``docs/import-aliases.md``)."""
    lines: list[str] = []
    for spec in SPECS.values():
        lines += [f"### {spec.title} (`{spec.name}`)", ""]
        sheets = ", ".join(f"`{s}`" for s in (*spec.sheet_names, *spec.labels))
        lines += [f"Sheet names recognised: {sheets}.", ""]
        lines += ["| Field | Holds | Also accepted as headers |", "|---|---|---|"]
        for fspec in spec.fields:
            holds = fspec.kind
            if fspec.enum is not None:
                holds = "one of " + ", ".join(f"`{v.value}`" for v in fspec.enum)
            aliases = ", ".join(f"`{a}`" for a in fspec.aliases if a != fspec.name) or "—"
            lines.append(f"| `{fspec.name}` | {holds} | {aliases} |")
        labels = ", ".join(f"`{label}`" for label in spec.labels)
        word = spec.labels[0].capitalize().replace("Ai ", "AI ")
        names = spec.field_names
        example = "name" if "name" in names else ("kind" if "kind" in names else names[-1])
        lines += [
            "",
            f"In any sheet, a header prefixed by {labels} means this entity's field "
            f"(e.g. `{word} {example.replace('_', ' ')}`).",
            "",
        ]
    lines += ["### Headers recognised in any sheet", "",
              "These headers mean the same field whatever the sheet holds (a flat register, say):",
              ""]  # fmt: skip
    for text, (entity, name) in _ANYWHERE.items():
        lines.append(f"- `{text}` → `{entity}.{name}`")
    return "\n".join(lines).rstrip() + "\n"
