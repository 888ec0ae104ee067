"""Errors raised while rendering, signing, verifying or reading back reports."""

from __future__ import annotations

import logging

from app.support.progress import Cancelled

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A report cannot be produced or read; the message says why, in plain words."""


class ReportCancelled(ReportError, Cancelled):  # noqa: N818 - the name reads as what happened
    """The caller's progress object asked the rendering to stop (a :class:`Cancelled`)."""


class ReportDataError(ReportError):
    """Data given to a report does not fit the view-model (names the field path)."""


class FetchRefused(ReportError):  # noqa: N818 - the name reads as what happened
    """A template or document asked for a URL outside the bundled templates and resources."""


class SigningError(ReportError):
    """A PDF cannot be signed (wrong password, unreadable certificate, unreadable PDF)."""


class WorkbookImportError(ReportError):
    """A responses workbook cannot be opened at all (not a workbook, no responses sheet)."""
