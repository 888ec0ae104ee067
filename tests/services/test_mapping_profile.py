"""Mapping profiles: saved, read back, merged with further choices, refused when broken."""

from __future__ import annotations

import json

import pytest

from app.services.errors import UserError
from app.services.inventory_import.profile import (
    MappingProfile,
    load_profile,
    profile_of,
    save_profile,
)


def test_a_profile_round_trips_and_further_choices_win(tmp_path):
    profile = MappingProfile(
        {"Svc owner": "owner_email"}, {"Autonomy:Sometimes": "hitl"}, {"AI Register": 4}, "Name"
    )
    path = save_profile(tmp_path / "p.json", profile)
    assert load_profile(path) == profile
    merged = load_profile(path).updated(
        columns=["Svc owner=attribute"], values=["Autonomy:Often=autonomous"],
        header_rows=["AI Register=5"], id_rule=None,
    )  # fmt: skip
    assert merged.columns == {"Svc owner": "attribute"}
    assert merged.values == {"Autonomy:Sometimes": "hitl", "Autonomy:Often": "autonomous"}
    assert merged.header_rows == {"AI Register": 5}
    assert merged.id_rule == "Name"
    assert merged.plan_options()["values"] == ["Autonomy:Sometimes=hitl",
                                               "Autonomy:Often=autonomous"]  # fmt: skip


def test_a_plans_options_become_a_profile():
    options = {"mapping": ["Ref=systems.id"], "values": ["Exposure:Branch=internal"],
               "header_rows": {"Register": 3}, "id_rule": "generated"}  # fmt: skip
    profile = profile_of(options)
    assert profile.columns == {"Ref": "systems.id"}
    assert profile.values == {"Exposure:Branch": "internal"}
    assert profile.id_rule == "generated"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "cannot be read"),
        ('{"columns": {}}', "not an Assay mapping profile"),
        (json.dumps({"assay_mapping_profile": 1, "columns": {"Ref": "colour"}}),
         "'colour' is not an inventory field"),
    ],
)  # fmt: skip
def test_a_broken_profile_is_a_one_line_error(tmp_path, text, reason):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_profile(path)
    assert str(caught.value).startswith("mapping profile broken.json: ")
    assert reason in str(caught.value)
