"""Entry point of ``assay`` and ``python -m app``: the desktop app or the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Start the desktop app for ``assay`` / ``assay gui [WORKSPACE]``, else run the CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] == "gui":
        from app.gui.app import run_gui  # Qt is imported only when the window is wanted

        return run_gui(args[1:] if args else [])
    from app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
