"""The demo workspace and its reports, built once for every service test that reads them.

Building the demo and rendering its reports is the slowest set-up of the suite; the demo tests
and the layout check share one build.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.pg_cluster import open_store_workspace, parametrize_stores

DEMO_DAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """The demo built into a fresh workspace: ``(result, directory)``."""
    from app.services.demo.builder import build_demo

    out: Path = tmp_path_factory.mktemp("demo-build")
    return build_demo(out / "demo.assay", today=DEMO_DAY), out


@pytest.fixture(scope="session")
def demo_reports(demo_build):
    """The demo's report files (internal and signed client PDF, workbooks, portfolio)."""
    from app.services.demo.reports import write_demo_reports

    result, out = demo_build
    return write_demo_reports(result, out / "reports")


def pytest_generate_tests(metafunc):
    """Run every test on a workspace on both stores, except those marked ``sqlite_only``."""
    parametrize_stores(metafunc)


@pytest.fixture
def workspace(request, tmp_path):
    """A fresh, migrated workspace: a file, or a database on the throw-away server."""
    yield from open_store_workspace(request, tmp_path)
