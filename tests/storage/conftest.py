"""Storage tests run on both stores: a workspace file and a database on a PostgreSQL server."""

from __future__ import annotations

import pytest

from tests.pg_cluster import open_store_workspace, parametrize_stores


def pytest_generate_tests(metafunc):
    """Run every test on a workspace on both stores, except those marked ``sqlite_only``."""
    parametrize_stores(metafunc)


@pytest.fixture
def workspace(request, tmp_path):
    """A fresh, migrated workspace: a file, or a database on the throw-away server."""
    yield from open_store_workspace(request, tmp_path)
