"""The dummy report data loads into the view-models, and bad data is named precisely."""

from __future__ import annotations

import copy

import pytest

from app.reports.errors import ReportDataError
from app.reports.loading import portfolio_data_from_dict, report_data_from_dict, to_plain


def test_dummy_is_realistic(report_data):
    assert len(report_data.frameworks) == 3
    assert len(report_data.answers) >= 60
    na = [a for a in report_data.answers if a.not_applicable]
    assert na
    assert all(a.justification for a in na)
    assert any(a.level is None and not a.not_applicable for a in report_data.answers)
    assert len(report_data.findings) >= 10
    assert any(len(p.identities) > 2 for p in report_data.identity.paths)
    assert report_data.comparison is not None
    assert report_data.comparison.questions
    assert report_data.identity.hygiene
    assert report_data.cross_framework


def test_portfolio_dummy_loads(portfolio_data):
    assert len(portfolio_data.systems) == len(portfolio_data.heatmap) >= 5
    assert portfolio_data.kpis.identities > portfolio_data.kpis.with_owner


def test_round_trip_through_plain_data(report_data, portfolio_data):
    assert report_data_from_dict(to_plain(report_data)) == report_data
    assert portfolio_data_from_dict(to_plain(portfolio_data)) == portfolio_data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["frameworks"][1]["nodes"][2].update(mean="high"),
            "frameworks[1].nodes[2].mean",
        ),
        (lambda d: d["answers"][5].update(colour="red"), "answers[5]: unknown field 'colour'"),
        (lambda d: d["system"].pop("system_id"), "system.system_id: missing"),
        (lambda d: d["document"].update(report_date="26/06/2026"), "document.report_date"),
        (lambda d: d.update(profile="public"), "profile must be one of"),
        (lambda d: d["branding"].update(primary_colour="red;}"), "primary_colour"),
        (lambda d: d["branding"].update(logo="http://example.com/x.png"), "logo"),
        (lambda d: d["answers"][0].update(level=True), "answers[0].level: expected a whole"),
        (lambda d: d.update(answers="none"), "answers: expected a list"),
    ],
)
def test_bad_data_names_the_field(dummy_dict, change, message):
    data = copy.deepcopy(dummy_dict["report"])
    change(data)
    with pytest.raises(ReportDataError) as caught:
        report_data_from_dict(data)
    assert message in str(caught.value)


def test_portfolio_heatmap_rows_match_columns(dummy_dict):
    data = copy.deepcopy(dummy_dict["portfolio"])
    data["heatmap"][0]["values"] = data["heatmap"][0]["values"][:-1]
    with pytest.raises(ReportDataError, match="heat-map row"):
        portfolio_data_from_dict(data)


def test_custom_attributes_read_as_text_never_as_python_literals():
    from app.reports.viewmodels import attributes_text

    pairs = dict(
        attributes_text(
            {
                "credentials": {"type": "secret", "name": "prod-secret", "end": "2027-01-15"},
                "aliases": ["svc-a", "svc-b"],
                "keys": [{"id": "k1"}, {"id": "k2"}],
                "empty": None,
            }
        )
    )
    assert pairs["credentials"] == "type: secret; name: prod-secret; end: 2027-01-15"
    assert pairs["aliases"] == "svc-a, svc-b"
    assert pairs["keys"] == "id: k1, id: k2"
    assert pairs["empty"] == ""
    assert "{" not in "".join(pairs.values())
