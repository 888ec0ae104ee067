"""A throw-away PostgreSQL cluster on localhost for the tests of the server store.

``initdb`` and ``pg_ctl`` come from ``pg_config --bindir`` or the Debian folders. The cluster's
data and socket live in a temporary folder and it listens on a free port of 127.0.0.1 with
trust authentication. ``initdb`` refuses to run as root, so as root both run as the
``postgres`` user (the folder is handed to it). One template database is migrated once; each
test gets a fresh copy with ``CREATE DATABASE ... TEMPLATE`` (fast).

When the binaries are missing the server tests skip with the reason, unless
``ASSAY_REQUIRE_POSTGRES=1`` (as in CI), when they fail instead.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The login the tests work as (the cluster's superuser): the journal's actor is "tester".
LOGIN = "tester"
TEMPLATE = "assay_template"
#: The stores the shared ``workspace`` fixture runs on.
STORES = ["sqlite", "postgresql"]
_counter = itertools.count(1)


def find_bindir() -> Path | None:
    """Return the folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    candidates: list[str] = []
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            )
            candidates.append(out.stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def unavailable(reason: str) -> None:
    """Skip (or, when PostgreSQL is required, fail) a test that needs the cluster."""
    if os.environ.get("ASSAY_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (ASSAY_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A running throw-away cluster.

    Args:
        bindir: The folder of initdb and pg_ctl.
        root: An empty folder for the data and the socket.
        durable: Flush every commit to disk, as a real server does (the tests skip it).
    """

    def __init__(self, bindir: Path, root: Path, *, durable: bool = False) -> None:
        self.durable = durable
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        """Create the cluster and start it (as the ``postgres`` user when run as root)."""
        if self._as_postgres:
            self.root.chmod(0o755)
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            LOGIN,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",  # text sorts by code point, as SQLite sorts it
            "--no-sync",
        )
        settings = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200"
        )
        if not self.durable:  # tests need no crash safety; benchmarks measure with it
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            settings,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        """Stop the cluster immediately (its folder goes with the temporary folders)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def url(self, database: str, user: str = LOGIN) -> str:
        """Return the URL of a database of this cluster."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, *statements: str) -> None:
        """Run statements outside a transaction on the maintenance database."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database (a copy of ``template`` when given); return its URL."""
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.admin(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def make_template(self) -> None:
        """Create the template database with Assay's schema (the same migrations as a file)."""
        from app.services.server_workspace import init_server

        init_server(self.create_database(TEMPLATE))  # closes its connections: copies may begin

    def fresh_workspace_url(self) -> str:
        """Return the URL of a new database holding a copy of the migrated template."""
        return self.create_database(f"assay_test_{os.getpid()}_{next(_counter)}", template=TEMPLATE)

    def drop_database(self, url: str) -> None:
        """Drop a test's database (its connections are ended first)."""
        name = url.rsplit("/", 1)[1]
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


#: A memory file system the test clusters live on when it has room.
MEMORY_FOLDER = Path("/dev/shm")
#: Free space the memory file system needs (a test database takes about 8 MB until dropped).
MEMORY_NEEDED = 1 << 30


def cluster_parent(*, durable: bool) -> str | None:
    """Return the folder to hold a cluster: in memory when it can be, else the temporary folder.

    ``CREATE DATABASE`` copies the template's few hundred files; on a disk that takes one to two
    seconds a test here, in memory under a tenth of a second. The cluster is thrown away after
    the run, so nothing is lost by keeping it in memory. A durable cluster (for benchmarks)
    stays on the disk it measures.
    """
    if durable:
        return None
    try:
        stats = os.statvfs(MEMORY_FOLDER)
    except OSError:
        return None
    if stats.f_bavail * stats.f_frsize < MEMORY_NEEDED or not os.access(MEMORY_FOLDER, os.W_OK):
        return None
    return str(MEMORY_FOLDER)


def running_cluster(*, durable: bool = False) -> Iterator[Cluster]:
    """Yield a started cluster in a fresh temporary folder; stop it and remove the folder after."""
    # Not under pytest's own temporary folder: as root that is closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="assay-pg-", dir=cluster_parent(durable=durable)))
    try:
        cluster = start_cluster(root, durable=durable)
        yield cluster
        cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def start_cluster(tmp_root: Path, *, durable: bool = False) -> Cluster:
    """Start a cluster with a migrated template, or skip/fail when PostgreSQL is missing.

    A ``durable`` cluster flushes every commit to disk (for benchmarks).
    """
    bindir = find_bindir()
    if bindir is None:
        unavailable("initdb and pg_ctl were not found (install the postgresql package)")
    assert bindir is not None
    cluster = Cluster(bindir, tmp_root, durable=durable)
    try:
        cluster.start()
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        unavailable(f"the throw-away cluster did not start: {detail}")
    cluster.make_template()
    return cluster


def open_store_workspace(request: pytest.FixtureRequest, tmp_path: Path):
    """Yield a fresh workspace on the store named by the fixture's parameter (file or server)."""
    from app.services.workspace import open_workspace

    if getattr(request, "param", "sqlite") == "postgresql":
        ws = open_workspace(request.getfixturevalue("server_url"))
        yield ws
        ws.close()
        return
    yield from open_file_workspace(tmp_path, request.getfixturevalue("workspace_template"))


def open_file_workspace(tmp_path: Path, template: Path):
    """Yield a fresh workspace file: for tests of what only a file has (its path, SQLite).

    The file is a copy of the migrated ``template`` (the ``workspace_template`` fixture).
    """
    from app.services.workspace import open_workspace
    from tests.workspace_files import copy_workspace_template

    path = copy_workspace_template(template, tmp_path / "test.assay")
    ws = open_workspace(path, actor="tester")
    yield ws
    ws.close()


def parametrize_stores(metafunc: pytest.Metafunc) -> None:
    """Run a test that uses the ``workspace`` fixture once per store (``sqlite_only``: file)."""
    if "workspace" not in metafunc.fixturenames:
        return
    only_file = metafunc.definition.get_closest_marker("sqlite_only") is not None
    metafunc.parametrize("workspace", ["sqlite"] if only_file else STORES, indirect=True)


def raw_sql(workspace, sql: str, **params: object) -> None:
    """Change a workspace behind the app's back in plain SQL, on either store."""
    import sqlalchemy as sa

    with workspace.db.write() as session:
        session.execute(sa.text(sql), params)
