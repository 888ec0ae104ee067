"""Benchmarks print figures and fail when a figure misses its stated aim.

Only ``make bench`` runs them; ``make test`` never collects this folder, so the test suite holds
no timing assert. A benchmark states each aim through the ``aims`` fixture, which prints the
figure beside its aim and, once the benchmark has run, fails it for every aim it missed.
"""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Aims:
    """The aims one benchmark states, and the ones its figures missed."""

    def __init__(self) -> None:
        self.missed: list[str] = []

    def check(self, what: str, figure: float, aim: float, unit: str = "s") -> bool:
        """Print ``figure`` against ``aim`` (at most); remember it when it is above."""
        met = figure <= aim
        print(
            f"  {what}: {figure:,.3g} {unit} (aim <= {aim:,g} {unit}) {'ok' if met else 'MISSED'}"
        )
        if not met:
            self.missed.append(f"{what} {figure:,.3g} {unit} > aim {aim:,g} {unit}")
        return met


@pytest.fixture
def aims(request):
    """Check figures against their aims; the benchmark fails afterwards for each one missed."""
    checked = Aims()
    yield checked
    if checked.missed:
        pytest.fail(f"{request.node.name} missed: " + "; ".join(checked.missed), pytrace=False)


@pytest.fixture(scope="session")
def pg_cluster():
    """A throw-away PostgreSQL cluster that flushes every commit to disk, as a real server does.

    Benchmarks compare it with a workspace file, which SQLite flushes on every commit too.
    """
    from tests.pg_cluster import running_cluster

    yield from running_cluster(durable=True)


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
    import shiboken6

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
        if shiboken6.isValid(window):  # pytest-qt may have closed and deleted it already
            window.close()


@pytest.fixture(scope="session")
def bulk_workspace_file(tmp_path_factory):
    """Return a factory: the path of a workspace with that many AI systems, built once per run."""
    from tests.bench.bulk_inventory import build_inventory

    built = {}

    def factory(systems: int):
        if systems not in built:
            folder = tmp_path_factory.mktemp(f"bulk-{systems}")
            built[systems] = build_inventory(folder / f"bulk-{systems}.assay", systems)
        return built[systems]

    return factory


@pytest.fixture(scope="session")
def scale_register(tmp_path_factory):
    """The generated 100,000-system register (a workbook), written once per run."""
    from tests.bench.scale_register import RegisterSize, write_register

    folder = tmp_path_factory.mktemp("scale-register")
    return write_register(folder / "register-100k.xlsx", RegisterSize(100_000))
