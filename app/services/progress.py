"""The progress and cancellation protocol, as services use it.

It is defined once, in :mod:`app.support.progress`, so that renderers (``app.reports``) and
services share it; this module only names it for the services and their callers.
"""

from __future__ import annotations

from app.support.progress import Cancelled, NullProgress, Progress, check_cancelled, scaled

__all__ = ["Cancelled", "NullProgress", "Progress", "check_cancelled", "scaled"]
