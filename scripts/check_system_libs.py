"""Say plainly which shared library the desktop app is missing, before Qt aborts."""

from __future__ import annotations

import sys

from app.services.environment import missing_libraries


def main() -> int:
    """Print the missing libraries with the apt-get line that installs them."""
    missing = missing_libraries()
    for lib in missing:
        kind = "system library" if lib.required else "optional system library"
        print(f"missing {kind} {lib.package} (needed for {lib.needed_for})", file=sys.stderr)  # noqa: T201
    if missing:
        packages = " ".join(sorted({lib.package for lib in missing}))
        print(f"install with: sudo apt-get install {packages}", file=sys.stderr)  # noqa: T201
    return 1 if any(lib.required for lib in missing) else 0


if __name__ == "__main__":
    sys.exit(main())
