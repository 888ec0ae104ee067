"""Run the ``assay`` CLI held at one moment, for the killed-run tests.

``python -m tests.hostile.held_cli HOLD ARGS`` runs ``assay ARGS`` but stops for good at one
moment, until the test kills the process:

- ``report``: before the rename that puts a finished report in place; its journal entry is
  committed by then.
- ``refresh``: after an import has committed, before its identity findings refresh starts.

A free run passes these moments in milliseconds, so a test polling for them could miss them
on a busy machine; held, the test kills the run at that moment every time.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from app.cli import main
from app.services.inventory_import import background


def _hold_forever() -> None:
    threading.Event().wait()


def _hold_report_rename() -> None:
    original = os.replace

    def held(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if str(src).endswith(".partial") and str(dst).endswith((".pdf", ".xlsx")):
            _hold_forever()
        original(src, dst, *args, **kwargs)

    os.replace = held


def _hold_identity_refresh() -> None:
    def held(*args: Any, **kwargs: Any) -> None:
        _hold_forever()

    background.refresh_identity_findings = held


_HOLDS: dict[str, Callable[[], None]] = {
    "report": _hold_report_rename,
    "refresh": _hold_identity_refresh,
}

if __name__ == "__main__":
    _HOLDS[sys.argv[1]]()
    sys.exit(main(sys.argv[2:]))
