"""Kubernetes RBAC exports, read offline.

The export is ``kubectl get serviceaccounts,roles,rolebindings,clusterroles,
clusterrolebindings -A -o json`` (or ``-o yaml``).

Service accounts, and the users and groups bindings name, are identities; namespaces and the
cluster are resources. A binding gives each subject a grant on its namespace (a RoleBinding) or on
the whole cluster (a ClusterRoleBinding) at the strongest verb of the role's rules (get, list and
watch read; create, update, patch and delete write; ``*``, escalate, bind and impersonate admin;
``cluster-admin`` admin). A rule limited to ``resourceNames`` makes the grant conditional. The
``impersonate`` verb on service accounts, and creating their tokens, are delegations, and so are
the cloud roles a service account is annotated with (EKS, GKE workload identity).

RBAC has no deny rule and no condition; the cluster's name is the file's name (``prod-eks.json``
reads as cluster ``prod-eks``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.domain.enums import Action, DelegationKind, IdentityKind
from app.ingest.cloud import roles
from app.ingest.cloud.collector import Collector, as_list
from app.ingest.cloud.documents import Document
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES
from app.support.text import plural

logger = logging.getLogger(__name__)

FORMAT = "kubernetes-rbac"
PROVIDER = "Kubernetes"
COVERED = {IDENTITIES, RESOURCES, GRANTS, DELEGATIONS}
KINDS = ("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
_RBAC_OBJECTS = frozenset({"roles", "clusterroles", "rolebindings", "clusterrolebindings"})
_ORDER = {kind: number for number, kind in enumerate(KINDS)}
_CLOUD_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": ("AWS IAM", IdentityKind.ROLE),
    "iam.gke.io/gcp-service-account": ("Google Cloud", IdentityKind.SERVICE_ACCOUNT),
}


def looks_like(data: Any) -> bool:
    """Return True for a kubectl list of RBAC objects (or one such object)."""
    if not isinstance(data, dict):
        return False
    if data.get("kind") in KINDS and "apiVersion" in data:
        return True
    items = data.get("items")
    if data.get("kind") != "List" or not isinstance(items, list):
        return False
    head = [i for i in items[:5] if isinstance(i, dict)]
    return bool(head) and any(i.get("kind") in KINDS for i in head)


@dataclass
class _Rules:
    action: Action
    named: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    impersonates: list[list[str]] = field(default_factory=list)
    granting: bool = True


class KubernetesReader:
    """Reads one kubectl export into a collector."""

    def __init__(self, collector: Collector, doc: Document) -> None:
        self.c, self.doc = collector, doc
        self.cluster = doc.stem
        self.roles: dict[tuple[str, str], _Rules] = {}
        self.accounts: dict[str, list[str]] = {}
        self.unknown_verbs: dict[str, None] = {}

    def run(self) -> None:
        """Read service accounts and roles first, then the bindings."""
        data = self.doc.data
        items = data.get("items") if data.get("kind") == "List" else [data]
        if not isinstance(items, list):
            self.c.problem("items is not a list", "$.items", file=self.doc.name)
            return
        self.c.source_attribute = {f"source.{FORMAT}": f"cluster:{self.cluster}"}
        prefix = "$.items" if data.get("kind") == "List" else "$"
        ordered = sorted(range(len(items)), key=lambda i: _ORDER.get(_kind(items[i]), 9))
        for index in ordered:
            item = items[index]
            path = f"{prefix}[{index}]" if prefix != "$" else "$"
            kind = _kind(item)
            section = kind if kind in KINDS else "other objects"
            entity = {"ServiceAccount": IDENTITIES}.get(kind, GRANTS)
            with self.c.element(self.doc.name, section, index, path, entity):
                self._item(item, kind, path)
        if self.unknown_verbs:
            count = len(self.unknown_verbs)
            known = plural(count, "an RBAC verb", "RBAC verbs", number=False)
            self.c.warn(
                f"{plural(count, 'verb', number=False)} {', '.join(self.unknown_verbs)} "
                f"{plural(count, 'is', number=False)} not {known} Assay knows; read as write",
                file=self.doc.name,
            )

    def _item(self, item: Any, kind: str, path: str) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("metadata"), dict):
            self.c.problem("the object has no metadata")
            return
        meta = item["metadata"]
        if not meta.get("name"):
            self.c.problem("the object has no metadata.name")
            return
        if kind == "ServiceAccount":
            self._account(item, meta)
        elif kind in ("Role", "ClusterRole"):
            namespace = str(meta.get("namespace") or "") if kind == "Role" else ""
            self.roles[(namespace, str(meta["name"]))] = self._rules(item, path)
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            self._binding(item, meta, kind, path)
        else:
            self.c.warn(f"a {kind or 'object without kind'} is not part of RBAC; skipped")

    def _account(self, item: dict[str, Any], meta: dict[str, Any]) -> None:
        namespace, name = str(meta.get("namespace") or "default"), str(meta["name"])
        ident = self._sa_id(namespace, name)
        annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
        attributes: dict[str, Any] = {
            "namespace": namespace,
            "cluster": self.cluster,
            "aliases": [f"system:serviceaccount:{namespace}:{name}", f"{namespace}/{name}"],
        }
        if item.get("automountServiceAccountToken") is False:
            attributes["automount_token"] = False
        created = self.c.date(meta.get("creationTimestamp"), "metadata.creationTimestamp")
        self.c.identity(
            ident,
            attributes,
            name=f"{namespace}/{name}",
            kind=IdentityKind.SERVICE_ACCOUNT.value,
            provider=PROVIDER,
            created=created,
        )
        self.accounts.setdefault(namespace, []).append(ident)
        for key, (provider, kind) in _CLOUD_ANNOTATIONS.items():
            target = annotations.get(key)
            if isinstance(target, str) and target:
                self.c.identity(
                    target,
                    {},
                    stamp=False,
                    name=target.rsplit("/", 1)[-1],
                    kind=kind.value,
                    provider=provider,
                )
                self.c.delegation(
                    ident,
                    target,
                    DelegationKind.ASSUME_ROLE.value,
                    via=[f"annotation {key}"],
                    conditional=False,
                )

    def _sa_id(self, namespace: str, name: str) -> str:
        return f"k8s:{self.cluster}:serviceaccount:{namespace}:{name}"

    def _rules(self, item: dict[str, Any], path: str) -> _Rules:
        best = Action.READ
        rules = _Rules(Action.READ, granting=False)
        for number, rule in enumerate(as_list(item.get("rules"))):
            if not isinstance(rule, dict):
                self.c.problem("the rule is not an object", f"{path}.rules[{number}]")
                continue
            verbs = [str(v) for v in as_list(rule.get("verbs"))]
            resources = [str(r) for r in as_list(rule.get("resources"))]
            names = [str(n) for n in as_list(rule.get("resourceNames"))]
            delegates = _delegates(verbs, resources)
            if delegates:
                rules.impersonates.append(names)
                rules.summary.append(f"{','.join(verbs)} {','.join(resources)} (acts as)"[:120])
                continue
            rules.granting = True
            for verb in verbs:
                action, known = roles.k8s_verb_strength(verb)
                if not known:
                    self.unknown_verbs.setdefault(verb, None)
                if verb != "*" and any(r in ("pods/exec", "pods/attach") for r in resources):
                    action = max(action, Action.EXECUTE, key=lambda a: a.rank)
                if verb == "*" and "*" not in resources and not _RBAC_OBJECTS & set(resources):
                    action = Action.WRITE
                best = max(best, action, key=lambda a: a.rank)
            if names:
                rules.named.append(
                    f"{', '.join(verbs)} on {', '.join(resources)} named {', '.join(names[:5])}"
                )
            rules.summary.append(f"{','.join(verbs)} {','.join(resources) or 'urls'}"[:120])
        rules.action = best
        return rules

    def _binding(self, item: dict[str, Any], meta: dict[str, Any], kind: str, path: str) -> None:
        ref = item.get("roleRef")
        if not isinstance(ref, dict) or not ref.get("name"):
            self.c.problem("the binding has no roleRef.name", f"{path}.roleRef")
            return
        namespace = str(meta.get("namespace") or "") if kind == "RoleBinding" else ""
        role_name = str(ref["name"])
        rules = self._role(namespace, str(ref.get("kind") or "ClusterRole"), role_name, path)
        resource = self._resource(namespace)
        scope = f"{ref.get('kind') or 'ClusterRole'} {role_name}"
        for number, subject in enumerate(as_list(item.get("subjects"))):
            principal = self._subject(subject, namespace, f"{path}.subjects[{number}]")
            if principal is None or rules is None:
                continue
            attributes: dict[str, Any] = {"binding": str(meta["name"]), "rules": rules.summary[:10]}
            if rules.named:
                attributes["limits"] = rules.named[:10]
            if rules.granting:
                self.c.grant(
                    principal,
                    resource,
                    rules.action,
                    scope,
                    conditional=bool(rules.named),
                    **attributes,
                )
            for names in rules.impersonates:
                pool = [
                    a
                    for ns, accounts in self.accounts.items()
                    if not namespace or ns == namespace
                    for a in accounts
                ]
                targets = [a for a in pool if not names or a.rsplit(":", 1)[-1] in names]
                for target in targets:
                    self.c.delegation(
                        principal,
                        target,
                        DelegationKind.IMPERSONATE.value,
                        via=[f"{scope} ({meta['name']})"],
                        conditional=False,
                    )

    def _role(self, namespace: str, kind: str, name: str, path: str) -> _Rules | None:
        key = (namespace, name) if kind == "Role" else ("", name)
        found = self.roles.get(key)
        if found is None and kind == "ClusterRole" and name in roles.K8S_CLUSTER_ROLES:
            found = _Rules(roles.K8S_CLUSTER_ROLES[name], summary=[f"built-in {name}"])
        if found is None:
            self.c.warn(
                f"{kind} {name!r} is not in the export; what the binding allows is unknown",
                f"{path}.roleRef",
            )
        return found

    def _resource(self, namespace: str) -> str:
        if namespace:
            return self.c.resource(
                f"k8s:{self.cluster}:namespace:{namespace}",
                namespace,
                "Kubernetes namespace",
                within=[f"k8s:{self.cluster}"],
            )
        return self.c.resource(
            f"k8s:{self.cluster}", f"cluster {self.cluster}", "Kubernetes cluster"
        )

    def _subject(self, subject: Any, namespace: str, path: str) -> str | None:
        if not isinstance(subject, dict) or not subject.get("name"):
            self.c.problem("the subject has no name", path)
            return None
        kind, name = str(subject.get("kind") or ""), str(subject["name"])
        if kind == "ServiceAccount":
            space = str(subject.get("namespace") or namespace or "default")
            ident = self._sa_id(space, name)
            if not self.c.has(IDENTITIES, ident):
                self.c.identity(
                    ident,
                    {"namespace": space, "cluster": self.cluster},
                    name=f"{space}/{name}",
                    kind=IdentityKind.SERVICE_ACCOUNT.value,
                    provider=PROVIDER,
                )
                self.c.warn(f"service account {space}/{name} is bound but not in the export", path)
            return ident
        if kind in ("User", "Group"):
            ident = f"k8s:{self.cluster}:{kind.lower()}:{name}"
            human = IdentityKind.HUMAN_USER.value if kind == "User" else None
            return self.c.identity(
                ident,
                {"subject_kind": kind, "aliases": [name]},
                name=name,
                kind=human,
                provider=PROVIDER,
            )
        self.c.problem(f"subject kind {kind!r} is not ServiceAccount, User or Group", path)
        return None


def _delegates(verbs: list[str], resources: list[str]) -> bool:
    """Return True for a rule that only lets its holder act as service accounts."""
    impersonate = "impersonate" in verbs and set(resources) <= {
        "serviceaccounts",
        "users",
        "groups",
    }
    token = set(verbs) == {"create"} and resources == ["serviceaccounts/token"]
    return impersonate or token


def _kind(item: Any) -> str:
    return str(item.get("kind") or "") if isinstance(item, dict) else ""


def read(collector: Collector, doc: Document) -> None:
    """Read one Kubernetes RBAC export into the collector."""
    KubernetesReader(collector, doc).run()
