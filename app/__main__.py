"""Entry point of ``assay`` and ``python -m app``: the desktop app or the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Start the desktop app for ``assay`` / ``assay gui [WORKSPACE]``, else run the CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    if _wants_gui(args):
        from app.gui.app import run_gui  # Qt is imported only when the window is wanted

        return run_gui(args[1:] if args[:1] == ["gui"] else args)
    from app.cli import main as cli_main

    return cli_main(args)


def _wants_gui(args: list[str]) -> bool:
    """Return True for no arguments, ``gui ...``, a workspace file, or only ``--workspace``."""
    if not args or args[0] == "gui":
        return True
    if len(args) == 1 and args[0].endswith(".assay"):
        return True
    return len(args) == 2 and args[0] == "--workspace"


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()  # in a bundle, a background process starts here
    sys.exit(main())
