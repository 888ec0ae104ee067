"""Test set-up shared by the whole suite.

Qt runs offscreen, and every test gets its own ASSAY_HOME so no test touches the real user
folders.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point every user folder (data, config, logs) at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("assay-home")
    monkeypatch.setenv("ASSAY_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def workspace_template(tmp_path_factory: pytest.TempPathFactory):
    """A new workspace file migrated once per test process; fixtures hand out copies of it."""
    from tests.workspace_files import build_workspace_template

    return build_workspace_template(tmp_path_factory.mktemp("template") / "template.assay")


@pytest.fixture
def workspace(tmp_path, workspace_template):
    """A fresh, migrated workspace file in the test's temporary folder."""
    from tests.pg_cluster import open_file_workspace

    yield from open_file_workspace(tmp_path, workspace_template)


@pytest.fixture(scope="session")
def pg_cluster():
    """A throw-away PostgreSQL cluster for this test run (started on first use, then stopped)."""
    from tests.pg_cluster import running_cluster

    yield from running_cluster()


@pytest.fixture
def server_url(pg_cluster):
    """The URL of a fresh server database holding an up-to-date Assay schema."""
    url = pg_cluster.fresh_workspace_url()
    yield url
    pg_cluster.drop_database(url)
