"""File ▸ Hand out package…, Hand back package…, Merge package…, and File ▸ Open of a hand-out.

Both write through the window's one writer: the merge's dry run (it writes nothing) and then
the merge with the lead's decisions; opening a hand-out first creates the new workspace the
assessor names, then fills it from the package.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from app.gui import file_dialogs
from app.gui.dialogs.handout_dialog import HandoutDialog
from app.gui.dialogs.merge_dialog import MergeDialog
from app.services.assessment_records import list_assessments
from app.services.packages.handback import export_handback
from app.services.packages.handout import PackageResult, export_handout, open_handout
from app.services.packages.merge import MergeResult, merge_package
from app.support.paths import PACKAGE_SUFFIX, WORKSPACE_SUFFIX
from app.support.text import plural

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

logger = logging.getLogger(__name__)

PACKAGE_FILTER = f"Assay packages (*{PACKAGE_SUFFIX});;All files (*)"


def choose_package_to_merge(window: MainWindow) -> None:
    """Ask for a hand-back package and show what merging it would do."""
    path = file_dialogs.get_open_file_name(window, "Merge package", "", PACKAGE_FILTER)
    if path:
        show_merge(window, Path(path))


def show_merge(window: MainWindow, path: Path) -> None:
    """Run the merge's dry run on the writer, then let the lead decide and merge."""
    context = window.context
    context.write(
        merge_package, path, dry_run=True,
        on_success=lambda result: _decide(window, path, result),
        on_failure=lambda exc: context.refuse(window, "Cannot merge the package",
                                              "The package", exc),
    )  # fmt: skip


def _decide(window: MainWindow, path: Path, result: MergeResult) -> None:
    if result.already_merged:
        window.context.status_message.emit(f"{path.name} was merged before: nothing to do")
        return
    dialog = MergeDialog(result, window, path.name)
    window.merge_dialog = dialog  # reachable while open (tests, screenshots)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    merge(window, path, dialog)


def merge(window: MainWindow, path: Path, dialog: MergeDialog) -> None:
    """Merge the package with the dialog's decisions: one write of the one writer."""
    context = window.context
    context.write(
        merge_package, path, decisions=dialog.decisions(),
        on_success=lambda result: _merged(window, path, result),
        on_failure=lambda exc: context.refuse(window, "Cannot merge the package",
                                              "The package", exc),
    )  # fmt: skip


def _merged(window: MainWindow, path: Path, result: MergeResult) -> None:
    counts = result.counts()
    window.context.status_message.emit(
        f"Merged {path.name}: {counts['new']} new, {counts['theirs']} changed by them, "
        f"{plural(len(result.decisions), 'conflict')} decided"
    )


def open_package(window: MainWindow, package: Path) -> None:
    """Open a hand-out package as a new workspace the assessor names, in this window."""
    target = file_dialogs.get_save_file_name(
        window,
        "Save the hand-out as a new workspace",
        "",
        f"Assay workspaces (*{WORKSPACE_SUFFIX})",
    )
    if not target:
        return
    path = Path(target)
    if path.suffix != WORKSPACE_SUFFIX:
        path = path.with_suffix(WORKSPACE_SUFFIX)
    if not window.open_path(path, create=True):
        return
    context = window.context
    context.write(
        open_handout, package,
        on_success=lambda result: _opened(window, result),
        on_failure=lambda exc: context.refuse(window, "Cannot open the package",
                                              "The hand-out", exc),
    )  # fmt: skip


def _opened(window: MainWindow, result: PackageResult) -> None:
    window.context.status_message.emit(
        f"Opened {result.path.name}: {plural(result.counts.get('assessment', 0), 'assessment')} "
        f"to work on" + (f", signed by {result.signer}" if result.signer else "")
    )


def _package_path(window: MainWindow, caption: str) -> Path | None:
    target = file_dialogs.get_save_file_name(window, caption, "", PACKAGE_FILTER)
    if not target:
        return None
    path = Path(target)
    return path if path.suffix == PACKAGE_SUFFIX else path.with_suffix(PACKAGE_SUFFIX)


def hand_out(window: MainWindow) -> None:
    """Ask who the hand-out is for and what it carries, then write it on the one writer."""
    context = window.context
    dialog = HandoutDialog(list_assessments(context.workspace), window)
    window.handout_dialog = dialog  # reachable while open (tests)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    path = _package_path(window, "Save the hand-out package")
    if path is None:
        return
    context.write(
        export_handout, dialog.assessor(), path, assessments=dialog.assessment_ids(),
        on_success=lambda result: _written(window, "Handed out", result),
        on_failure=lambda exc: context.refuse(window, "Cannot hand out", "The package", exc),
    )  # fmt: skip


def hand_back(window: MainWindow) -> None:
    """Write what changed since this workspace's hand-out, on the one writer."""
    path = _package_path(window, "Save the hand-back package")
    if path is None:
        return
    context = window.context
    context.write(
        export_handback, path,
        on_success=lambda result: _written(window, "Handed back", result),
        on_failure=lambda exc: context.refuse(window, "Cannot hand back", "The package", exc),
    )  # fmt: skip


def _written(window: MainWindow, verb: str, result: PackageResult) -> None:
    records = sum(result.counts.values())
    window.context.status_message.emit(f"{verb} {result.path.name}: {plural(records, 'record')}")
