"""Resources that stand for a whole scope: an account, subscription, project or cluster.

Admin over such a resource is control of everything in it, its identities included: whoever
holds it can give themselves any other access. The identity exports name these resources by
their kind; the blast radius treats admin over one as critical (see
:mod:`app.domain.blast_radius`).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

#: Resource kinds that stand for a whole account, subscription, project or cluster.
WHOLE_SCOPES = frozenset(
    {
        "AWS account",
        "Azure root",
        "Azure management group",
        "Azure subscription",
        "GCP organization",
        "GCP folder",
        "GCP project",
        "Kubernetes cluster",
    }
)


def is_whole_scope(kind: str) -> bool:
    """Return True for the kind of a resource that stands for a whole scope."""
    return kind in WHOLE_SCOPES
