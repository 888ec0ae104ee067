"""Benchmarks print figures; they never assert wall-clock times."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def demo_workspace_file(tmp_path_factory):
    """The demo workspace (inventory, evidence, answered assessments), built once per run."""
    from app.services.demo.builder import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "demo.assay")


@pytest.fixture
def demo_workspace(demo_workspace_file, tmp_path):
    """A copy of the demo workspace that the test may change, opened (its window closes it)."""
    from app.services.workspace import open_workspace

    copy = tmp_path / "ws" / demo_workspace_file.workspace_path.name
    copy.parent.mkdir()
    shutil.copy2(demo_workspace_file.workspace_path, copy)
    return open_workspace(copy, actor="bench")


@pytest.fixture
def make_main_window(qtbot, tmp_path):
    """Build real main windows (shown, offscreen) and close them after the test."""
    from app.gui import tasks
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow
    from app.services.workspace import open_workspace

    create_application()
    windows = []

    def factory(workspace=None):
        window = MainWindow(workspace or open_workspace(tmp_path / "bench.assay", actor="bench"))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        windows.append(window)
        # Measure from a settled window, as a user starts work after it has opened: the
        # questionnaire catalog is loaded.
        qtbot.waitUntil(lambda: window.context._catalog is not None, timeout=60_000)
        qtbot.wait(200)
        return window

    yield factory
    tasks.wait_for_all()
    for window in windows:
        window.close()
