"""Take the README screenshots from the real app (run under a virtual display).

Usage: ``xvfb-run -a python scripts/take_screenshots.py WORKSPACE OUT_DIR [REGISTER]``. Opens
the main window on the workspace and saves PNGs of the welcome view (on a fresh workspace), every
page, a system's blast radius, an assessment's dashboard, an identity's window and the comparison
of a re-assessment with its first round; with a REGISTER workbook, also the import wizard's check
step on it (its values not understood).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.gui.app import create_application
from app.gui.main_window import MainWindow
from app.gui.pages.registry import PAGES
from app.gui.theme import apply_theme
from app.services.workspace import open_workspace

SYSTEM, IDENTITY = "AIS-025", "sa-ais025"
SUBCATEGORY_QUESTION = "ir8596.secure.PR.AA-05"  # one screen for Secure, Defend and Thwart

Step = tuple[str, Callable[[], QWidget | None]]


def _steps(window: MainWindow, workspace: Path, register: Path | None) -> list[Step]:
    steps: list[Step] = [
        ("welcome", lambda: window.show_page("overview")),
        ("open", lambda: window.open_path(workspace)),
    ]
    steps += [(spec.key, lambda key=spec.key: window.show_page(key)) for spec in PAGES]

    def system() -> None:
        window.show_page("inventory")
        view = window.page("inventory").open_system(SYSTEM)
        view.tabs.setCurrentIndex(view.tabs.count() - 2)  # the blast radius tab

    def dashboard() -> None:
        window.show_page("assessments")
        window.page("assessments").tabs.setCurrentIndex(1)

    def identity() -> QWidget:
        window.show_page("inventory")
        return window.page("inventory").open_identity(IDENTITY)

    def reassessment() -> None:
        window.show_page("assessments")
        page = window.page("assessments")
        infos = [page.assessment_box.itemData(i) for i in range(page.assessment_box.count())]
        later = [i for i in infos if _previous_of(window, i) is not None]
        page.assessment_box.setCurrentIndex(infos.index(later[0]))
        page.tabs.setCurrentIndex(0)

    def compare() -> QWidget | None:
        return window.page("assessments").lifecycle.open_compare()

    steps += [("system", system), ("dashboard", dashboard), ("identity", identity)]

    def subcategory() -> None:
        page = window.page("assessments")
        page.navigator.select_question(SUBCATEGORY_QUESTION)
        page.tabs.setCurrentWidget(page.scope.subcategory)

    def opinion() -> QWidget:
        from app.gui.dialogs.opinion_dialog import OpinionDialog

        window.show_page("assessments")
        page = window.page("assessments")
        infos = [page.assessment_box.itemData(i) for i in range(page.assessment_box.count())]
        finals = [_previous_of(window, i) for i in infos if _previous_of(window, i) is not None]
        dialog = OpinionDialog(window.context, finals[0], page)  # the signed round's opinion
        dialog.resize(1100, 760)
        dialog.show()
        return dialog

    steps += [("reassessment", reassessment), ("compare", compare)]
    steps += [("subcategory", subcategory), ("opinion", opinion)]
    if register is not None:
        steps.append(("import-values", lambda: _import_check(window, register)))
    return steps


def _import_check(window: MainWindow, register: Path) -> QWidget:
    """Open the import wizard on a register and walk it to the check step, page by page."""
    window.show_page("inventory")
    wizard = window.page("inventory").start_import()
    wizard.file_page.path_edit.setText(str(register))
    wizard.next()

    def advance() -> None:
        if wizard.file_preview is None:
            QTimer.singleShot(200, advance)
            return
        wizard.next()  # the column mapping
        wizard.next()  # the check, which runs the dry run

    QTimer.singleShot(200, advance)
    return wizard


def _previous_of(window: MainWindow, assessment_id: int) -> int | None:
    from app.services.assessments import get_assessment

    return get_assessment(window.context.workspace, assessment_id).previous_id


def main() -> int:
    """Save a PNG of the window after each step."""
    workspace_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    register = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    apply_theme(app, "light")
    fresh = workspace_path.with_name("new-engagement.assay")  # beside it; removed at the end
    window = MainWindow(open_workspace(fresh))
    window.resize(1360, 820)
    window.show()
    steps = _steps(window, workspace_path, register)

    def run(index: int = 0) -> None:
        if index >= len(steps):
            window.close()
            app.quit()
            return
        name, action = steps[index]
        result = action()
        shown = result if isinstance(result, QWidget) else None

        def grab() -> None:
            if name not in ("open", "reassessment"):
                (shown or window).grab().save(str(out_dir / f"{name}.png"))
            if shown is not None:
                shown.close()
            run(index + 1)

        wait = 6000 if name == "import-values" else 2500
        QTimer.singleShot(wait, grab)  # let workers fill tables and charts

    QTimer.singleShot(500, run)
    try:
        return app.exec()
    finally:
        for leftover in fresh.parent.glob(f"{fresh.name}*"):
            leftover.unlink()


if __name__ == "__main__":
    sys.exit(main())
