"""The quick start reader agrees with the validating model on the theme and the name."""

from __future__ import annotations

import json

import pytest

from app.support.preferences import Preferences, load_preferences, preferences_path
from app.support.start_preferences import THEMES, load_start_preferences

CASES = [
    None,
    "not json {",
    json.dumps([1, 2]),
    json.dumps({}),
    json.dumps({"theme": "dark", "assessor_name": "Ada"}),
    json.dumps({"theme": "light"}),
    json.dumps({"theme": "purple", "assessor_name": "Ada"}),
    json.dumps({"theme": 3}),
    json.dumps({"theme": "dark", "assessor_name": 7}),
    json.dumps({"theme": "dark", "unknown": True}),
]


@pytest.mark.parametrize("text", CASES)
def test_start_reader_matches_the_full_model(text: str | None) -> None:
    """Whatever the file holds, both readers pick the same theme and assessor name."""
    if text is not None:
        preferences_path().write_text(text, encoding="utf-8")
    full, quick = load_preferences(), load_start_preferences()
    assert (quick.theme, quick.assessor_name) == (full.theme, full.assessor_name)


def test_both_readers_know_the_same_themes() -> None:
    """A theme added to the model must be added to the start reader too."""
    literal = Preferences.model_fields["theme"].annotation
    assert set(THEMES) == set(literal.__args__)


def test_one_bad_field_costs_only_that_field() -> None:
    """A theme the app does not know falls back to the default; the rest of the file stays."""
    preferences_path().write_text(
        json.dumps(
            {
                "theme": "purple",
                "assessor_name": "Ada Lovelace",
                "recent_workspaces": ["/engagements/acme.assay"],
                "trust_anchors": "not a list",
            }
        ),
        encoding="utf-8",
    )
    prefs = load_preferences()
    assert prefs.theme == "system"
    assert prefs.trust_anchors == []
    assert prefs.assessor_name == "Ada Lovelace"
    assert prefs.recent_workspaces == ["/engagements/acme.assay"]


def test_a_file_that_is_not_json_is_kept_aside() -> None:
    """The next save would overwrite it: what it held is copied beside it first."""
    path = preferences_path()
    path.write_text('{"assessor_name": "Ada", oops', encoding="utf-8")
    assert load_preferences() == Preferences()
    aside = path.with_name(path.name + ".unreadable")
    assert aside.read_text(encoding="utf-8") == '{"assessor_name": "Ada", oops'
