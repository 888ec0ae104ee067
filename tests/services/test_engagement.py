"""The engagement record: set, read back, validated, journalled."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cli import main
from app.services.engagement import get_engagement, update_engagement
from app.services.errors import UserError
from app.storage import journal


def test_update_and_read_back(workspace):
    assert get_engagement(workspace).client == ""
    update_engagement(workspace, client="Acme", start_date=dt.date(2026, 11, 1))
    info = update_engagement(workspace, reviewer="QA Lead")
    assert (info.client, info.reviewer, info.start_date) == (
        "Acme",
        "QA Lead",
        dt.date(2026, 11, 1),
    )
    assert get_engagement(workspace) == info
    with workspace.db.read() as session:
        assert journal.verify_chain(session).entries == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "unknown engagement field"),
        ({"classification": "secret"}, "classification must be"),
        ({"start_date": dt.date(2026, 2, 1), "end_date": dt.date(2026, 1, 1)}, "cannot end"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(workspace, changes, message):
    with pytest.raises(UserError, match=message):
        update_engagement(workspace, **changes)
    assert get_engagement(workspace).client == ""
    with workspace.db.read() as session:
        assert journal.verify_chain(session).entries == 0


def test_cli_set_and_show(tmp_path, capsys):
    path = str(tmp_path / "w.assay")
    assert main(["engagement", "set", "--client", "Acme", "--workspace", path]) == 0
    assert main(["engagement", "show", "--json", "--workspace", path]) == 0
    assert '"client": "Acme"' in capsys.readouterr().out
    assert main(["engagement", "set", "--start-date", "31/12/2026", "--workspace", path]) == 1
    assert "is not a date" in capsys.readouterr().err
