# ruff: noqa: F811 - the fixtures imported above are parameters of the tests
"""``assay server grant|revoke|roles`` against a real PostgreSQL server."""

from __future__ import annotations

import getpass

import pytest

from app.cli import main
from app.support.logging_setup import log_file_path
from tests.storage.team_server import OWNER, engine_as, team_server  # noqa: F401

SECRET = "correct-horse-staple"


def _password(engine_url: str, login: str) -> str:
    engine = engine_as(engine_url)
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %(n)s", {"n": login}
        ).scalar_one()
    engine.dispose()
    return str(found)


def test_grant_with_a_new_login_then_list_and_revoke(
    team_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": SECRET)
    code = main(["server", "grant", team_server, "nia_new", "--role", "reviewer",
                 "--create-login"])  # fmt: skip
    assert code == 0
    assert "nia_new is now reviewer in database " in capsys.readouterr().out
    stored = _password(team_server, "nia_new")
    assert stored.startswith("SCRAM-SHA-256$4096:")
    assert SECRET not in stored
    assert main(["server", "roles", team_server]) == 0
    listing = capsys.readouterr().out
    assert any(line.split()[:2] == ["nia_new", "reviewer"] for line in listing.splitlines())
    assert main(["server", "revoke", team_server, "nia_new"]) == 0
    assert "nia_new is no longer reviewer" in capsys.readouterr().out
    log = log_file_path()
    assert not log.exists() or SECRET not in log.read_text(encoding="utf-8")


def test_a_team_member_cannot_hand_out_roles(
    team_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    as_assessor = team_server.replace(f"{OWNER}@", "ann_assessor@")
    assert main(["server", "grant", as_assessor, "rob_reviewer", "--role", "lead"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "assay: the login of this address may not manage roles on this database: use the "
        "database owner's or a superuser's address"
    )


def test_plain_sentences_for_bad_input(
    team_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["server", "revoke", team_server, "nobody_here"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "assay: there is no login named nobody_here on this server"
    )
    assert main(["server", "roles", "sqlite:///x.assay"]) == 1
    assert "is not a server address" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["server", "grant", team_server, "x", "--role", "owner"])
    assert stopped.value.code == 1
    assert "invalid choice: 'owner'" in capsys.readouterr().err


def test_a_password_typed_into_a_wrong_kind_of_address_is_not_echoed(capsys):
    assert main(["server", "init", "mysql://ada:Secret-pw-1@db.example/acme"]) == 1
    err = capsys.readouterr().err
    assert "is not a server URL" in err
    assert "Secret-pw-1" not in err
    assert "ada@db.example" in err
