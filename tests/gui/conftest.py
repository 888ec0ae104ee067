"""Fixtures for driving the real window with pytest-qt."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_main_window(qtbot, tmp_path, workspace_template):
    """Build main windows on fresh workspaces and close them after the test."""
    from app.gui.app import create_application
    from app.gui.main_window import MainWindow
    from app.services.workspace import open_workspace
    from tests.workspace_files import copy_workspace_template

    create_application()
    windows = []

    def factory(name: str = "engagement.assay", workspace=None):
        if workspace is None:
            path = tmp_path / name
            if not path.exists():  # a new file: a copy of the migrated template
                copy_workspace_template(workspace_template, path)
            workspace = open_workspace(path, actor="tester")
        window = MainWindow(workspace)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.close()
