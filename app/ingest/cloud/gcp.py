"""Google Cloud IAM exports, read offline.

- IAM policies: ``gcloud projects|folders|organizations get-iam-policy`` (one policy, whose
  resource the file does not name: it is inferred and reported) or ``gcloud asset
  search-all-iam-policies`` (a list of policies, each with its resource, service accounts'
  own policies included). Each binding gives its members a grant on the resource at the
  strength of its role; a binding's condition makes the grant conditional. Token Creator,
  Service Account User and Workload Identity User are delegations to the service account
  they are granted on (or to every known service account of the project they are granted on).
- ``gcloud iam service-accounts list`` and ``… keys list`` (JSON): service accounts and their
  user-managed keys, with the keys' validity dates.
- IAM deny policies (``gcloud iam policies get … --kind=denypolicies``): kept on the grants of
  the principals they deny, which become conditional.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections import Counter
from typing import Any

from app.domain.enums import IdentityKind
from app.ingest.cloud import roles
from app.ingest.cloud.collector import Collector, as_list, short
from app.ingest.cloud.documents import Document
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES
from app.support.text import plural

logger = logging.getLogger(__name__)

IAM_POLICY = "gcp-iam-policy"
SERVICE_ACCOUNTS = "gcp-service-accounts"
KEYS = "gcp-service-account-keys"
DENY_POLICIES = "gcp-deny-policies"
FORMATS = (IAM_POLICY, SERVICE_ACCOUNTS, KEYS, DENY_POLICIES)
PROVIDER = "Google Cloud"
COVERED = {
    IAM_POLICY: {IDENTITIES, RESOURCES, GRANTS, DELEGATIONS},
    SERVICE_ACCOUNTS: {IDENTITIES},
    KEYS: {IDENTITIES},
    DENY_POLICIES: set(),
}
_SA_SUFFIX = ".iam.gserviceaccount.com"
_CRM = "//cloudresourcemanager.googleapis.com/"
_MEMBER_KINDS = {
    "user": IdentityKind.HUMAN_USER.value,
    "serviceAccount": IdentityKind.SERVICE_ACCOUNT.value,
}
_PUBLIC = {"allUsers": "anyone on the internet", "allAuthenticatedUsers": "any Google account"}


def looks_like_policy(data: Any) -> bool:
    """Return True for one IAM policy or a list of asset-search policy results."""
    if isinstance(data, dict):
        return isinstance(data.get("bindings"), list) and "rules" not in data
    items = [i for i in data[:5] if isinstance(i, dict)] if isinstance(data, list) else []
    return bool(items) and any(isinstance(i.get("policy"), dict) and "resource" in i for i in items)


def looks_like_service_accounts(data: Any) -> bool:
    """Return True for ``gcloud iam service-accounts list`` output."""
    items = [i for i in data[:5] if isinstance(i, dict)] if isinstance(data, list) else []
    return bool(items) and any(
        "email" in i and ("uniqueId" in i or "/serviceAccounts/" in str(i.get("name", "")))
        for i in items
    )


def looks_like_keys(data: Any) -> bool:
    """Return True for ``gcloud iam service-accounts keys list`` output."""
    items = [i for i in data[:5] if isinstance(i, dict)] if isinstance(data, list) else []
    return bool(items) and any("/keys/" in str(i.get("name", "")) or "keyType" in i for i in items)


def looks_like_deny_policies(data: Any) -> bool:
    """Return True for one IAM deny policy or a list of them."""
    items = data if isinstance(data, list) else [data]
    items = [i for i in items[:5] if isinstance(i, dict)]
    return bool(items) and any(
        isinstance(i.get("rules"), list) and "denypolicies" in str(i.get("name", "")).lower()
        for i in items
    )


def resource_of(name: str) -> tuple[str, str, str]:
    """Return the id, name and kind of a full resource name (``//…googleapis.com/…``)."""
    if name.startswith(_CRM):
        rest = name[len(_CRM) :]
        kind = {
            "projects": "GCP project",
            "folders": "GCP folder",
            "organizations": "GCP organization",
        }.get(rest.split("/", 1)[0], "GCP resource")
        return rest, rest.split("/", 1)[-1], kind
    host, _, path = name.lstrip("/").partition("/")
    service = host.split(".", 1)[0]
    if service == "iam" and "/serviceAccounts/" in path:
        return path, path.rsplit("/", 1)[-1], "GCP service account"
    kinds = {
        "storage": "GCS bucket",
        "bigquery": "BigQuery dataset",
        "secretmanager": "secret",
        "aiplatform": "Vertex AI resource",
        "cloudkms": "KMS key",
    }
    return f"{service}/{path}", path.rsplit("/", 1)[-1], kinds.get(service, f"GCP {service}")


class GcpReader:
    """Reads the Google Cloud exports of one import."""

    def __init__(self, collector: Collector, docs: list[tuple[Document, str]]) -> None:
        self.c, self.docs = collector, docs
        self.accounts: dict[str, set[str]] = {}
        self.unknown_roles: dict[str, tuple[str, str]] = {}
        self.system_keys = 0
        self.projects: dict[str, str] = {}
        self.within: list[str] | None = None

    def run(self) -> None:
        """Read service accounts and keys, then policies, then deny policies."""
        for wanted in (SERVICE_ACCOUNTS, KEYS, IAM_POLICY, DENY_POLICIES):
            for doc, format_ in self.docs:
                if format_ == wanted:
                    self.c.source_attribute = {f"source.{format_}": self._tag(doc)}
                    getattr(self, f"_read_{format_.split('-', 1)[1].replace('-', '_')}")(doc)
        for role, (file, path) in self.unknown_roles.items():
            self.c.warn(
                f"role {role} is not a role Assay knows (a custom role's permissions "
                "are not in the export); read as write",
                path,
                file=file,
            )
        if self.system_keys:
            keys = next(d.name for d, f in self.docs if f == KEYS)
            self.c.warn(
                f"{plural(self.system_keys, 'Google-managed key')} "
                f"{plural(self.system_keys, 'was', number=False)} not taken as "
                "identities: Google holds and rotates them",
                file=keys,
            )

    def _tag(self, doc: Document) -> str:
        return f"project:{self._project(doc) or doc.stem}"

    def _project(self, doc: Document) -> str:
        data = doc.data
        items = data if isinstance(data, list) else [data]
        found: Counter[str] = Counter()
        for item in items[:200]:
            if not isinstance(item, dict):
                continue
            if item.get("projectId"):
                found[str(item["projectId"])] += 1
            for binding in as_list(item.get("bindings") or item.get("policy", {}).get("bindings")):
                for member in as_list(binding.get("members")) if isinstance(binding, dict) else []:
                    email = str(member).split(":", 1)[-1]
                    if email.endswith(_SA_SUFFIX) and "@" in email:
                        project = email.split("@", 1)[1][: -len(_SA_SUFFIX)]
                        if "." not in project:
                            found[project] += 1
            if "/serviceAccounts/" in str(item.get("name", "")):
                found[str(item["name"]).split("/")[1]] += 1
        return found.most_common(1)[0][0] if found else ""

    def _items(self, doc: Document, section: str, entity: str) -> Any:
        data = doc.data if isinstance(doc.data, list) else [doc.data]
        for index, item in enumerate(data):
            path = f"$[{index}]" if isinstance(doc.data, list) else "$"
            with self.c.element(doc.name, section, index, path, entity):
                if not isinstance(item, dict):
                    self.c.problem("the entry is not a JSON object")
                    continue
                yield item, path

    # -- service accounts and keys ----------------------------------------------------------

    def _read_service_accounts(self, doc: Document) -> None:
        for item, _path in self._items(doc, "service accounts", IDENTITIES):
            email = str(item.get("email") or "")
            if "@" not in email:
                self.c.problem("the service account has no email")
                continue
            project = str(item.get("projectId") or email.split("@", 1)[1].split(".", 1)[0])
            self.accounts.setdefault(project, set()).add(email)
            attributes = {
                "project": project,
                "unique_id": str(item.get("uniqueId") or ""),
                "aliases": [
                    x for x in (str(item.get("uniqueId") or ""), str(item.get("name") or "")) if x
                ],
            }
            if item.get("disabled"):
                attributes["disabled"] = True
            self.c.identity(
                email,
                attributes,
                name=str(item.get("displayName") or email),
                kind=IdentityKind.SERVICE_ACCOUNT.value,
                provider=PROVIDER,
            )

    def _read_service_account_keys(self, doc: Document) -> None:
        for item, _path in self._items(doc, "keys", IDENTITIES):
            name = str(item.get("name") or "")
            if "/keys/" not in name:
                self.c.problem("the key has no name of the form …/serviceAccounts/…/keys/…")
                continue
            if str(item.get("keyType") or "").upper() == "SYSTEM_MANAGED":
                self.system_keys += 1
                continue
            account = name.split("/serviceAccounts/", 1)[1].split("/keys/", 1)[0]
            created = self.c.date(item.get("validAfterTime"), "validAfterTime")
            expires = self.c.date(item.get("validBeforeTime"), "validBeforeTime")
            attributes: dict[str, Any] = {
                "service_account": account,
                "algorithm": str(item.get("keyAlgorithm") or ""),
            }
            if expires is not None and expires.year >= 9999:
                expires, attributes["never_expires"] = None, True
            if item.get("disabled"):
                attributes["disabled"] = True
            key_id = name.rsplit("/", 1)[-1]
            self.c.identity(
                name,
                attributes,
                name=f"{account.split('@')[0]} key {key_id[:8]}",
                kind=IdentityKind.API_KEY.value,
                provider=PROVIDER,
                created=created,
                last_rotated=created,
                expires=expires,
            )

    # -- policies ---------------------------------------------------------------------------

    def _read_iam_policy(self, doc: Document) -> None:
        if isinstance(doc.data, dict):
            project = self._project(doc)
            name = f"{_CRM}projects/{project or doc.stem}"
            self.c.warn(
                f"the policy does not name its resource; read as project "
                f"{project or doc.stem!r} (inferred from "
                f"{'its service accounts' if project else 'the file name'})",
                file=doc.name,
            )
            self._policy(doc, name, doc.data, "$", 0)
            return
        for item in doc.data:
            if isinstance(item, dict) and str(item.get("resource", "")).startswith(
                f"{_CRM}projects/"
            ):
                self.projects[str(item.get("project") or "")] = resource_of(item["resource"])[0]
        for index, item in enumerate(doc.data):
            if not isinstance(item, dict) or not isinstance(item.get("policy"), dict):
                with self.c.element(doc.name, "policies", index, f"$[{index}]", GRANTS):
                    self.c.problem("the entry has no policy object")
                continue
            within = self.projects.get(str(item.get("project") or ""))
            self._policy(
                doc,
                str(item.get("resource") or ""),
                item["policy"],
                f"$[{index}].policy",
                index,
                within,
            )

    def _policy(
        self,
        doc: Document,
        full_name: str,
        policy: dict[str, Any],
        path: str,
        number: int,
        within: str | None = None,
    ) -> None:
        ident, name, kind = resource_of(full_name)
        if ident.startswith("projects/") and "/serviceAccounts/" in ident:
            within = ident.split("/serviceAccounts/", 1)[0]
        self.within = [within] if within and within != ident else None
        bindings = policy.get("bindings")
        if not isinstance(bindings, list):
            with self.c.element(doc.name, "policies", number, path, GRANTS):
                self.c.problem("bindings is not a list", f"{path}.bindings")
            return
        section = f"bindings of {name}"
        for index, binding in enumerate(bindings):
            where = f"{path}.bindings[{index}]"
            with self.c.element(doc.name, section, index, where, GRANTS):
                self._binding(binding, where, ident, name, kind)

    def _binding(self, binding: Any, path: str, ident: str, name: str, kind: str) -> None:
        if not isinstance(binding, dict) or not isinstance(binding.get("role"), str):
            self.c.problem("the binding has no role")
            return
        role = binding["role"]
        members = binding.get("members")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            self.c.problem("members is not a list of text", f"{path}.members")
            return
        condition = binding.get("condition")
        attributes: dict[str, Any] = {"role": role}
        if isinstance(condition, dict):
            attributes["conditions"] = [
                short(condition.get("title") or "", 80)
                + ": "
                + short(condition.get("expression") or "", 240)
            ]
        delegating = roles.GCP_DELEGATING.get(role.lower())
        if not delegating:
            self.c.resource(ident, name, kind, within=self.within)
        for member in members:
            principal = self._member(member, f"{path}.members")
            if principal is None:
                continue
            if delegating:
                self._delegate(principal, ident, kind, delegating, attributes)
                continue
            action, known = roles.gcp_strength(role)
            if not known:
                self.unknown_roles.setdefault(role, (self.c.place[0], f"{path}.role"))
            self.c.grant(principal, ident, action, role, conditional=bool(condition), **attributes)

    def _member(self, member: str, path: str) -> str | None:
        if member in _PUBLIC:
            return self.c.identity(
                member, {"public": True}, name=_PUBLIC[member], provider=PROVIDER
            )
        kind, _, value = member.partition(":")
        if kind == "deleted":
            self.c.warn(
                f"{short(member, 80)} is a deleted principal; its binding grants nothing", path
            )
            return None
        if not value:
            self.c.warn(f"member {short(member, 80)!r} is not of the form type:name; skipped", path)
            return None
        if kind == "serviceAccount" and value.endswith(_SA_SUFFIX):
            project = value.split("@", 1)[1][: -len(_SA_SUFFIX)]
            self.accounts.setdefault(project, set()).add(value)
        ident = value if kind in ("user", "serviceAccount", "group") else member
        return self.c.identity(
            ident,
            {"member_type": kind, "aliases": [member]},
            name=value,
            kind=_MEMBER_KINDS.get(kind),
            provider=PROVIDER,
        )

    def _delegate(
        self, principal: str, ident: str, kind: str, how: str, attributes: dict[str, Any]
    ) -> None:
        if kind == "GCP service account":
            targets = [ident.rsplit("/", 1)[-1]]
        elif kind == "GCP project":
            targets = sorted(self.accounts.get(ident.split("/", 1)[-1], ()))
        else:
            targets = sorted({a for accounts in self.accounts.values() for a in accounts})
        for target in targets:
            if not self.c.has(IDENTITIES, target):
                self.c.identity(
                    target,
                    {},
                    name=target,
                    kind=IdentityKind.SERVICE_ACCOUNT.value,
                    provider=PROVIDER,
                )
            extra = dict(
                attributes,
                via=[f"{attributes['role']} on {ident}"],
                conditional=bool(attributes.get("conditions")),
            )
            extra.pop("role", None)
            self.c.delegation(principal, target, how, **extra)

    # -- deny policies ----------------------------------------------------------------------

    def _read_deny_policies(self, doc: Document) -> None:
        for item, path in self._items(doc, "deny policies", GRANTS):
            name = urllib.parse.unquote(str(item.get("name") or ""))
            point = name.split("policies/", 1)[-1].split("/denypolicies/", 1)[0]
            attached = resource_of("//" + point)[0] if point else ""
            for number, rule in enumerate(as_list(item.get("rules"))):
                deny = rule.get("denyRule") if isinstance(rule, dict) else None
                if not isinstance(deny, dict):
                    self.c.problem("the rule has no denyRule", f"{path}.rules[{number}]")
                    continue
                self._deny(deny, attached, name.rsplit("/", 1)[-1], f"{path}.rules[{number}]")

    def _deny(self, rule: dict[str, Any], attached: str, name: str, path: str) -> None:
        denied = {_principal_email(p) for p in as_list(rule.get("deniedPrincipals"))}
        excepted = {_principal_email(p) for p in as_list(rule.get("exceptionPrincipals"))}
        permissions = [str(p) for p in as_list(rule.get("deniedPermissions"))]
        summary = f"deny policy {name}: denies {', '.join(permissions[:4]) or '*'}"
        if isinstance(rule.get("denialCondition"), dict):
            summary += f" when {short(rule['denialCondition'].get('expression') or '', 160)}"
        count = 0
        for grant in self.c.records(GRANTS):
            identity, resource = grant.key[0], grant.key[1]
            if identity in excepted or not ("*" in denied or identity in denied):
                continue
            if not attached or resource == attached or resource.startswith(attached + "/"):
                grant.values["conditional"] = True
                listed = grant.attributes.setdefault("denied_by", [])
                if summary not in listed:
                    listed.append(summary)
                count += 1
        if not count:
            self.c.warn(f"{name} narrows no grant of this import", path)


def _principal_email(principal: Any) -> str:
    text = str(principal)
    if text.startswith("principalSet://goog/public:all"):
        return "*"
    return text.rsplit("/", 1)[-1]


def read(collector: Collector, docs: list[tuple[Document, str]]) -> None:
    """Read the Google Cloud exports of one import into the collector."""
    GcpReader(collector, docs).run()
