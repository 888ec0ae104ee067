"""Take the README screenshots from the real app (run under a virtual display).

Usage: ``xvfb-run -a python scripts/take_screenshots.py WORKSPACE OUT_DIR``. Opens the main
window on the workspace and saves PNGs of the welcome view (on a fresh workspace), every page,
a system's blast radius and an assessment's dashboard.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer

from app.gui.app import create_application
from app.gui.main_window import MainWindow
from app.gui.pages.registry import PAGES
from app.gui.theme import apply_theme
from app.services.workspace import open_workspace

SYSTEM = "AIS-025"


def _steps(window: MainWindow, workspace: Path) -> list[tuple[str, Callable[[], None]]]:
    steps: list[tuple[str, Callable[[], None]]] = [
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

    steps += [("system", system), ("dashboard", dashboard)]
    return steps


def main() -> int:
    """Save a PNG of the window after each step."""
    workspace_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    apply_theme(app, "light")
    fresh = Path(tempfile.mkdtemp()) / "new-engagement.assay"
    window = MainWindow(open_workspace(fresh))
    window.resize(1360, 820)
    window.show()
    steps = _steps(window, workspace_path)

    def run(index: int = 0) -> None:
        if index >= len(steps):
            window.close()
            app.quit()
            return
        name, action = steps[index]
        action()

        def grab() -> None:
            if name != "open":
                window.grab().save(str(out_dir / f"{name}.png"))
            run(index + 1)

        QTimer.singleShot(2500, grab)  # let workers fill tables and charts

    QTimer.singleShot(500, run)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
