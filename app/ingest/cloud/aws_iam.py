"""The AWS ``aws iam get-account-authorization-details`` export (JSON), read offline.

Users, roles and the AWS services, accounts and identity providers their trust policies name
become identities; groups are read for their policies, which their members hold. Every allowing
statement of a principal's inline, group and managed policies (the default version) becomes a
grant per resource and policy, at the strongest action it allows there (see
:mod:`app.ingest.cloud.aws_policy`). Trust policies, and ``sts:AssumeRole`` permissions that a
trust naming the account lets through, become assume-role delegations. Deny statements, conditions,
``NotAction``/``NotResource`` and permissions boundaries are kept on the grants they may narrow,
which are marked conditional rather than dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.domain.enums import Action, IdentityKind
from app.ingest.cloud import aws_policy as pol
from app.ingest.cloud.aws_managed import managed_document
from app.ingest.cloud.aws_trust import PROVIDER, TrustReading, account_of
from app.ingest.cloud.collector import Collector, as_list, owner_from_tags
from app.ingest.cloud.documents import Document
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES
from app.ingest.problems import IngestError
from app.support.text import plural

logger = logging.getLogger(__name__)

FORMAT = "aws-authorization-details"
SECTIONS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
COVERED = {IDENTITIES, RESOURCES, GRANTS, DELEGATIONS}

_MAX_LISTED = 20
Policies = list[tuple[str, list[pol.Statement]]]


def looks_like(data: Any) -> bool:
    """Return True when a document is an authorization-details export."""
    return isinstance(data, dict) and any(isinstance(data.get(s), list) for s in SECTIONS)


@dataclass
class _Principal:
    arn: str
    path: str
    index: int
    policies: Policies = field(default_factory=list)
    boundary: str = ""
    assumes: list[pol.Statement] = field(default_factory=list)


@dataclass
class _Entry:
    rank: int = 0
    actions: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


class AwsReader(TrustReading):
    """Reads one authorization-details document into a collector.

    Args:
        collector: Where the records go.
        doc: The loaded export.
    """

    def __init__(self, collector: Collector, doc: Document) -> None:
        self.c, self.doc, self.file = collector, doc, doc.name
        self.account = "unknown"
        self.managed: dict[str, tuple[str, list[pol.Statement]]] = {}
        self.missing_policies: set[str] = set()
        self.groups: dict[str, Policies] = {}
        self.roles: dict[str, tuple[_Principal, list[pol.Statement]]] = {}
        self.principals: list[_Principal] = []
        self.account_trust: set[str] = set()
        self.known: set[str] = set()
        self.unknown_verbs: dict[str, None] = {}
        self.tables: dict[tuple[str, int], tuple[Any, Any, Any]] = {}

    def run(self) -> None:
        """Read the document (raises IngestError when it is not this export at all)."""
        data = self.doc.data
        if not looks_like(data):
            raise IngestError(
                f"{self.file} is not an AWS get-account-authorization-details export: it has "
                f"none of {', '.join(SECTIONS)}"
            )
        for section in SECTIONS:
            if section in data and not isinstance(data[section], list):
                self.c.problem(f"{section} is not a list", f"$.{section}", file=self.file)
        self.account = _account(data)
        self.c.source_attribute = {f"source.{FORMAT}": f"aws-account:{self.account}"}
        self._each("Policies", self._policy, GRANTS)
        self._each("GroupDetailList", self._group, GRANTS)
        self._each("RoleDetailList", self._role, IDENTITIES)
        self._each("UserDetailList", self._user, IDENTITIES)
        self._trust_delegations()
        self._policy_delegations()
        if self.unknown_verbs:
            first = ", ".join(list(self.unknown_verbs)[:5])
            count = len(self.unknown_verbs)
            self.c.warn(
                f"{plural(count, 'action')} {plural(count, 'has', number=False)} a verb Assay "
                f"does not know and {plural(count, 'was', number=False)} "
                f"read as write (first: {first})",
                file=self.file,
            )

    def _each(self, section: str, read: Any, entity: str) -> None:
        items = self.doc.data.get(section)
        if not isinstance(items, list):
            return
        for index, item in enumerate(items):
            path = f"$.{section}[{index}]"
            with self.c.element(self.file, section, index, path, entity):
                if not isinstance(item, dict):
                    self.c.problem("the entry is not a JSON object")
                    continue
                read(item, path, index)

    # -- policies and groups ----------------------------------------------------------------

    def _policy(self, item: dict[str, Any], path: str, _index: int) -> None:
        arn, name = str(item.get("Arn") or ""), str(item.get("PolicyName") or "")
        if not arn:
            self.c.problem("the policy has no Arn")
            return
        versions = item.get("PolicyVersionList")
        default = item.get("DefaultVersionId")
        for number, version in enumerate(as_list(versions)):
            if not isinstance(version, dict):
                continue
            if version.get("IsDefaultVersion") is True or version.get("VersionId") == default:
                where = f"{path}.PolicyVersionList[{number}].Document"
                statements = self._parse(version.get("Document"), where, f"policy {name}")
                if statements is not None:
                    self.managed[arn] = (f"policy {name}", statements)
                return
        self.c.problem(f"policy {name!r} has no default version among its PolicyVersionList")

    def _parse(self, document: Any, path: str, label: str) -> list[pol.Statement] | None:
        try:
            return pol.parse_document(document, path, label)
        except pol.PolicyError as exc:
            self.c.problem(str(exc), exc.path)
            return None

    def _group(self, item: dict[str, Any], path: str, _index: int) -> None:
        name = str(item.get("GroupName") or "")
        if not name:
            self.c.problem("the group has no GroupName")
            return
        self.groups[name] = self._own_policies(item, path, "GroupPolicyList")

    def _own_policies(self, item: dict[str, Any], path: str, inline_key: str) -> Policies:
        policies: Policies = []
        for number, inline in enumerate(as_list(item.get(inline_key))):
            where = f"{path}.{inline_key}[{number}]"
            if not isinstance(inline, dict):
                self.c.problem("the inline policy is not a JSON object", where)
                continue
            label = f"inline policy {inline.get('PolicyName') or number + 1}"
            statements = self._parse(inline.get("PolicyDocument"), f"{where}.PolicyDocument", label)
            if statements is not None:
                policies.append((label, statements))
        for number, attached in enumerate(as_list(item.get("AttachedManagedPolicies"))):
            arn = str(attached.get("PolicyArn") or "") if isinstance(attached, dict) else ""
            found = self._managed(arn, f"{path}.AttachedManagedPolicies[{number}]")
            if found is not None:
                policies.append(found)
        return policies

    def _managed(self, arn: str, path: str) -> tuple[str, list[pol.Statement]] | None:
        if arn in self.managed:
            return self.managed[arn]
        name = arn.rsplit("/", 1)[-1] or "(no ARN)"
        document = managed_document(arn)
        if document is not None:
            statements = pol.parse_document(document, path, f"policy {name}")
            self.managed[arn] = (f"policy {name}", statements)
            return self.managed[arn]
        if arn not in self.missing_policies:
            self.missing_policies.add(arn)
            self.c.warn(
                f"policy {name} is attached but its document is not in the export; "
                "what it allows is unknown (export without --filter to include it)",
                path,
            )
        return None

    # -- principals -------------------------------------------------------------------------

    def _identity(self, item: dict[str, Any], what: str, **values: Any) -> str | None:
        arn = str(item.get("Arn") or "")
        if not arn.startswith("arn:"):
            self.c.problem(f"the {what} has no ARN")
            return None
        tags = {
            str(t.get("Key")): str(t.get("Value"))
            for t in as_list(item.get("Tags"))
            if isinstance(t, dict)
        }
        name = str(item.get(f"{what.capitalize()}Name") or arn.rsplit("/", 1)[-1])
        created = self.c.date(item.get("CreateDate"), "CreateDate")
        attributes: dict[str, Any] = {
            "account": account_of(arn) or self.account,
            "aliases": [name, str(item.get(f"{what.capitalize()}Id") or "")],
        }
        if tags:
            attributes["tags"] = tags
        self.c.identity(
            arn,
            attributes,
            name=name,
            provider=PROVIDER,
            created=created,
            owner_email=owner_from_tags(tags),
            **values,
        )
        return arn

    def _role(self, item: dict[str, Any], path: str, index: int) -> None:
        used = item.get("RoleLastUsed") if isinstance(item.get("RoleLastUsed"), dict) else {}
        last_used = self.c.date(used.get("LastUsedDate"), "RoleLastUsed.LastUsedDate")
        arn = self._identity(item, "role", kind=IdentityKind.ROLE.value, last_used=last_used)
        if arn is None:
            return
        trust = self._parse(
            item.get("AssumeRolePolicyDocument"), f"{path}.AssumeRolePolicyDocument", "trust policy"
        )
        principal = _Principal(arn, path, index, self._own_policies(item, path, "RolePolicyList"))
        principal.boundary = _boundary(item)
        self._grants(principal)
        if not self.c.failed:
            self.roles[arn] = (principal, trust or [])
            self.principals.append(principal)
            self.known.add(arn)

    def _user(self, item: dict[str, Any], path: str, index: int) -> None:
        groups = [str(g) for g in as_list(item.get("GroupList"))]
        arn = self._identity(item, "user")
        if arn is None:
            return
        principal = _Principal(arn, path, index, self._own_policies(item, path, "UserPolicyList"))
        principal.boundary = _boundary(item)
        for group in groups:
            if group not in self.groups:
                self.c.warn(
                    f"group {group!r} is not in the export's GroupDetailList; what it "
                    "allows is unknown",
                    f"{path}.GroupList",
                )
            for label, statements in self.groups.get(group, []):
                principal.policies.append((f"group {group}: {label}", statements))
        self._grants(principal)
        if not self.c.failed:
            self.principals.append(principal)
            self.known.add(arn)

    # -- grants -----------------------------------------------------------------------------

    def _grants(self, principal: _Principal) -> None:
        denies = [st for _, sts in principal.policies for st in sts if st.effect == "Deny"]
        boundary = [f"permissions boundary {principal.boundary}"] if principal.boundary else []
        for scope, statements in principal.policies:
            table, assumes = self._policy_table(scope, statements)
            principal.assumes.extend(assumes)
            for ref, entry in table.items():
                denied = [d.summary() for d in denies if _denies(d, entry)]
                reasons = entry.reasons + boundary
                self.c.resource(ref.ident, ref.name, ref.kind, within=self._within(ref))
                attributes: dict[str, Any] = {"actions": list(entry.actions)}
                for name, values in (
                    ("conditions", entry.conditions),
                    ("denied_by", denied),
                    ("limits", reasons),
                ):
                    if values:
                        attributes[name] = values[:_MAX_LISTED]
                conditional = bool(entry.conditions or denied or reasons)
                self.c.grant(
                    principal.arn,
                    ref.ident,
                    _BY_RANK[entry.rank],
                    scope,
                    conditional=conditional,
                    **attributes,
                )

    def _within(self, ref: pol.ResourceRef) -> list[str] | None:
        if ref.kind == "AWS account":
            return None
        parts = ref.ident.split(":")
        if ref.ident.startswith("aws-account:"):
            return [f"aws-account:{parts[1]}"]
        account = (parts[4] if len(parts) > 4 else "") or self.account
        service = parts[2] if len(parts) > 2 else ""
        return [f"aws-account:{account}", f"aws-account:{account}:{service}"]

    def _policy_table(
        self, scope: str, statements: list[pol.Statement]
    ) -> tuple[dict[pol.ResourceRef, _Entry], list[pol.Statement]]:
        """Return what one policy allows, per resource (computed once per shared policy)."""
        key = (scope, id(statements))
        found = self.tables.get(key)
        if found is not None and found[0] is statements:
            return found[1], found[2]
        table: dict[pol.ResourceRef, _Entry] = {}
        assumes: list[pol.Statement] = []
        for statement in statements:
            if statement.effect == "Allow":
                self._allow(statement, table, assumes)
        self.tables[key] = (statements, table, assumes)
        return table, assumes

    def _allow(
        self,
        statement: pol.Statement,
        table: dict[pol.ResourceRef, _Entry],
        assumes: list[pol.Statement],
    ) -> None:
        actions = ["*"] if statement.not_action else statement.actions
        resources = ["*"] if statement.not_resource else (statement.resources or ["*"])
        for action in actions:
            if pol.is_assume(action) and statement not in assumes:
                assumes.append(statement)
            if pol.only_assume(action):
                continue
            strength = _strength(statement, action)
            if not strength.known:
                self.unknown_verbs.setdefault(action, None)
            service = pol.service_of(action)
            for pattern in resources:
                ref = pol.resource_of(pattern, self.account, service)
                entry = table.get(ref)
                if entry is None:
                    entry = table[ref] = _Entry()
                entry.rank = max(entry.rank, strength.action.rank)
                _add(entry.actions, action)
                _add(entry.patterns, pattern)
                if statement.condition:
                    _add(entry.conditions, statement.summary())
                if statement.not_action or statement.not_resource:
                    _add(entry.reasons, statement.summary())


_BY_RANK = {a.rank: a for a in Action}


def _strength(statement: pol.Statement, action: str) -> pol.Strength:
    if statement.not_action:
        excluded = [a.lower() for a in statement.actions]
        return pol.Strength(Action.WRITE if "iam:*" in excluded else Action.ADMIN)
    return pol.action_strength(action)


def _denies(deny: pol.Statement, entry: _Entry) -> bool:
    if not deny.not_action and not any(
        pol.patterns_overlap(a, d) for a in entry.actions for d in deny.actions
    ):
        return False
    if deny.not_resource or not deny.resources:
        return True
    return any(pol.patterns_overlap(p, r) for p in entry.patterns for r in deny.resources)


def _add(items: list[str], value: str) -> None:
    if value not in items and len(items) < _MAX_LISTED:
        items.append(value)


def _boundary(item: dict[str, Any]) -> str:
    boundary = item.get("PermissionsBoundary")
    if isinstance(boundary, dict) and boundary.get("PermissionsBoundaryArn"):
        return str(boundary["PermissionsBoundaryArn"]).rsplit("/", 1)[-1]
    return ""


def _account(data: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for section in ("RoleDetailList", "UserDetailList", "GroupDetailList"):
        for item in data.get(section) or []:
            if isinstance(item, dict):
                account = account_of(str(item.get("Arn") or ""))
                if account.isdigit():
                    counts[account] = counts.get(account, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else "unknown"


def read(collector: Collector, doc: Document) -> None:
    """Read one authorization-details export into the collector.

    Raises:
        IngestError: The document is not such an export.
    """
    AwsReader(collector, doc).run()
