"""What this computer offers Assay: folders, shared libraries, helper programs, child processes.

``assay doctor`` prints the report; ``make run`` uses the library list to say plainly which
Debian package is missing before Qt would abort. A consultant on a locked-down laptop can send
the report instead of describing symptoms.
"""

from __future__ import annotations

import ctypes.util
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from app import __version__
from app.support import paths

WINDOW, REPORTS = "the desktop window", "PDF reports"
HEADLESS_QT_PLATFORMS = ("offscreen", "minimal")
"""Qt platforms that draw no window, so the display libraries are not needed."""


@dataclass(frozen=True)
class SharedLibrary:
    """A shared library Assay loads, the Debian package holding it and what needs it."""

    name: str
    package: str
    needed_for: str
    required: bool = True


SHARED_LIBRARIES: tuple[SharedLibrary, ...] = (
    SharedLibrary("pango-1.0", "libpango-1.0-0", REPORTS),
    SharedLibrary("pangoft2-1.0", "libpangoft2-1.0-0", REPORTS),
    SharedLibrary("harfbuzz-subset", "libharfbuzz-subset0", "smaller, faster PDFs", False),
    SharedLibrary("EGL", "libegl1", WINDOW),
    SharedLibrary("xkbcommon-x11", "libxkbcommon-x11-0", WINDOW),
    SharedLibrary("xcb-cursor", "libxcb-cursor0", WINDOW),
    SharedLibrary("xcb-icccm", "libxcb-icccm4", WINDOW),
    SharedLibrary("xcb-keysyms", "libxcb-keysyms1", WINDOW),
)


@dataclass(frozen=True)
class Check:
    """One fact about the environment.

    Attributes:
        area: What the check is about ("folder", "library", "program", "process", ...).
        name: What was checked.
        ok: Whether it is as Assay needs it.
        detail: What was found (a path, a version, the reason it failed).
        required: False when Assay works without it, with less.
    """

    area: str
    name: str
    ok: bool
    detail: str
    required: bool = True


@dataclass(frozen=True)
class EnvironmentReport:
    """Every check, with the verdict."""

    version: str
    python: str
    platform: str
    bundled: bool
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Return True when every required check passed."""
        return all(check.ok for check in self.checks if check.required)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {**asdict(self), "ok": self.ok}


def missing_libraries() -> list[SharedLibrary]:
    """Return the shared libraries this Linux machine lacks (none elsewhere)."""
    if not sys.platform.startswith("linux"):
        return []
    return [lib for lib in SHARED_LIBRARIES if ctypes.util.find_library(lib.name) is None]


def inspect_environment(*, child_process: bool = True) -> EnvironmentReport:
    """Check folders, bundled content, shared libraries, helper programs and child processes.

    Args:
        child_process: Also start a child process the way long reports do, and time it.

    Returns:
        The report; ``ok`` is False when something Assay needs is missing.
    """
    checks = [*_folder_checks(), *_content_checks(), *_library_checks(), _preview_check()]
    if child_process:
        checks.append(_child_process_check())
    return EnvironmentReport(
        version=__version__,
        python=platform.python_version(),
        platform=platform.platform(terse=True),
        bundled=bool(getattr(sys, "frozen", False)),
        checks=tuple(checks),
    )


def _folder_checks() -> list[Check]:
    checks = []
    for name, locate in (
        ("data", paths.user_data_dir),
        ("preferences", paths.user_config_dir),
        ("logs", paths.user_log_dir),
    ):
        try:
            folder = locate()
        except OSError as exc:
            checks.append(Check("folder", name, False, f"cannot create: {exc.strerror or exc}"))
            continue
        writable = os.access(folder, os.W_OK)
        detail = str(folder) if writable else f"{folder} (not writable)"
        checks.append(Check("folder", name, writable, detail))
    return checks


def _content_checks() -> list[Check]:
    return [
        Check("content", name, folder.is_dir(), str(folder))
        for name, folder in (
            ("questionnaires", paths.assessments_dir()),
            ("report templates", paths.templates_dir()),
            ("resources", paths.resources_dir()),
        )
    ]


def _library_checks() -> list[Check]:
    if not sys.platform.startswith("linux"):
        return []
    missing = {lib.name for lib in missing_libraries()}
    headless = os.environ.get("QT_QPA_PLATFORM", "") in HEADLESS_QT_PLATFORMS
    checks = []
    for lib in SHARED_LIBRARIES:
        detail = f"needed for {lib.needed_for}"
        if lib.name in missing:
            detail += f"; install the Debian package {lib.package}"
        required = lib.required and not (headless and lib.needed_for == WINDOW)
        checks.append(Check("library", lib.name, lib.name not in missing, detail, required))
    return checks


def _preview_check() -> Check:
    found = shutil.which("pdftoppm")
    detail = found or "not found: report previews in the window are off (poppler-utils)"
    return Check("program", "pdftoppm", found is not None, detail, required=False)


def _child_process_check() -> Check:
    from app.services.child_process import run_in_child

    started = time.perf_counter()
    try:
        pid = run_in_child(_child_pid)
    except Exception as exc:  # the point of the check is to report any failure
        return Check("process", "background process", False, f"cannot start one: {exc}")
    seconds = time.perf_counter() - started
    ok = pid != os.getpid()
    return Check("process", "background process", ok, f"started and answered in {seconds:.1f} s")


def _child_pid(*, progress: object) -> int:
    """Return the process id (runs in the child)."""
    return os.getpid()
