"""Take the README screenshots from the real app (run under a virtual display).

Usage: ``xvfb-run -a python scripts/take_screenshots.py WORKSPACE OUT_DIR``. Opens the main
window on the workspace, visits each page and saves a PNG of the window for each.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from app.gui.app import create_application
from app.gui.main_window import MainWindow
from app.gui.pages.registry import PAGES
from app.gui.theme import apply_theme
from app.services.workspace import open_workspace


def main() -> int:
    """Save ``<page>.png`` for every page of the window."""
    workspace_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    apply_theme(app, "light")
    window = MainWindow(open_workspace(workspace_path, create=False))
    window.resize(1280, 800)
    window.show()
    keys = [spec.key for spec in PAGES]

    def shoot(index: int = 0) -> None:
        if index >= len(keys):
            window.close()
            app.quit()
            return
        window.show_page(keys[index])
        app.processEvents()

        def grab() -> None:
            window.grab().save(str(out_dir / f"{keys[index]}.png"))
            shoot(index + 1)

        QTimer.singleShot(600, grab)

    QTimer.singleShot(500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
