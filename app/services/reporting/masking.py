"""The client profile: secret identifiers masked and internal notes removed from a view-model.

The walk is generic: every text field of every nested view-model passes through
:func:`app.reports.masking.mask_secret`, except fields that hold hashes, colours, images or fixed
method texts, which must stay exactly as they are. Internal notes (``Answer.notes``) are emptied
so that no template can show them, whatever it does.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, TypeVar

from app.reports.masking import mask_secret

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Text fields left exactly as built: hashes, colours, images, fixed wording, enum-like values.
UNMASKED_FIELDS = frozenset(
    {
        "sha256",
        "question_id",
        "logo",
        "primary_colour",
        "accent_colour",
        "method_text",
        "gap_method_text",
        "formula",
        "profile",
        "data_sources",
        "severity",
        "status",
        "source",
        "kind",
        "media_type",
    }
)
#: Text fields emptied in the client profile.
INTERNAL_FIELDS = frozenset({"notes"})


def _masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secret(value)
    if isinstance(value, tuple):
        return tuple(_masked_value(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return for_client(value)
    return value


def for_client(model: _T) -> _T:
    """Return a copy of a view-model with secrets masked and internal notes removed."""
    if not dataclasses.is_dataclass(model) or isinstance(model, type):
        return model
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(model):
        value = getattr(model, item.name)
        if item.name in INTERNAL_FIELDS and isinstance(value, str):
            changes[item.name] = ""
        elif item.name not in UNMASKED_FIELDS:
            new = _masked_value(value)
            if new is not value and new != value:
                changes[item.name] = new
    return dataclasses.replace(model, **changes) if changes else model
