"""Tell which identity-platform export a loaded document is, by its content alone."""

from __future__ import annotations

import logging
from typing import Any

from app.ingest.cloud import aws_iam, azure, gcp, kubernetes

logger = logging.getLogger(__name__)

#: Every export format, with the words the CLI and the window show for it.
FORMATS: dict[str, str] = {
    aws_iam.FORMAT: "AWS get-account-authorization-details (JSON)",
    azure.ROLE_ASSIGNMENTS: "Azure role assignments: az role assignment list (JSON)",
    azure.SERVICE_PRINCIPALS: "Entra ID service principals: az ad sp list (JSON)",
    azure.APP_REGISTRATIONS: "Entra ID app registrations: az ad app list (JSON)",
    azure.DENY_ASSIGNMENTS: "Azure deny assignments (JSON)",
    gcp.IAM_POLICY: "Google Cloud IAM policies: get-iam-policy or asset search (JSON)",
    gcp.SERVICE_ACCOUNTS: "Google Cloud service accounts: gcloud iam service-accounts list (JSON)",
    gcp.KEYS: "Google Cloud service account keys: gcloud iam service-accounts keys list (JSON)",
    gcp.DENY_POLICIES: "Google Cloud IAM deny policies (JSON)",
    kubernetes.FORMAT: "Kubernetes RBAC: kubectl get serviceaccounts,roles,... -o json|yaml",
}

_DETECTORS = (
    (aws_iam.FORMAT, aws_iam.looks_like),
    (kubernetes.FORMAT, kubernetes.looks_like),
    (azure.ROLE_ASSIGNMENTS, azure.looks_like_role_assignments),
    (azure.DENY_ASSIGNMENTS, azure.looks_like_deny_assignments),
    (azure.SERVICE_PRINCIPALS, azure.looks_like_service_principals),
    (azure.APP_REGISTRATIONS, azure.looks_like_app_registrations),
    (gcp.IAM_POLICY, gcp.looks_like_policy),
    (gcp.DENY_POLICIES, gcp.looks_like_deny_policies),
    (gcp.KEYS, gcp.looks_like_keys),
    (gcp.SERVICE_ACCOUNTS, gcp.looks_like_service_accounts),
)


def detect(data: Any) -> str | None:
    """Return the export format a document's content matches, or None."""
    for name, matches in _DETECTORS:
        if matches(data):
            return name
    return None


def matches(data: Any, format: str) -> bool:  # noqa: A002 - the pipeline's word
    """Return True when a document has the shape of the given export format."""
    return any(name == format and test(data) for name, test in _DETECTORS)
