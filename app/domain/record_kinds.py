"""The kinds of inventory record, as import sheets, the journal and the tables name them."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

SYSTEMS, IDENTITIES, RESOURCES, GRANTS, DELEGATIONS = (
    "systems",
    "identities",
    "resources",
    "grants",
    "delegations",
)
ENTITIES = (SYSTEMS, IDENTITIES, RESOURCES, GRANTS, DELEGATIONS)
