"""Templates escape everything, fail on typos, and honour the client profile."""

from __future__ import annotations

import dataclasses

import pytest

from app.reports.html import (
    css_colour,
    environment,
    render_html,
    render_portfolio_html,
    report_toc,
)
from app.support.paths import templates_dir


@pytest.fixture(scope="module")
def hostile_html(hostile_data) -> str:
    return render_html(hostile_data)


def test_every_template_compiles():
    env = environment()
    names = [p.relative_to(templates_dir()).as_posix() for p in templates_dir().rglob("*.html")]
    assert len(names) >= 15
    for name in names:
        env.get_template(name)


def test_undefined_names_fail_loudly():
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        environment().from_string("{{ data.no_such_field }}").render(data=object())


def test_autoescape_is_on_for_every_template_name():
    env = environment()
    for name in ("x.html", "x.css", "x.txt", None):
        assert env.autoescape(name) is True


def test_hostile_text_is_escaped(hostile_html, hostile):
    assert hostile[0] not in hostile_html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in hostile_html
    assert "<img src=http://example.com" not in hostile_html
    assert "@import url(http://x)" not in hostile_html.split("</style>")[0]
    for text in hostile:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        escaped = escaped.replace('"', "&#34;").replace("'", "&#39;")
        assert escaped in hostile_html, text


def test_client_profile_hides_internal_notes(report_data):
    noted = [a for a in report_data.answers if a.notes]
    assert noted
    internal = render_html(report_data)
    client = render_html(dataclasses.replace(report_data, profile="client"))
    assert "Notes (internal)" in internal
    assert noted[0].notes in internal
    assert "Notes (internal)" not in client
    assert all(a.notes not in client for a in noted)
    assert "Client edition" in client


def test_sections_follow_the_data(report_data):
    anchors = [e.anchor for e in report_toc(report_data)]
    assert anchors[:2] == ["attestation", "summary"]
    assert "comparison" in anchors
    assert "fw-3" in anchors
    assert anchors[-1] == "appendix-evidence"
    bare = dataclasses.replace(report_data, comparison=None, cross_framework=())
    bare_anchors = [e.anchor for e in report_toc(bare)]
    assert "comparison" not in bare_anchors
    assert "crosswalk" not in bare_anchors
    html = render_html(bare)
    assert 'id="comparison"' not in html
    assert 'href="#findings"' in html


def test_colours_reach_css_only_when_well_formed():
    assert css_colour("#12abEF") == "#12abEF"
    assert css_colour("red;} body{background:url(http://x)}") == "#1f3a5f"


def test_portfolio_shows_the_clients_figures_beside_their_aims(portfolio_data):
    html = render_portfolio_html(portfolio_data)
    kpis = portfolio_data.kpis
    assert f"{kpis.with_owner} of {kpis.identities} identities" in html
    assert "Every identity has a named owner" in html
    assert f"rotated within {kpis.rotation_days} days" in html
    # Survey figures about other organisations, with no source a client could check, are gone.
    for figure in ("5.7%", "97%", "71%", "industry"):
        assert figure not in html
    assert portfolio_data.systems[0].name in html
