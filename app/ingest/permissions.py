"""Read an identity's free-text permissions into grants.

Registers describe access in words: ``Storage Blob Data Reader on uw-docs; Key Vault Secrets
User``, ``admin``, ``AdministratorAccess attached (!)``, ``s3:GetObject``. Each entry (cells
hold several, split at ``;``, ``,`` or new lines) is read as an action word or a common role or
policy name, and ``X on Y`` as action X on resource Y. An entry naming no resource applies to
the identity's environment, taken as a resource. The whole cell is kept as the identity's
custom attribute, and the entries not understood are named in a warning and counted.
"""

from __future__ import annotations

import logging
import re

from app.domain.enums import Action
from app.ingest.fields import GRANTS, IDENTITIES, RESOURCES, header_key
from app.ingest.problems import WARNING, Source, at, quote
from app.ingest.records import GrantRecord, ParsedInventory, Record, ResourceRecord
from app.ingest.vocabulary import lookup, vocabulary

logger = logging.getLogger(__name__)

FIELD = "permissions"
_SPLIT = re.compile(r"[;\n\r]+|,(?![^()]*\))|\s+\+\s+|\s+&\s+")
_ON = re.compile(r"^(.*?)\s+(?:on|@|for|over|to|in)\s+(.+)$", re.IGNORECASE)
_NOISE = re.compile(
    r"\((?:[^)]*)\)|\[[^\]]*\]|!+|\b(?:attached|assigned|granted|role|policy|managed|built-?in|"
    r"inline|via group|permissions?)\b",
    re.IGNORECASE,
)
# Role and policy names consultants meet most (Azure built-in, AWS managed, GCP basic, SaaS).
# fmt: off
_ROLES: dict[str, str] = {
    # Azure built-in roles
    "owner": "admin", "contributor": "write", "reader": "read",
    "user access administrator": "admin", "role based access control administrator": "admin",
    "storage blob data reader": "read", "storage blob data contributor": "write",
    "storage blob data owner": "admin", "storage account contributor": "write",
    "storage queue data contributor": "write", "storage table data reader": "read",
    "key vault secrets user": "read", "key vault secrets officer": "write",
    "key vault reader": "read", "key vault administrator": "admin",
    "key vault crypto user": "execute", "key vault certificates officer": "write",
    "cognitive services user": "execute", "cognitive services openai user": "execute",
    "cognitive services openai contributor": "write", "cognitive services contributor": "write",
    "azure ai developer": "write", "search index data reader": "read",
    "search index data contributor": "write", "search service contributor": "write",
    "virtual machine contributor": "write", "virtual machine administrator login": "admin",
    "sql db contributor": "write", "sql server contributor": "write",
    "cosmos db account reader role": "read", "cosmos db built-in data contributor": "write",
    "monitoring reader": "read", "monitoring contributor": "write",
    "log analytics reader": "read", "website contributor": "write",
    "logic app contributor": "write", "automation operator": "execute",
    "azure service bus data sender": "execute", "azure service bus data receiver": "read",
    "azure event hubs data sender": "execute",
    "azure kubernetes service cluster user role": "execute",
    "global administrator": "admin", "application administrator": "admin",
    "security reader": "read", "directory readers": "read",
    # AWS managed policies
    "administratoraccess": "admin", "poweruseraccess": "admin", "readonlyaccess": "read",
    "viewonlyaccess": "read", "securityaudit": "read", "iamfullaccess": "admin",
    "amazons3fullaccess": "admin", "amazons3readonlyaccess": "read",
    "amazonec2fullaccess": "admin", "amazonec2readonlyaccess": "read",
    "amazondynamodbfullaccess": "admin", "amazondynamodbreadonlyaccess": "read",
    "amazonbedrockfullaccess": "admin", "amazonbedrockreadonly": "read",
    "amazonsagemakerfullaccess": "admin", "amazonsagemakerreadonly": "read",
    "secretsmanagerreadwrite": "write", "awslambda_fullaccess": "admin",
    "awslambdarole": "execute", "awslambdabasicexecutionrole": "execute",
    "amazonrdsfullaccess": "admin", "amazonrdsreadonlyaccess": "read",
    "amazonsqsfullaccess": "admin", "amazonsnsfullaccess": "admin",
    "cloudwatchlogsfullaccess": "admin", "cloudwatchreadonlyaccess": "read",
    "amazonssmfullaccess": "admin", "amazonssmreadonlyaccess": "read",
    "awskeymanagementservicepoweruser": "write", "billing": "read",
    # GCP basic and common predefined roles
    "roles/owner": "admin", "roles/editor": "write", "roles/viewer": "read",
    "roles/storage.objectviewer": "read", "roles/storage.objectadmin": "admin",
    "roles/storage.admin": "admin", "roles/bigquery.dataviewer": "read",
    "roles/bigquery.dataeditor": "write", "roles/aiplatform.user": "execute",
    "roles/secretmanager.secretaccessor": "read", "roles/iam.serviceaccountuser": "execute",
    "roles/iam.serviceaccounttokencreator": "admin",
    # Everyday words
    "read only": "read", "read-only": "read", "read/write": "write", "full access": "admin",
    "full control": "admin", "sysadmin": "admin", "db_owner": "admin",
    "db_datareader": "read", "db_datawriter": "write", "sudo": "admin", "root": "admin",
}
# fmt: on
_ROLE_KEYS = {header_key(name) or name: action for name, action in _ROLES.items()}
# Role names that end or start like these give the action (``Foo Data Reader`` reads).
_SUFFIXES = (
    ("fullaccess", "admin"), ("administrator", "admin"), ("admin", "admin"), ("owner", "admin"),
    ("readonlyaccess", "read"), ("readonly", "read"), ("reader", "read"), ("viewer", "read"),
    ("readaccess", "read"), ("contributor", "write"), ("editor", "write"), ("writer", "write"),
    ("readwrite", "write"), ("operator", "execute"), ("invoker", "execute"), ("user", "execute"),
    ("sender", "execute"), ("receiver", "read"),
)  # fmt: skip
# Cloud API actions: ``s3:GetObject``, ``ec2:RebootInstances``, ``*:*``.
_API = re.compile(r"^[a-z0-9-]+:([A-Za-z*]+)$|^\*(?::\*)?$")
_VERBS = (
    ("*", "admin"), ("get", "read"), ("list", "read"), ("describe", "read"), ("read", "read"),
    ("query", "read"), ("scan", "read"), ("invoke", "execute"), ("start", "execute"),
    ("stop", "execute"), ("reboot", "execute"), ("restart", "execute"), ("run", "execute"),
    ("send", "execute"), ("put", "write"), ("create", "write"), ("update", "write"),
    ("delete", "write"), ("write", "write"), ("attach", "admin"), ("pass", "admin"),
)  # fmt: skip
_ACTIONS = vocabulary(Action)


def entries(text: str) -> list[str]:
    """Split a permissions cell into its entries."""
    return [part.strip() for part in _SPLIT.split(text) if part and part.strip()]


def read_entry(entry: str) -> tuple[str, str] | None:
    """Read one entry into ``(action, resource)``; the resource is empty when none is named.

    Returns:
        The action and resource, or None when the entry is not understood.
    """
    match = _ON.match(entry)
    role, resource = (match.group(1), match.group(2).strip()) if match else (entry, "")
    action = role_action(role)
    if action is None and match:
        action, resource = role_action(entry), ""
    if action is None:
        return None
    return action, resource.strip(" .'\"")


def role_action(text: str) -> str | None:
    """Return the action a role, policy, API action or action word stands for, if known."""
    api = _API.match(text.strip())
    if api:
        return _api_action(api.group(1) or "*")
    cleaned = " ".join(_NOISE.sub(" ", text).split()).strip(" .:-")
    for candidate in (text.strip(), cleaned):
        if not candidate:
            continue
        key = header_key(candidate) or candidate.lower()
        found = (
            _ROLE_KEYS.get(key) or _ROLE_KEYS.get(candidate.lower()) or lookup(_ACTIONS, candidate)
        )
        if found:
            return found
    key = header_key(cleaned)
    return next((action for end, action in _SUFFIXES if key and key.endswith(end)), None)


def _api_action(verb: str) -> str:
    lowered = verb.lower()
    return next((action for start, action in _VERBS if lowered.startswith(start)), "execute")


class _Reader:
    def __init__(self, inventory: ParsedInventory) -> None:
        self.inventory = inventory
        self.grants = {r.key for r in inventory.records[GRANTS]}
        self.resources = {r.key[0] for r in inventory.records[RESOURCES]}
        self.understood = self.total = 0

    def identity(self, record: Record) -> None:
        value = record.values.pop(FIELD, None)
        if not value:
            return
        # One cell, or (an account on several rows) each row's cell with its row.
        cells = value if isinstance(value, list) else [(record.source, value)]
        header = record.headers.get(FIELD) or "Permissions"
        record.own_attributes().setdefault(header, "; ".join(text for _, text in cells))
        for source, text in cells:
            self.cell(record, header, source, text)

    def cell(self, record: Record, header: str, source: Source, text: str) -> None:
        unread = []
        for entry in entries(text):
            self.total += 1
            read = read_entry(entry)
            if read is None:
                unread.append(entry)
                continue
            self.understood += 1
            self.grant(record, header, entry, *read, source=source)
        if unread:
            listed = ", ".join(quote(e) for e in unread)
            reason = f"permission entries not understood, kept as written: {listed}"
            self.inventory.problems.append(at(source, header, reason, WARNING))

    def grant(
        self, record: Record, header: str, entry: str, action: str, target: str, *, source: Source
    ) -> None:
        resource = target or self.environment(record, header)
        if resource not in self.resources:
            values = {"id": resource}
            self.inventory.records[RESOURCES].append(
                ResourceRecord((resource,), values, {}, source, {"id": header})
            )
            self.resources.add(resource)
        key = (record.key[0], resource, action, entry)
        if key in self.grants:
            return
        self.grants.add(key)
        values = {"identity": key[0], "resource": resource, "action": action, "scope": entry}
        headers = {"identity": record.column("id"), "resource": header, "action": header}
        self.inventory.records[GRANTS].append(GrantRecord(key, values, {}, source, headers))

    def environment(self, record: Record, header: str) -> str:
        env = record.values.get("environment")
        resource = f"{env} environment" if env else "environment not recorded"
        if resource not in self.resources:
            values = {"id": resource, "name": resource.capitalize(), "kind": "environment"}
            if env:
                values["environment"] = env
            self.inventory.records[RESOURCES].append(
                ResourceRecord((resource,), values, {}, record.source, {"id": header})
            )
            self.resources.add(resource)
        return resource


def read_permissions(inventory: ParsedInventory) -> None:
    """Turn every identity's free-text permissions into grants (and resources they name).

    The counts of entries understood and in all go to ``inventory.permissions``.
    """
    reader = _Reader(inventory)
    for record in list(inventory.records[IDENTITIES]):
        reader.identity(record)
    inventory.permissions = (reader.understood, reader.total)
    if reader.total:
        logger.info("permissions: %d of %d entries understood", reader.understood, reader.total)
