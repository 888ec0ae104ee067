"""Files created safely: private files (0600) and temporary files that never follow a link.

A temporary file is made in the folder of its destination (so the final rename is atomic), under
a fresh random name, with ``O_CREAT | O_EXCL`` (and ``O_NOFOLLOW`` where the system has it): a
file or symbolic link planted under that name makes the creation fail instead of being
followed, and nothing outside the destination's folder is ever written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_MODE = 0o600
PARTIAL_SUFFIX = ".partial"
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_ATTEMPTS = 20


def tighten(fd: int) -> None:
    """Make an open file readable and writable by its owner only (where the system allows)."""
    if hasattr(os, "fchmod"):
        os.fchmod(fd, PRIVATE_MODE)


def create_private(path: Path) -> None:
    """Create ``path`` as an empty file only its owner can read (or tighten an existing one).

    Raises:
        OSError: The file cannot be created.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), PRIVATE_MODE)
    try:
        tighten(fd)
    finally:
        os.close(fd)


def partial_name(target: Path) -> Path:
    """Return a fresh, unguessable temporary name beside ``target``."""
    return target.with_name(f".{target.name}.{secrets.token_hex(8)}{PARTIAL_SUFFIX}")


def create_exclusive(path: Path, mode: int = PRIVATE_MODE) -> None:
    """Create ``path`` empty; fail if anything (a file, a link) already has that name.

    Raises:
        FileExistsError: Something already exists under the name.
        OSError: The folder cannot be written.
    """
    os.close(os.open(path, _EXCLUSIVE, mode))


def new_partial(target: Path, mode: int = PRIVATE_MODE) -> Path:
    """Create and return an empty temporary file beside ``target`` (never following a link).

    Raises:
        OSError: The folder cannot be written.
    """
    for _ in range(_ATTEMPTS):
        candidate = partial_name(target)
        try:
            create_exclusive(candidate, mode)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"cannot create a temporary file beside {target.name}")


@contextlib.contextmanager
def staged(target: Path, mode: int = PRIVATE_MODE) -> Iterator[Path]:
    """Yield a fresh temporary file beside ``target``; move it into place when the block ends.

    The block writes the temporary file (by path or by opening it); when it raises, the file is
    deleted and ``target`` is left as it was.
    """
    partial = new_partial(target, mode)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


#: Mode of files meant to be shared, such as reports (the user's umask still applies).
SHARED_MODE = 0o666


def write_atomically(target: Path, data: bytes, mode: int = SHARED_MODE) -> None:
    """Write ``data`` to ``target`` through a fresh temporary file: whole or not at all.

    Raises:
        OSError: The folder cannot be written.
    """
    with staged(target, mode) as partial, partial.open("r+b") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


_UNSAFE_NAME_CHARS = re.compile(
    '[\x00-\x1f\x7f-\x9f<>:"|?*\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]'
)
_RESERVED_NAMES = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {
    f"{d}{n}" for d in ("com", "lpt") for n in [*range(10), "\u00b9", "\u00b2", "\u00b3"]
}
#: Unicode categories never kept in a name: controls, format characters (zero-width, byte
#: order mark, bidirectional marks), line and paragraph separators, surrogates, private use.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
MAX_NAME_CHARS = 180


def safe_base_name(name: str, fallback: str = "evidence") -> str:
    """Reduce a recorded file name to a plain base name, safe to show and to create anywhere.

    Folder parts (either slash), control characters, bidirectional overrides and characters
    Windows forbids are removed; leading dots, reserved device names and over-long names are
    defused. The result never leaves the folder it is joined to.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in _UNSAFE_CATEGORIES)
    base = _UNSAFE_NAME_CHARS.sub("", base).strip().strip(".").strip()
    if not base:
        return fallback
    _stem, dot, suffix = base.rpartition(".")
    if base.split(".", 1)[0].rstrip().lower() in _RESERVED_NAMES:  # Windows: NUL.tar.gz too
        base = "_" + base
    if len(base) > MAX_NAME_CHARS:
        keep = suffix[:20] if dot else ""
        base = base[: MAX_NAME_CHARS - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return base


#: Suffixes the desktop runs rather than shows when a file is opened.
RUNNABLE_SUFFIXES = frozenset(
    (".app", ".bat", ".cmd", ".com", ".cpl", ".exe", ".hta", ".jar", ".js", ".jse", ".lnk",
     ".msc", ".msi", ".msp", ".pif", ".ps1", ".psm1", ".reg", ".scr", ".sh", ".url", ".vb",
     ".vbe", ".vbs", ".ws", ".wsf", ".desktop", ".command")
)  # fmt: skip


def is_runnable(path: Path) -> bool:
    """Return True when opening the file would run it (a program, script or shortcut)."""
    return path.suffix.lower() in RUNNABLE_SUFFIXES
