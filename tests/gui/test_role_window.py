# ruff: noqa: F811 - the fixtures imported above are parameters of the tests
"""The window on a team server shows the login's role and disables what the role may not do.

An assessor sees Finalize… and the inventory's Delete… disabled, with the server's own
sentence as their tooltip; a lead sees them enabled; a file workspace has no role at all.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.gui.role_gate import ACTIONS, refusal
from app.services import assessment_lifecycle
from app.services.workspace import open_workspace
from tests.gui.test_assessments_page import add_system, small_assessment
from tests.storage.team_server import OWNER, team_server  # noqa: F401

FINALISE = "Your role on this server (assessor) cannot finalise an assessment"


@pytest.fixture(scope="module")
def in_review(team_server: str) -> str:
    """The team server with one assessment in review, added by the owner; returns its URL."""
    ws = open_workspace(team_server, create=False)
    try:
        assert ws.team_role is None  # the owner passes every guard
        add_system(ws)
        assessment_lifecycle.submit_for_review(ws, small_assessment(ws))
    finally:
        ws.close()
    return team_server


def _window(make_main_window, qtbot, url: str, login: str):
    workspace = open_workspace(url.replace(f"{OWNER}@", f"{login}@"), create=False)
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None, timeout=20_000)
    assert page.state.info.status == "in-review"
    return window, page.lifecycle.finalize_button, window.page("inventory").delete_button


def _comment_button(window):
    return window.page("assessments").panel.review.comment_button


def test_an_assessors_window_disables_what_the_server_would_refuse(
    make_main_window, qtbot, in_review
):
    window, finalize, delete = _window(make_main_window, qtbot, in_review, "ann_assessor")
    assert window.server_label.text().endswith(" · assessor")
    assert window.server_label.text().startswith("Team server: ann_assessor@")
    assert not finalize.isEnabled()
    assert finalize.toolTip() == FINALISE
    assert not delete.isEnabled()
    assert (
        delete.toolTip()
        == "Your role on this server (assessor) cannot delete AI systems or identities"
    )
    comment = _comment_button(window)
    assert not comment.isEnabled()
    assert comment.toolTip() == "Your role on this server (assessor) cannot write a review comment"


def test_a_leads_window_enables_them(make_main_window, qtbot, in_review):
    window, finalize, delete = _window(make_main_window, qtbot, in_review, "lee_lead")
    assert window.server_label.text().endswith(" · lead")
    assert finalize.isEnabled()
    assert "quality gate" in finalize.toolTip()
    assert delete.isEnabled()
    assert _comment_button(window).isEnabled()


def test_the_table_of_least_roles():
    assert refusal("reviewer", "approve") is None
    assert refusal("reviewer", "finalise") == (
        "Your role on this server (reviewer) cannot finalise an assessment"
    )
    assert refusal("assessor", "sign") == "Your role on this server (assessor) cannot sign a report"
    assert all(refusal(role, action) is None for role in ("lead", None) for action in ACTIONS)


def test_a_file_workspace_has_no_role(make_main_window, qtbot):
    window = make_main_window()
    assert window.context.workspace.team_role is None
    assert window.server_label.isHidden()
    assert window.page("inventory").delete_button.isEnabled()
    assert window.page("inventory").delete_button.toolTip() == (
        "Delete the chosen system or identity"
    )


class _DeniedError(Exception):
    """A server's "permission denied" as the driver raises it, for the refusal wording."""

    sqlstate = "42501"

    def __init__(self, table: str, statement: str) -> None:
        super().__init__(f"permission denied for table {table}")
        self.orig = self
        self.diag = SimpleNamespace(message_primary=str(self))
        self.statement = statement
        self.assay_team_role = "assessor"


def test_the_tooltips_say_what_the_server_would_say() -> None:
    """A greyed button's sentence is the one the server's refusal gives for the same act."""
    from app.storage.server_refusals import refusal_sentence

    def server(table: str, statement: str) -> str:
        sentence = refusal_sentence(_DeniedError(table, statement))
        return sentence[0].upper() + sentence[1:]

    assert refusal("assessor", "comment") == server("review_comment", "INSERT INTO review_comment")
    deleting = refusal("assessor", "delete")
    assert deleting is not None
    system, identity = (
        server("ai_system", "DELETE FROM ai_system"),
        server("identity", "DELETE FROM identity"),
    )
    assert deleting.startswith(system)
    assert deleting.endswith(identity.rsplit(" ", 1)[-1])
