"""The report's sentences read as written for the client: no zero counts, no names repeated."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.reports.html import and_join, render_html, severity_breakdown
from app.reports.viewmodels import Finding, RiskFactor


def _section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"')[1].split("</section>")[0]


def test_counts_by_severity_leave_out_the_severities_nobody_has():
    assert severity_breakdown({"critical": 2, "high": 10, "medium": 2, "low": 0}) == (
        "2 critical, 10 high and 2 medium"
    )
    assert severity_breakdown({"critical": 0, "high": 1, "medium": 0, "low": 0}) == "1 high"
    assert and_join(["a", "", "b"]) == "a and b"
    assert and_join([]) == ""


def _themed(number: int, severity: str, **fields: object) -> Finding:
    return Finding(f"F-{number}", severity, f"Theme {number}", source="theme", **fields)  # type: ignore[arg-type]


def test_the_findings_section_counts_only_severities_present(report_data):
    findings = (_themed(1, "critical"), _themed(2, "high"), _themed(3, "high"))
    html = render_html(dataclasses.replace(report_data, profile="client", findings=findings))
    text = " ".join(_section(html, "findings").split())
    assert "3 findings: 1 critical and 2 high, most severe first." in text
    assert "0 medium" not in text
    assert "0 low" not in text


def test_an_accepted_risk_is_not_also_waiting_for_a_response(report_data):
    accepted = _themed(
        1, "medium", status="accepted", accepted_by="Chief Operating Officer",
        acceptance_justification="Training is scheduled.", due_date=dt.date(2027, 3, 7),
    )  # fmt: skip
    waiting = _themed(2, "high")
    html = render_html(dataclasses.replace(report_data, findings=(accepted, waiting)))
    cards = _section(html, "findings").split('class="finding theme')[1:]
    assert "Risk accepted</strong> by Chief Operating Officer" in cards[0]
    assert "Management response" not in cards[0]
    assert "Not yet received." in cards[1]


def test_framework_results_name_not_applicable_questions_only_when_there_are_some(report_data):
    html = " ".join(render_html(dataclasses.replace(report_data, profile="client")).split())
    assert " 0 not applicable" not in html
    for framework in report_data.frameworks:
        if framework.overall.not_applicable:
            assert f", {framework.overall.not_applicable} not applicable." in html


def test_risk_factors_show_their_value_not_their_name_again(report_data):
    factors = (
        RiskFactor("blast radius", "critical", "Score 97, critical"),
        RiskFactor("data classification", "high", "Restricted"),
    )
    system = dataclasses.replace(report_data.system, risk_factors=factors)
    html = render_html(dataclasses.replace(report_data, system=system))
    table = _section(html, "system").split('class="data risk-factors"')[1]
    assert "<td>Restricted</td>" in table
    assert "data classification: restricted" not in table


def test_the_classification_reads_as_a_word_in_document_control(report_data):
    document = dataclasses.replace(report_data.document, classification="confidential")
    html = render_html(dataclasses.replace(report_data, document=document))
    assert "<th>Classification</th><td>Confidential</td>" in html


def test_a_factor_value_drops_the_name_its_sentence_needs():
    from app.services.reporting.document import factor_value

    assert factor_value("data classification", "data classification: restricted") == "Restricted"
    assert factor_value("blast radius", "blast radius: score 97, critical") == "Score 97, critical"
    assert factor_value("exposure", "exposure: not recorded") == "Not recorded"
    assert factor_value("combination", "autonomous system open to the public") == (
        "Autonomous system open to the public"
    )


def test_the_blast_radius_formula_is_set_out_once_under_the_method(report_data):
    html = render_html(report_data)
    formula = report_data.identity.formula
    assert formula
    assert html.count(str(formula)[:60]) == 1
    assert formula[:60] in _section(html, "scope")
    identity = " ".join(_section(html, "identity").split())
    assert "How the score is computed is set out in section" in identity
    assert ", Scope and method." in identity


def test_a_scope_column_of_dashes_only_is_left_out(report_data, portfolio_data):
    from app.reports.html import render_portfolio_html

    frameworks = tuple(dataclasses.replace(f, scope="") for f in portfolio_data.document.frameworks)
    assert frameworks
    unscoped = dataclasses.replace(
        portfolio_data, document=dataclasses.replace(portfolio_data.document, frameworks=frameworks)
    )
    control = render_portfolio_html(unscoped).split("Frameworks and content versions")[1]
    table = control.split("</table>")[0]
    assert "<th>Scope</th>" not in table
    assert "<th>Content version</th>" in table
    scoped = render_html(report_data).split("Frameworks and content versions")[1]
    assert any(f.scope for f in report_data.document.frameworks)
    assert "<th>Scope</th>" in scoped.split("</table>")[0]
