"""A report's dates never contradict its report date: fieldwork, revisions, and what is said."""

from __future__ import annotations

import datetime as dt

from app.reports.html import environment
from app.reports.viewmodels import DocumentControl, Revision
from app.services.reporting.document import check_dates

DAY = dt.date(2026, 12, 7)


def _document(**values) -> DocumentControl:
    base = {
        "title": "Claims agent",
        "client": "Client",
        "engagement": "Engagement",
        "assessor": "Assessor",
        "assessor_organisation": "Firm",
        "reviewer": "Reviewer",
        "report_date": DAY,
        "report_version": "1.0",
        "status": "final",
        "classification": "confidential",
    }
    return DocumentControl(**(base | values))


def test_fieldwork_ending_after_the_report_date_is_shown_under_way_and_said():
    document, problems = check_dates(
        _document(period_start=dt.date(2026, 11, 16), period_end=dt.date(2026, 12, 21))
    )
    assert document.period_start == dt.date(2026, 11, 16)
    assert document.period_end is None
    assert document.fieldwork_open
    assert len(problems) == 1
    assert "2026-12-21" in problems[0]
    assert "after the report date 2026-12-07" in problems[0]


def test_fieldwork_within_the_report_date_is_kept_without_a_word():
    document, problems = check_dates(_document(period_start=dt.date(2026, 11, 16), period_end=DAY))
    assert (document.period_start, document.period_end) == (dt.date(2026, 11, 16), DAY)
    assert not document.fieldwork_open
    assert problems == []


def test_impossible_periods_are_left_out():
    reversed_period, problems = check_dates(
        _document(period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 11, 1))
    )
    assert reversed_period.period_start is None
    assert reversed_period.period_end is None
    assert "before it starts" in problems[0]
    future, problems = check_dates(_document(period_start=dt.date(2027, 1, 5)))
    assert future.period_start is None
    assert "after the report date" in problems[0]


def test_revisions_keep_their_real_dates_oldest_first_and_a_later_one_is_said():
    revisions = (
        Revision("1.0", dt.date(2026, 12, 9), "A", "Final"),
        Revision("0.1", dt.date(2026, 11, 20), "A", "Started"),
        Revision("0.9", dt.date(2026, 12, 2), "A", "For review"),
    )
    document, problems = check_dates(_document(revisions=revisions))
    assert [r.version for r in document.revisions] == ["0.1", "0.9", "1.0"]
    assert [r.date for r in document.revisions] == [
        dt.date(2026, 11, 20),
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 9),
    ]
    assert problems == ["revision 1.0 is dated 2026-12-09, after the report date 2026-12-07"]


def test_document_control_says_fieldwork_is_under_way():
    document, _ = check_dates(
        _document(period_start=dt.date(2026, 11, 16), period_end=dt.date(2026, 12, 21))
    )

    class Data:  # the partial reads only these
        profile = "client"

    html = (
        environment()
        .get_template("partials/document_control.html")
        .render(doc=document, data=Data(), branding=_Branding())
    )
    assert "From 2026-11-16, still under way on the report date" in html
    assert "2026-12-21" not in html


class _Branding:
    disclaimer = ""
