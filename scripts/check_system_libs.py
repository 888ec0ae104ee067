"""Say plainly which shared library the desktop app is missing, before Qt aborts."""

from __future__ import annotations

import ctypes.util
import sys

# (library name as ctypes finds it, Debian package that provides it, what needs it)
NEEDED = [
    ("pango-1.0", "libpango-1.0-0", "PDF reports (WeasyPrint)"),
    ("pangoft2-1.0", "libpangoft2-1.0-0", "PDF reports (WeasyPrint)"),
    ("EGL", "libegl1", "the Qt window"),
    ("xkbcommon-x11", "libxkbcommon-x11-0", "the Qt window"),
    ("xcb-cursor", "libxcb-cursor0", "the Qt window"),
    ("xcb-icccm", "libxcb-icccm4", "the Qt window"),
    ("xcb-keysyms", "libxcb-keysyms1", "the Qt window"),
]


def main() -> int:
    """Print the missing libraries with the apt-get line that installs them."""
    if not sys.platform.startswith("linux"):
        return 0
    missing = [(pkg, why) for lib, pkg, why in NEEDED if ctypes.util.find_library(lib) is None]
    if not missing:
        return 0
    for pkg, why in missing:
        print(f"missing system library {pkg} (needed for {why})", file=sys.stderr)
    packages = " ".join(sorted({pkg for pkg, _ in missing}))
    print(f"install with: sudo apt-get install {packages}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
