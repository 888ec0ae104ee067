"""Built-in role names of Azure, Google Cloud and Kubernetes, and the strength each gives.

Exact names first; then the word a role name ends with (``… Reader``, ``….viewer``), which the
platforms use consistently; a role matching neither is reported and read as write.
"""

from __future__ import annotations

import logging

from app.domain.enums import Action

logger = logging.getLogger(__name__)

A, W, X, R = Action.ADMIN, Action.WRITE, Action.EXECUTE, Action.READ

AZURE_ROLES: dict[str, Action] = {
    "owner": A,
    "user access administrator": A,
    "role based access control administrator": A,
    "key vault administrator": A,
    "storage blob data owner": A,
    "azure kubernetes service rbac cluster admin": A,
    "azure kubernetes service cluster admin role": A,
    "contributor": W,
    "key vault secrets officer": W,
    "key vault crypto officer": W,
    "key vault secrets user": R,
    "key vault reader": R,
    "reader": R,
    "cognitive services openai user": X,
    "cognitive services user": X,
    "cognitive services openai contributor": W,
    "azure ai developer": W,
    "managed identity operator": X,
    "key vault crypto user": X,
    "logic app operator": X,
    "azure service bus data sender": W,
    "azure service bus data receiver": R,
    "azureml data scientist": W,
    "search index data reader": R,
}
#: Role definition ids of the four general built-in roles (for exports without role names).
AZURE_ROLE_IDS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
}
_AZURE_SUFFIXES = (
    ("owner", A),
    ("administrator", A),
    ("admin", A),
    ("contributor", W),
    ("officer", W),
    ("writer", W),
    ("editor", W),
    ("sender", W),
    ("reader", R),
    ("viewer", R),
    ("receiver", R),
    ("user", X),
    ("operator", X),
    ("invoker", X),
)
#: Azure roles that let the holder attach a user-assigned managed identity and act as it.
AZURE_IDENTITY_USERS = frozenset({"owner", "contributor", "managed identity operator"})

GCP_ROLES: dict[str, Action] = {
    "roles/owner": A,
    "roles/editor": W,
    "roles/viewer": R,
    "roles/browser": R,
    "roles/iam.serviceaccountkeyadmin": A,
    "roles/resourcemanager.projectiamadmin": A,
    "roles/iam.securityadmin": A,
    "roles/storage.objectadmin": W,
    "roles/secretmanager.secretaccessor": R,
    "roles/cloudkms.cryptokeyencrypterdecrypter": X,
    "roles/bigquery.dataowner": A,
    "roles/aiplatform.user": X,
    "roles/run.invoker": X,
    "roles/logging.logwriter": W,
    "roles/monitoring.metricwriter": W,
    "roles/pubsub.publisher": W,
    "roles/pubsub.subscriber": R,
}
_GCP_SUFFIXES = (
    ("admin", A),
    ("owner", A),
    ("editor", W),
    ("writer", W),
    ("creator", W),
    ("developer", W),
    ("publisher", W),
    ("contributor", W),
    ("viewer", R),
    ("reader", R),
    ("accessor", R),
    ("subscriber", R),
    ("user", X),
    ("invoker", X),
    ("runner", X),
    ("decrypter", X),
)
#: Google Cloud roles that let the holder act as a service account (delegations, not grants).
GCP_DELEGATING = {
    "roles/iam.serviceaccounttokencreator": "impersonate",
    "roles/iam.serviceaccountuser": "impersonate",
    "roles/iam.workloadidentityuser": "impersonate",
    "roles/iam.serviceaccountopenidtokencreator": "impersonate",
}

K8S_CLUSTER_ROLES: dict[str, Action] = {"cluster-admin": A, "admin": A, "edit": W, "view": R}
_K8S_VERBS: dict[str, Action] = {
    "get": R,
    "list": R,
    "watch": R,
    "create": W,
    "update": W,
    "patch": W,
    "delete": W,
    "deletecollection": W,
    "escalate": A,
    "bind": A,
    "impersonate": A,
    "*": A,
    "use": X,
    "approve": A,
    "sign": A,
}


def azure_strength(role: str) -> tuple[Action, bool]:
    """Return the strength of an Azure role name and whether the name was recognised."""
    return _by_name(role.strip().lower(), AZURE_ROLES, _AZURE_SUFFIXES)


def gcp_strength(role: str) -> tuple[Action, bool]:
    """Return the strength of a Google Cloud role (``roles/storage.objectViewer``)."""
    key = role.strip().lower()
    if key.startswith(("projects/", "organizations/")):  # custom roles: permissions unknown
        return Action.WRITE, False
    return _by_name(key, GCP_ROLES, _GCP_SUFFIXES)


def k8s_verb_strength(verb: str) -> tuple[Action, bool]:
    """Return the strength of a Kubernetes RBAC verb."""
    found = _K8S_VERBS.get(verb.strip().lower())
    return (found, True) if found is not None else (Action.WRITE, False)


def _by_name(
    key: str, exact: dict[str, Action], suffixes: tuple[tuple[str, Action], ...]
) -> tuple[Action, bool]:
    if key in exact:
        return exact[key], True
    for suffix, action in suffixes:
        if key.endswith(suffix):
            return action, True
    return Action.WRITE, False
