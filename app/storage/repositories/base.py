"""What every repository shares: the unit of work's session it works in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

logger = logging.getLogger(__name__)

#: ``select`` taking model attributes as they are; the rows it yields hold plain values (for
#: bulk reads that never build one ORM object per row).
plain_select: Callable[..., Any] = sa.select


class Repository:
    """A repository working in one unit of work's transaction.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
