"""Shared data for the report tests: the dummy report, a hostile variant, rendered files.

Rendering is the slow part, so each PDF is rendered once per session and shared.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import pytest

from app.reports.loading import load_yaml, portfolio_data_from_dict, report_data_from_dict
from app.reports.viewmodels import PortfolioData, ReportData

DUMMY = Path(__file__).resolve().parents[1] / "data" / "report_dummy.yaml"

SCRIPT = "<script>alert('x')</script>"
TAGS = "<b>bold</b> <img src=http://example.com/x.png>"
CSS_IMPORT = "@import url(http://x); body{color:red}"
FILE_URL = "file:///etc/passwd"
HTTP_IMAGE = "http://example.com/x.png"
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
PLUS_CMD = "+cmd|' /C calc'!A0"
MINUS = "-1+2"
AT_SUM = "@SUM(1+1)*cmd"
HOSTILE = (SCRIPT, TAGS, CSS_IMPORT, FILE_URL, HTTP_IMAGE, HYPERLINK, PLUS_CMD, MINUS, AT_SUM)

# An SVG logo that tries to pull in a remote image and a local file.
_EVIL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="40" height="20"><rect width="40" height="20" fill="#2e7d9a"/>'
    '<image xlink:href="http://example.com/x.png" width="10" height="10"/>'
    '<image xlink:href="file:///etc/passwd" x="10" width="10" height="10"/></svg>'
)
EVIL_LOGO = "data:image/svg+xml;base64," + base64.b64encode(_EVIL_SVG.encode()).decode()


@pytest.fixture(scope="session")
def dummy_dict() -> dict:
    return load_yaml(DUMMY)


@pytest.fixture(scope="session")
def report_data(dummy_dict) -> ReportData:
    return report_data_from_dict(dummy_dict["report"])


@pytest.fixture(scope="session")
def portfolio_data(dummy_dict) -> PortfolioData:
    return portfolio_data_from_dict(dummy_dict["portfolio"])


def make_hostile(data: ReportData) -> ReportData:
    """A small report whose user-entered strings are all hostile."""
    answers = list(data.answers[:9])
    for index, text in enumerate(HOSTILE):
        answers[index] = dataclasses.replace(
            answers[index], notes=text, title=f"Question {index} {text}"
        )
    findings = [
        dataclasses.replace(f, title=text, recommendation=text)
        for f, text in zip(data.findings[:4], (SCRIPT, HYPERLINK, PLUS_CMD, AT_SUM), strict=True)
    ]
    evidence = [dataclasses.replace(data.evidence[0], name=HYPERLINK, description=TAGS)]
    identities = [dataclasses.replace(data.identity.identities[0], name=CSS_IMPORT)]
    framework = data.frameworks[0]
    return dataclasses.replace(
        data,
        document=dataclasses.replace(data.document, client=TAGS, frameworks=()),
        branding=dataclasses.replace(data.branding, logo=EVIL_LOGO, cover_text=CSS_IMPORT),
        system=dataclasses.replace(data.system, name=SCRIPT, description=FILE_URL),
        identity=dataclasses.replace(data.identity, identities=tuple(identities)),
        frameworks=(framework,),
        answers=tuple(answers),
        findings=tuple(findings),
        evidence=tuple(evidence),
        executive_summary=MINUS,
        cross_framework=(),
        comparison=None,
    )


@pytest.fixture(scope="session")
def hostile_data(report_data) -> ReportData:
    return make_hostile(report_data)


@pytest.fixture(scope="session")
def report_pdf(report_data, tmp_path_factory) -> Path:
    from app.reports.pdf import render_pdf

    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    render_pdf(report_data, path)
    return path


@pytest.fixture(scope="session")
def report_text(report_pdf) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(report_pdf).pages)


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="session")
def squash():
    """Remove all whitespace, so line wrapping in the PDF does not matter."""
    return _squash


@pytest.fixture(scope="session")
def hostile() -> tuple[str, ...]:
    """Strings that must come out as plain text everywhere (the first is a script tag)."""
    return HOSTILE


@pytest.fixture(scope="session")
def p12(tmp_path_factory) -> tuple[Path, bytes]:
    from app.reports.certificates import create_self_signed_p12

    password = b"correct horse"
    path = tmp_path_factory.mktemp("cert") / "assessor.p12"
    create_self_signed_p12(path, "Jordan Okafor", "Harbour Assurance", "jo@example.com", password)
    return path, password
