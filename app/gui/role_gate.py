"""Which buttons a team role may use: one table of actions and the least role each needs.

The team server refuses these actions to a lesser role whatever the window does; the window
disables their buttons beforehand and says why, in the server's own words. A file workspace,
the database's owner and a login without a team role have no role here: nothing is disabled.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from app.services.server_roles import REFUSAL_PREFIX, TEAM_ROLES

logger = logging.getLogger(__name__)

#: Each guarded action: the least team role that may take it, and what it does.
ACTIONS: dict[str, tuple[str, str]] = {
    "finalise": ("lead", "finalise an assessment"),
    "approve": ("reviewer", "approve an assessment"),
    "comment": ("reviewer", "write a review comment"),
    "delete": ("lead", "delete AI systems or identities"),
    "delete_finding": ("lead", "delete a finding entered by hand"),
    "sign": ("lead", "sign a report"),
}


def refusal(role: str | None, action: str) -> str | None:
    """Return why ``role`` may not take ``action`` (the server's sentence), or None if it may."""
    least, what = ACTIONS[action]
    if role is None or role not in TEAM_ROLES:
        return None
    if TEAM_ROLES.index(role) >= TEAM_ROLES.index(least):
        return None
    sentence = f"{REFUSAL_PREFIX} ({role}) cannot {what}"
    return sentence[0].upper() + sentence[1:]


def gate(widget: QWidget, role: str | None, action: str, tip: str | None = None) -> bool:
    """Disable ``widget`` with the refusal as its tooltip when ``role`` may not take ``action``.

    When the role may, ``tip`` (if given) becomes the tooltip again.

    Returns:
        True when the role may take the action (the widget is left as it was).
    """
    reason = refusal(role, action)
    if reason is None:
        if tip is not None:
            widget.setToolTip(tip)
        return True
    widget.setEnabled(False)
    widget.setToolTip(reason)
    return False
