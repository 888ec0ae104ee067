"""A throw-away PostgreSQL cluster for the role tests, and a database on it with the roles.

The cluster is made with initdb and pg_ctl and stopped at the end of the run.

Skips when the server programs are missing, unless ASSAY_REQUIRE_POSTGRES=1 (then it fails).
Run as root, the cluster runs as the ``postgres`` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from app.services import server_roles
from app.storage import server_roles as roles


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _missing(reason: str) -> None:
    if os.environ.get("ASSAY_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required but {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_cluster_url() -> Iterator[str]:
    """Yield ``postgresql://postgres@127.0.0.1:PORT`` of a fresh cluster (trust auth)."""
    bindir = _bindir()
    if bindir is None:
        _missing("initdb was not found")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="assay-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        root.chmod(0o700)
    run = {"check": True, "capture_output": True}
    subprocess.run(
        _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                         "-A", "trust", "-E", "UTF8"]), **run,
    )  # fmt: skip
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                         "-l", str(root / "log"), "-w", "start"]), **run,
    )  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


LOGINS = {"ann_assessor": "assessor", "rob_reviewer": "reviewer", "lee_lead": "lead"}


def _schema() -> sa.MetaData:
    """The workspace tables with a PostgreSQL default for the global ids."""
    metadata = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        copy = table.to_metadata(metadata)
        for column in copy.columns:
            if column.name == "gid":
                column.server_default = sa.DefaultClause(sa.text("(gen_random_uuid()::text)"))
    sa.Table("alembic_version", metadata, sa.Column("version_num", sa.String(32)))
    return metadata


@pytest.fixture(scope="module")
def team_server(pg_cluster_url: str) -> str:
    """A database with the schema, the team roles and one login per role; yields its URL."""
    name = f"roles_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        sa.make_url(f"{pg_cluster_url}/postgres").set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
        for login in LOGINS:
            if not conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname='{login}'").first():
                conn.exec_driver_sql(f"CREATE ROLE {login} LOGIN")
    admin.dispose()
    url = f"{pg_cluster_url}/{name}"
    owner = engine_as(url)
    _schema().create_all(owner)
    with owner.begin() as conn:
        roles.install_roles(conn)
        roles.install_roles(conn)  # a second run changes nothing
    owner.dispose()
    for login, role in LOGINS.items():
        server_roles.grant(url, login, role)
    return url


def engine_as(url: str, login: str | None = None) -> sa.Engine:
    address = sa.make_url(url).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(address.set(username=login) if login else address,
                              poolclass=sa.NullPool)  # fmt: skip
    roles.watch_roles(engine)
    return engine
