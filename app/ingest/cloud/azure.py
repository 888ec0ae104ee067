"""Azure and Microsoft Entra ID exports, read offline.

- ``az role assignment list --all`` (JSON): each assignment is a grant of its principal on its
  scope (management group, subscription, resource group or resource, each a resource) at the
  strength of its role; an assignment's ABAC ``condition`` makes the grant conditional. Owner,
  Contributor and Managed Identity Operator over a user-assigned managed identity let the
  principal attach that identity and act as it: a delegation.
- ``az ad sp list`` and ``az ad app list`` (JSON): service principals, managed identities and
  app registrations with their credentials' start and end dates.
- Deny assignments (``az rest`` on ``Microsoft.Authorization/denyAssignments``): kept on the
  grants they may narrow, which become conditional.

Several of these files imported together (a folder) are linked: a managed identity's resource
path, read from ``az ad sp list``, ties it to the scopes that name it.
"""

from __future__ import annotations

import logging
from typing import Any

from app.domain.enums import DelegationKind, IdentityKind
from app.ingest.cloud import roles
from app.ingest.cloud.collector import Collector, as_list, short
from app.ingest.cloud.documents import Document
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES

logger = logging.getLogger(__name__)

ROLE_ASSIGNMENTS = "azure-role-assignments"
SERVICE_PRINCIPALS = "azure-service-principals"
APP_REGISTRATIONS = "azure-app-registrations"
DENY_ASSIGNMENTS = "azure-deny-assignments"
FORMATS = (ROLE_ASSIGNMENTS, SERVICE_PRINCIPALS, APP_REGISTRATIONS, DENY_ASSIGNMENTS)
PROVIDER = "Microsoft Entra ID"
COVERED = {
    ROLE_ASSIGNMENTS: {IDENTITIES, RESOURCES, GRANTS, DELEGATIONS},
    SERVICE_PRINCIPALS: {IDENTITIES},
    APP_REGISTRATIONS: {IDENTITIES},
    DENY_ASSIGNMENTS: set(),
}
EVERYONE = "00000000-0000-0000-0000-000000000000"
_KINDS = {
    "serviceprincipal": IdentityKind.SERVICE_ACCOUNT.value,
    "user": IdentityKind.HUMAN_USER.value,
    "managedidentity": IdentityKind.MANAGED_IDENTITY.value,
}
_MI_PATH = "/providers/microsoft.managedidentity/userassignedidentities/"


def _first(data: Any, count: int = 5) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        return []
    return [item for item in data[:count] if isinstance(item, dict)]


def looks_like_role_assignments(data: Any) -> bool:
    """Return True for ``az role assignment list`` output."""
    items = _first(data)
    return bool(items) and any(
        "principalId" in i
        and "scope" in i
        and ("roleDefinitionName" in i or "roleDefinitionId" in i)
        for i in items
    )


def looks_like_service_principals(data: Any) -> bool:
    """Return True for ``az ad sp list`` output."""
    items = _first(data)
    return bool(items) and any(
        "servicePrincipalType" in i or ("appId" in i and "servicePrincipalNames" in i)
        for i in items
    )


def looks_like_app_registrations(data: Any) -> bool:
    """Return True for ``az ad app list`` output."""
    items = _first(data)
    return bool(items) and any(
        "appId" in i
        and "servicePrincipalType" not in i
        and ("signInAudience" in i or "passwordCredentials" in i or "keyCredentials" in i)
        for i in items
    )


def _deny_items(data: Any) -> list[Any] | None:
    items = data.get("value") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return None
    return items


def looks_like_deny_assignments(data: Any) -> bool:
    """Return True for a list of deny assignments (bare or under ``value``)."""
    items = _first(_deny_items(data))
    return bool(items) and any(
        "denyAssignmentName" in i.get("properties", i)
        or ("permissions" in i.get("properties", i) and "principals" in i.get("properties", i))
        for i in items
    )


def scope_resource(scope: str) -> tuple[str, str]:
    """Return the name and kind of an Azure scope path."""
    parts = [p for p in scope.split("/") if p]
    low = [p.lower() for p in parts]
    if not parts:
        return "Azure root (every scope)", "Azure root"
    if low[:3] == ["providers", "microsoft.management", "managementgroups"] and len(parts) == 4:
        return parts[3], "Azure management group"
    if low[0] == "subscriptions" and len(parts) == 2:
        return parts[1], "Azure subscription"
    if low[0] == "subscriptions" and len(parts) == 4 and low[2] == "resourcegroups":
        return parts[3], "Azure resource group"
    if "providers" in low and len(parts) >= low.index("providers") + 4:
        at = len(low) - 1 - low[::-1].index("providers")
        return parts[-1], "/".join(parts[at + 1 : at + 3])
    return parts[-1], "Azure resource"


class AzureReader:
    """Reads the Azure exports of one import, in the order that lets them link up."""

    def __init__(self, collector: Collector, docs: list[tuple[Document, str]]) -> None:
        self.c, self.docs = collector, docs
        self.scopes: dict[str, str] = {}
        self.identities_at: dict[str, str] = {}
        self.by_app: dict[str, str] = {}
        self.unknown_roles: dict[str, tuple[str, str]] = {}
        self.principals: set[str] = set()

    def run(self) -> None:
        """Read service principals, then apps, then role assignments, then deny assignments."""
        for wanted in (SERVICE_PRINCIPALS, APP_REGISTRATIONS, ROLE_ASSIGNMENTS, DENY_ASSIGNMENTS):
            for doc, format_ in self.docs:
                if format_ == wanted:
                    self._read(doc, format_)
        for role, (file, path) in self.unknown_roles.items():
            reason = f"role {role!r} is not a built-in role Assay knows; read as write"
            self.c.warn(reason, path, file=file)

    def _read(self, doc: Document, format_: str) -> None:
        self.c.source_attribute = {f"source.{format_}": self._tag(doc, format_)}
        readers = {
            SERVICE_PRINCIPALS: self._principal,
            APP_REGISTRATIONS: self._app,
            ROLE_ASSIGNMENTS: self._assignment,
            DENY_ASSIGNMENTS: self._deny,
        }
        items = _deny_items(doc.data) if format_ == DENY_ASSIGNMENTS else doc.data
        base = "$.value" if isinstance(doc.data, dict) else "$"
        entity = {ROLE_ASSIGNMENTS: GRANTS, DENY_ASSIGNMENTS: GRANTS}.get(format_, IDENTITIES)
        for index, item in enumerate(items or []):
            path = f"{base}[{index}]"
            with self.c.element(doc.name, format_, index, path, entity):
                if not isinstance(item, dict):
                    self.c.problem("the entry is not a JSON object")
                    continue
                readers[format_](item, path)

    def _tag(self, doc: Document, format_: str) -> str:
        items = _deny_items(doc.data) or []
        for item in items[:50]:
            if not isinstance(item, dict):
                continue
            tenant = item.get("appOwnerOrganizationId") or item.get("publisherDomain")
            scope = str(item.get("scope") or item.get("properties", {}).get("scope") or "")
            if format_ in (ROLE_ASSIGNMENTS, DENY_ASSIGNMENTS) and scope.lower().startswith(
                "/subscriptions/"
            ):
                return "subscription:" + scope.split("/")[2].lower()
            if tenant and format_ in (SERVICE_PRINCIPALS, APP_REGISTRATIONS):
                return f"tenant:{tenant}"
        return f"file:{doc.stem}"

    # -- principals -------------------------------------------------------------------------

    def _principal(self, item: dict[str, Any], _path: str) -> None:
        object_id = str(item.get("id") or item.get("objectId") or "")
        if not object_id:
            self.c.problem("the service principal has neither id nor objectId")
            return
        kind_text = str(item.get("servicePrincipalType") or "").lower()
        kind = _KINDS.get(kind_text, IdentityKind.SERVICE_ACCOUNT.value)
        app_id = str(item.get("appId") or "")
        names = [str(n) for n in as_list(item.get("alternativeNames")) if isinstance(n, str)]
        paths = [n for n in names if _MI_PATH in n.lower()]
        attributes = self._credentials(item)
        attributes.update(
            object_id=object_id,
            app_id=app_id,
            aliases=[
                x
                for x in [
                    app_id,
                    str(item.get("displayName") or ""),
                    *as_list(item.get("servicePrincipalNames")),
                ]
                if x
            ],
            principal_type=item.get("servicePrincipalType") or "",
        )
        if item.get("accountEnabled") is False:
            attributes["disabled"] = True
        if paths:
            attributes["resource_path"] = paths[0]
            self.identities_at[paths[0].lower()] = object_id
        if app_id:
            self.by_app[app_id] = object_id
        self.c.identity(
            object_id,
            attributes,
            name=str(item.get("displayName") or object_id),
            kind=kind,
            provider=PROVIDER,
            **self._dates(item),
        )

    def _app(self, item: dict[str, Any], _path: str) -> None:
        app_id = str(item.get("appId") or "")
        if not app_id:
            self.c.problem("the app registration has no appId")
            return
        ident = self.by_app.get(app_id)
        if ident is None:
            ident = app_id
            self.c.warn(
                "its service principal is not in this import: the app's credentials are "
                "kept on an identity named by its appId (import az ad sp list with it to "
                "link them to its role assignments)"
            )
        attributes = self._credentials(item)
        attributes.update(
            app_id=app_id,
            app_object_id=str(item.get("id") or ""),
            sign_in_audience=str(item.get("signInAudience") or ""),
            aliases=[app_id, str(item.get("displayName") or "")],
        )
        dates = self._dates(item)
        dates["created"] = self.c.date(item.get("createdDateTime"), "createdDateTime")
        self.c.identity(
            ident,
            attributes,
            name=str(item.get("displayName") or app_id),
            kind=IdentityKind.SERVICE_ACCOUNT.value,
            provider=PROVIDER,
            **dates,
        )

    def _credentials(self, item: dict[str, Any]) -> dict[str, Any]:
        creds = []
        for key, kind in (("passwordCredentials", "secret"), ("keyCredentials", "certificate")):
            for cred in as_list(item.get(key)):
                if isinstance(cred, dict):
                    creds.append(
                        {
                            "type": kind,
                            "name": str(cred.get("displayName") or ""),
                            "start": str(cred.get("startDateTime") or "")[:10],
                            "end": str(cred.get("endDateTime") or "")[:10],
                        }
                    )
        return {"credentials": creds} if creds else {}

    def _dates(self, item: dict[str, Any]) -> dict[str, Any]:
        ends, starts = [], []
        for key in ("passwordCredentials", "keyCredentials"):
            for number, cred in enumerate(as_list(item.get(key))):
                if isinstance(cred, dict):
                    where = f"{key}[{number}]"
                    ends.append(self.c.date(cred.get("endDateTime"), f"{where}.endDateTime"))
                    starts.append(self.c.date(cred.get("startDateTime"), f"{where}.startDateTime"))
        ends, starts = [d for d in ends if d], [d for d in starts if d]
        return {"expires": max(ends, default=None), "last_rotated": max(starts, default=None)}

    # -- role assignments -------------------------------------------------------------------

    def _scope(self, scope: str) -> str:
        key = scope.rstrip("/").lower() or "/"
        if key not in self.scopes:
            self.scopes[key] = scope.rstrip("/") or "/"
            name, kind = scope_resource(scope)
            self.c.resource(self.scopes[key], name, kind, within=_ancestors(key))
        return self.scopes[key]

    def _assignment(self, item: dict[str, Any], path: str) -> None:
        principal, scope = str(item.get("principalId") or ""), item.get("scope")
        if not principal or not isinstance(scope, str) or not scope.startswith("/"):
            self.c.problem("the assignment needs a principalId and a scope starting with '/'")
            return
        role = str(item.get("roleDefinitionName") or "")
        role = role or roles.AZURE_ROLE_IDS.get(
            str(item.get("roleDefinitionId") or "").rsplit("/", 1)[-1].lower(), ""
        )
        if not role:
            self.c.problem(
                "the assignment has no roleDefinitionName and its roleDefinitionId "
                "is not a built-in role Assay knows",
                f"{path}.roleDefinitionId",
            )
            return
        action, known = roles.azure_strength(role)
        if not known:
            self.unknown_roles.setdefault(role, (self.c.place[0], f"{path}.roleDefinitionName"))
        if principal not in self.principals:
            kind_text = str(item.get("principalType") or "").lower()
            self.c.identity(
                principal,
                {
                    "principal_type": item.get("principalType") or "",
                    "aliases": [str(item.get("principalName") or "")],
                },
                name=str(item.get("principalName") or ""),
                kind=_KINDS.get(kind_text),
                provider=PROVIDER,
            )
        resource = self._scope(scope)
        condition = item.get("condition")
        attributes: dict[str, Any] = {"role": role, "assignment": str(item.get("name") or "")}
        if condition:
            attributes["conditions"] = [short(condition, 300)]
        self.c.grant(principal, resource, action, role, conditional=bool(condition), **attributes)
        if role.lower() in roles.AZURE_IDENTITY_USERS:
            self._identity_users(principal, scope, role, condition)
        if not self.c.failed:
            self.principals.add(principal)

    def _identity_users(self, principal: str, scope: str, role: str, condition: Any) -> None:
        key = scope.rstrip("/").lower()
        targets = [i for p, i in self.identities_at.items() if p == key or p.startswith(key + "/")]
        if not targets and _MI_PATH in key:
            name = scope.rstrip("/").rsplit("/", 1)[-1]
            targets = [
                self.c.identity(
                    scope.rstrip("/"),
                    {"resource_path": scope},
                    name=name,
                    kind=IdentityKind.MANAGED_IDENTITY.value,
                    provider=PROVIDER,
                )
            ]
            self.c.warn(
                "the managed identity this scope names is not in an az ad sp list "
                "export of this import; it is kept under its resource path"
            )
        for target in targets:
            attributes: dict[str, Any] = {
                "via": [f"{role} on {scope}"],
                "conditional": bool(condition),
            }
            if condition:
                attributes["conditions"] = [short(condition, 300)]
            self.c.delegation(principal, target, DelegationKind.IMPERSONATE.value, **attributes)

    # -- deny assignments -------------------------------------------------------------------

    def _deny(self, item: dict[str, Any], path: str) -> None:
        props = item.get("properties") if isinstance(item.get("properties"), dict) else item
        scope = str(props.get("scope") or "")
        name = str(props.get("denyAssignmentName") or item.get("name") or "deny assignment")
        principals = {
            str(p.get("id")) for p in as_list(props.get("principals")) if isinstance(p, dict)
        }
        excluded = {
            str(p.get("id")) for p in as_list(props.get("excludePrincipals")) if isinstance(p, dict)
        }
        if not scope.startswith("/") or not principals:
            self.c.problem("the deny assignment needs a scope and principals")
            return
        actions = [
            a
            for perm in as_list(props.get("permissions"))
            if isinstance(perm, dict)
            for a in as_list(perm.get("actions")) + as_list(perm.get("dataActions"))
        ]
        summary = (
            f"deny assignment {name}: denies {', '.join(map(str, actions[:4])) or '*'} at {scope}"
        )
        narrowed = mark_denied(self.c, scope, principals, excluded, summary)
        if not narrowed:
            self.c.warn(f"{name} narrows no grant of this import", path)


def _ancestors(key: str) -> list[str]:
    """Return the scopes above a (lower-case) scope path: root, subscription, resource group."""
    parts = [p for p in key.split("/") if p]
    found = ["/"] if parts else []
    for size in (2, 4):
        if len(parts) > size and parts[0] == "subscriptions":
            found.append("/" + "/".join(parts[:size]))
    return found


def mark_denied(
    collector: Collector, scope: str, principals: set[str], excluded: set[str], summary: str
) -> int:
    """Mark the grants a deny may narrow as conditional; return how many."""
    key = scope.rstrip("/").lower()
    count = 0
    for grant in collector.records(GRANTS):
        identity, resource = grant.key[0], grant.key[1].lower()
        everyone = EVERYONE in principals
        if identity in excluded or not (everyone or identity in principals):
            continue
        if resource == key or resource.startswith(key + "/") or key.startswith(resource + "/"):
            grant.values["conditional"] = True
            denied = grant.attributes.setdefault("denied_by", [])
            if summary not in denied:
                denied.append(summary)
            count += 1
    return count


def read(collector: Collector, docs: list[tuple[Document, str]]) -> None:
    """Read the Azure exports of one import into the collector."""
    AzureReader(collector, docs).run()
