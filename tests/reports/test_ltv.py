"""Long-term validation for real: a TSA and an OCSP responder on 127.0.0.1, then offline.

The services run while signing and extending; they are stopped before verifying, and the
verifier never fetches, so what validates is only what the PDF carries.
"""

from __future__ import annotations

import pytest

from app.reports.credentials import Credential
from app.reports.errors import SigningError
from app.reports.ltv import LtvOptions, extend_pdf, revocation_in_pdf
from app.reports.signing import sign_pdf
from app.reports.trust import load_trust
from app.reports.verify import Verdict, verify_pdf
from tests.pki import PDFSIG, PkiServices, pdfsig

PASSWORD = b"firm issued"


@pytest.fixture(scope="module")
def signed_online(report_pdf, tmp_path_factory):
    """Sign B-LTA, countersign, sign B-B, extend it — all while the services run; then stop."""
    folder = tmp_path_factory.mktemp("ltv")
    services = PkiServices()
    root = folder / "root.pem"
    root.write_bytes(services.pki.root.pem())
    anchors = load_trust([root])
    alice = services.pki.issue("Alice Assessor").write_p12(folder / "a.p12", PASSWORD, [])
    rob = services.pki.issue("Rob Reviewer").write_p12(folder / "r.p12", PASSWORD, [])
    online = LtvOptions(tsa_url=services.tsa_url, trust=anchors, allow_fetching=True)
    files = {"lta": folder / "lta.pdf", "both": folder / "both.pdf", "bb": folder / "bb.pdf"}
    first = sign_pdf(report_pdf, files["lta"], Credential(alice, secret=PASSWORD), ltv=online)
    second = sign_pdf(
        files["lta"], files["both"], Credential(rob, secret=PASSWORD), role="reviewer", ltv=online
    )
    sign_pdf(report_pdf, files["bb"], Credential(alice, secret=PASSWORD))
    files["extended"] = folder / "extended.pdf"
    extend_pdf(files["bb"], files["extended"], online)
    hits = list(services.hits)
    services.stop()
    return {
        "files": files,
        "anchors": anchors,
        "levels": (first.level, second.level),
        "hits": hits,
        "folder": folder,
        "alice": alice,
        "tsa_url": services.tsa_url,
    }


def test_signing_asked_the_tsa_and_the_ocsp_responder(signed_online):
    assert signed_online["levels"] == ("B-LTA", "B-LTA")
    assert {"tsa", "ocsp"} <= set(signed_online["hits"])


def test_a_b_lta_report_validates_offline(signed_online):
    result = verify_pdf(signed_online["files"]["both"], signed_online["anchors"])
    assert result.verdict is Verdict.TRUSTED
    signatures = [c for c in result.signatures if not c.facts.is_timestamp]
    stamps = [c for c in result.signatures if c.facts.is_timestamp]
    assert [(c.facts.role, c.facts.level) for c in signatures] == [
        ("assessor", "B-LTA"),
        ("reviewer", "B-LTA"),
    ]
    assert all(c.facts.time_source == "time stamp" for c in signatures)
    assert len(stamps) == 2
    assert all(c.verdict is Verdict.TRUSTED and c.facts.signer == "Test TSA" for c in stamps)
    embedded = revocation_in_pdf(signed_online["files"]["both"])
    assert embedded.ocsps, "the OCSP responses travel inside the PDF"


def test_extend_raises_a_b_b_report_to_b_lta(signed_online):
    before = verify_pdf(signed_online["files"]["bb"], signed_online["anchors"])
    assert [c.facts.level for c in before.signatures] == ["B-B"]
    after = verify_pdf(signed_online["files"]["extended"], signed_online["anchors"])
    assert after.verdict is Verdict.TRUSTED
    assessor = after.signatures[0]
    assert assessor.facts.level == "B-LTA"
    assert assessor.changed_after == "validation data and time stamps added"


@pytest.mark.skipif(PDFSIG is None, reason="poppler's pdfsig not installed")
def test_pdfsig_accepts_the_signatures_of_a_b_lta_report(signed_online):
    report = pdfsig(signed_online["files"]["both"])
    assert report.count("Signature is Valid") == 2
    assert "Alice Assessor" in report
    assert "Rob Reviewer" in report


def test_an_unreachable_tsa_signs_without_a_time_stamp_and_says_so(signed_online, report_pdf):
    folder = signed_online["folder"]
    offline = LtvOptions(tsa_url=signed_online["tsa_url"], trust=signed_online["anchors"])
    result = sign_pdf(
        report_pdf,
        folder / "late.pdf",
        Credential(signed_online["alice"], secret=PASSWORD),
        ltv=offline,
    )
    assert result.level.startswith("B-B")
    assert "assay report extend" in result.warnings[0]
    with pytest.raises(SigningError, match="cannot be reached"):
        extend_pdf(folder / "late.pdf", folder / "late-extended.pdf", offline)
    assert not (folder / "late-extended.pdf").exists()


def test_extend_needs_a_tsa_and_anchors(signed_online):
    with pytest.raises(SigningError, match="needs a TSA"):
        extend_pdf(signed_online["files"]["bb"], signed_online["folder"] / "x.pdf", LtvOptions())
