"""Templates escape everything, fail on typos, and honour the client profile."""

from __future__ import annotations

import dataclasses
import re

import pytest

from app.reports.html import (
    BODY_CRITERIA,
    css_colour,
    environment,
    render_html,
    render_portfolio_html,
    report_toc,
)
from app.reports.viewmodels import Criterion
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


def test_themed_findings_and_their_action_plan_are_numbered_body_sections(report_data):
    for data in (report_data, dataclasses.replace(report_data, appendices=())):
        toc = {e.anchor: e for e in report_toc(data)}
        assert toc["findings"].title == "Findings and recommendations"
        assert toc["actions"].title == "Action plan"
        assert not toc["findings"].number.startswith("Appendix")
        order = list(toc)
        assert order.index("results") < order.index("findings") < order.index("actions")
        assert order.index("actions") < order.index("comparison")
    html = render_html(dataclasses.replace(report_data, appendices=()))
    assert 'id="findings"' in html
    assert 'id="actions"' in html
    number = toc["findings"].number.rstrip(".")
    if len(report_data.findings) > 5:
        assert f"Section {number} lists all" in html


def test_a_finding_with_many_criteria_shows_the_widest_in_the_body_and_all_in_an_appendix(
    report_data,
):
    finding = report_data.findings[0]
    criteria = tuple(
        Criterion(f"GV.XX-{n:02d}", f"Practice {n}", "CSF", "1 Initial", "3 Defined")
        for n in range(1, BODY_CRITERIA + 4)
    )
    many = dataclasses.replace(finding, criteria=criteria)
    data = dataclasses.replace(report_data, profile="client", findings=(many,), actions=())
    toc = {e.anchor: e for e in report_toc(data)}
    letter = toc["appendix-findings"].number.rstrip(".")
    html = render_html(data)
    body, appendix = html.split('id="appendix-findings"')
    assert f"Practice {BODY_CRITERIA}<" in body
    assert f"Practice {BODY_CRITERIA + 1}<" not in body
    assert (
        f"The widest {BODY_CRITERIA} of {BODY_CRITERIA + 3} criteria; {letter} lists the other 3."
        in body
    )
    assert f"Practice {BODY_CRITERIA + 3}<" in appendix
    few = dataclasses.replace(data, findings=(dataclasses.replace(finding, criteria=criteria[:2]),))
    assert "appendix-findings" not in {e.anchor for e in report_toc(few)}
    no_appendix = dataclasses.replace(data, appendices=())
    assert "the workbook's POA&amp;M sheet lists all" in render_html(no_appendix)


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


def test_appendices_follow_the_profile_and_the_assessors_choice(report_data):
    def appendix_titles(data):
        return [e.title for e in report_toc(data) if e.number.startswith("Appendix")]

    internal = appendix_titles(report_data)
    assert internal[0] == "Results by question group"
    assert internal[-1] == "Evidence index"
    client = dataclasses.replace(report_data, profile="client")
    # Findings and the action plan are in the body; evidence requests only when there are some.
    expected = ["Not-applicable justifications", "Evidence index"]
    if any(len(f.criteria) > BODY_CRITERIA for f in client.findings):
        expected.insert(0, "Criteria of every finding")
    assert appendix_titles(client) == expected
    assert [e.number for e in report_toc(client) if e.number.startswith("Appendix")] == [
        f"Appendix {chr(ord('A') + i)}." for i in range(len(expected))
    ]
    body = [e.anchor for e in report_toc(client) if e.number and e.number[0].isdigit()]
    assert ("findings" in body) == bool(report_data.findings)
    chosen = dataclasses.replace(report_data, profile="client", appendices=("answers",))
    assert appendix_titles(chosen) == ["Answers, notes and evidence"]
    html = render_html(chosen)
    assert 'id="appendix-answers"' in html
    # themed findings are body, whatever the appendices
    assert ('id="findings"' in html) == bool(report_data.findings)
    assert 'id="appendix-evidence"' not in html
    bare = dataclasses.replace(report_data, appendices=())
    assert bare.chosen_appendices == ()
    assert appendix_titles(bare) == []
    assert 'id="appendix-answers"' not in render_html(bare)


def test_an_unknown_appendix_is_refused(report_data):
    with pytest.raises(ValueError, match="unknown appendix 'gossip'"):
        dataclasses.replace(report_data, appendices=("gossip",))


def test_cross_framework_body_lists_only_disagreements_that_matter(report_data):
    from app.reports.viewmodels import CrossFrameworkRow, CrossRef

    def row(topic, consistent, spread):
        ref = CrossRef("owasp-asi", "ASI01", "t", "1")
        return CrossFrameworkRow(topic, (ref,), consistent, "", spread, "ASI01 at level 1", "x")

    data = dataclasses.replace(
        report_data,
        profile="internal",
        cross_framework=(row("Agreed topic", True, 1), row("Two apart", False, 2),
                         row("Four apart", False, 4)),
    )  # fmt: skip
    html = render_html(data)
    body = html.split('id="crosswalk"')[1].split("</section>")[0]
    assert body.index("Four apart") < body.index("Two apart")
    assert "Agreed topic" not in body
    agreed = dataclasses.replace(data, cross_framework=(row("Agreed topic", True, 1),))
    assert "crosswalk" not in [e.anchor for e in report_toc(agreed)]
    # Answers to look at again are the assessment team's work: the client reads settled results.
    client = render_html(dataclasses.replace(data, profile="client"))
    assert 'id="crosswalk"' not in client
    assert "Where the frameworks disagree" not in client


def test_addresses_and_tokens_break_after_at_signs_and_dots():
    from app.reports.html import breakable

    assert str(breakable("maria.okafor@northwind-mutual.example")) == (
        "maria.<wbr>okafor@<wbr>northwind-<wbr>mutual.<wbr>example"
    )
    assert str(breakable("<b>a.b</b>")) == "&lt;b&gt;a.<wbr>b&lt;/<wbr>b&gt;"
    assert str(breakable(None)) == ""


def test_the_headline_explains_its_measures_and_no_legend_names_an_absent_bar(report_data):
    from app.reports import charts

    html = render_html(dataclasses.replace(report_data, profile="client"))
    summary = html.split('id="summary"')[1].split("</section>")[0]
    assert "Achieved" not in summary
    assert "Meet target" in summary
    assert "already at the target" in summary
    none_achieved = charts.score_bars_svg(["A", "B"], [1.5, 2.0], [0, 0], [3.0, 3.0])
    some_achieved = charts.score_bars_svg(["A", "B"], [1.5, 2.0], [1, 0], [3.0, 3.0])
    assert "Achieved" not in none_achieved
    assert "Achieved" in some_achieved


def test_a_long_list_of_disagreements_is_cut_to_the_widest(report_data):
    from app.reports.html import MAX_DISAGREEMENTS
    from app.reports.viewmodels import CrossFrameworkRow, CrossRef

    ref = CrossRef("owasp-asi", "ASI01", "t", "1")
    rows = tuple(
        CrossFrameworkRow(f"Topic {n:02d}", (ref,), False, "", 2 + n % 3, "low", "high")
        for n in range(MAX_DISAGREEMENTS + 5)
    )
    html = render_html(dataclasses.replace(report_data, profile="internal", cross_framework=rows))
    body = html.split('id="crosswalk"')[1].split("</section>")[0]
    assert sum(f"Topic {n:02d}" in body for n in range(len(rows))) == MAX_DISAGREEMENTS
    assert f"{len(rows)} topics were answered two levels apart" in body
    assert f"The {MAX_DISAGREEMENTS} widest apart are listed here" in body


def test_a_system_without_identities_or_answers_reads_in_sentences(report_data):
    """No empty tables under a heading, no chart of "n/a" bars, no "acts through 0 identities"."""
    identity = dataclasses.replace(
        report_data.identity,
        identities=(),
        resources=(),
        paths=(),
        blast_score=None,
        blast_unknown="no identity is recorded for this system",
    )
    first = report_data.frameworks[0]
    unanswered = dataclasses.replace(first, overall=dataclasses.replace(first.overall, answered=0))
    data = dataclasses.replace(
        report_data,
        profile="client",
        identity=identity,
        frameworks=(unanswered, *report_data.frameworks[1:]),
    )
    html = render_html(data)
    text = re.sub(r"<[^>]+>", " ", html)
    assert "No identity the system acts through is recorded" in text
    assert "acts through 0" not in " ".join(text.split())
    assert "No resource within reach is recorded" in text
    assert "Access paths behind the score" not in text
    assert "No question of this framework is answered yet" in text
    assert html.count('alt="Maturity by category"') == len(report_data.frameworks) - 1


def test_the_running_header_carries_a_shortened_title(report_data):
    long_title = "Enterprise-wide multilingual customer correspondence summarisation " * 3
    document = dataclasses.replace(report_data.document, title=long_title.strip())
    html = render_html(dataclasses.replace(report_data, document=document))
    short = re.search(r'data-short="([^"]*)"', html)
    assert short is not None
    assert len(short.group(1)) <= 76
    assert short.group(1).endswith("…")
    assert 'class="set-title long"' in html


def test_the_summary_points_to_the_findings_section_in_a_sentence(report_data):
    html = render_html(dataclasses.replace(report_data, profile="client"))
    pointer = re.search(r"(Section \d+\.?) lists all", html)
    assert len(report_data.findings) > 5
    assert pointer is not None
    assert not pointer.group(1).endswith(".")


def test_the_review_record_is_internal_and_long_unverified_lists_are_cut(report_data, hostile):
    import datetime as dt

    from app.reports.viewmodels_voice import AssessorVoice, ReviewCommentRow

    moment = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
    comment = ReviewCommentRow(7, "F-2", "Finding F-2", hostile[0], "Rita", moment, "open")
    voice = AssessorVoice(unverified_refs=tuple(f"GV.{n:02d}" for n in range(30)),
                          comments=(comment,))  # fmt: skip
    internal = render_html(dataclasses.replace(report_data, profile="internal", voice=voice,
                                               appendices=("review",)))  # fmt: skip
    assert "30 answers rest on the client's self-assessment" in internal
    assert "GV.<wbr>11 and 18 more." in internal
    assert "1 review comment, 1 open: no. 7 on Finding F-<wbr>2; not yet approved." in internal
    assert 'id="appendix-review"' in internal
    assert hostile[0] not in internal, "comment text is escaped"
    client = render_html(dataclasses.replace(report_data, profile="client", voice=voice,
                                             appendices=("review",)))  # fmt: skip
    assert 'id="appendix-review"' not in client
    assert "1 review comment" not in client
    assert "Review record" not in client
