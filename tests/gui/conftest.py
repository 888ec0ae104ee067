"""Fixtures for driving the real window with pytest-qt."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_main_window(qtbot, tmp_path):
    """Build main windows on fresh workspaces and close them after the test."""
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow
    from app.services.workspace import open_workspace

    create_application()
    windows = []

    def factory(name: str = "engagement.assay", workspace=None):
        ws = workspace or open_workspace(tmp_path / name, actor="tester")
        window = MainWindow(ws)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.close()
