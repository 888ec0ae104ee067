"""Logging configuration: a rotating log file in the user log folder, quiet console."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Any

from app.support import paths
from app.support.safe_files import create_private

logger = logging.getLogger(__name__)

LOG_FILE_NAME = "assay.log"
# Libraries that log diagnostics with tracebacks (pyHanko reviewing an altered PDF, say):
# without a handler of their own, Python prints those records on the terminal.
_LIBRARY_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def log_file_path() -> Path:
    """Return the path of the application log file."""
    return paths.user_log_dir() / LOG_FILE_NAME


def configure_logging(level: int = logging.INFO, *, to_file: bool = True) -> None:
    """Send Assay's log records to the log file (and warnings to stderr).

    Args:
        level: The minimum level written to the file.
        to_file: Write to the rotating log file; off for short CLI runs in tests.
    """
    root = logging.getLogger("app")
    if getattr(root, "_assay_configured", False):
        return
    root.setLevel(level)
    handler: logging.Handler = logging.NullHandler()
    if to_file:
        try:
            handler = _PrivateRotatingFileHandler(
                log_file_path(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter(_FORMAT))
            root.addHandler(handler)
        except OSError as exc:  # a read-only home must not stop the app
            logging.getLogger(__name__).warning("cannot open log file: %s", exc)
    _quiet_third_party(handler)
    root._assay_configured = True  # type: ignore[attr-defined]


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created readable by its owner only (0600): logs name files."""

    def _open(self) -> Any:
        create_private(Path(self.baseFilename))  # an older, wider log file is tightened too
        return super()._open()


def _quiet_third_party(handler: logging.Handler) -> None:
    """Send Python warnings, library diagnostics and ignored exceptions to the log only.

    Deprecation notices of a library (cryptography's, say) and errors raised while an object
    is collected (a zip file closed late) mean nothing to a user reading the command's output.
    """
    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.propagate = False
    if handler not in warnings_logger.handlers:
        warnings_logger.addHandler(handler)
    sys.unraisablehook = _log_unraisable
    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.propagate = False
        if handler not in library.handlers:
            library.addHandler(handler)


def _log_unraisable(unraisable: Any) -> None:
    error = unraisable.exc_type.__name__ if unraisable.exc_type else "error"
    logger.debug("ignored %s in %r", error, unraisable.object)
