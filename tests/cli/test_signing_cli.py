"""The done-when of signing, through the CLI: tokens, countersignature, B-LTA, verdicts.

The assessor signs the report on a SoftHSM token with a time stamp and validation data from
a TSA and an OCSP responder on 127.0.0.1; the reviewer countersigns on another token; ``assay
verify`` lists both and exits 0 only with the firm's root as trust anchor; pdfsig agrees.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.services.workspace import open_workspace
from app.storage.models import WorkspaceSetting
from tests.hostile.conftest import mounted_tmpfs
from tests.pki import CERTUTIL, PDFSIG, SOFTHSM_LIB, TOKEN_PIN, nss_db, pdfsig, shared_softhsm

pytestmark = pytest.mark.skipif(SOFTHSM_LIB is None, reason="SoftHSM2 not installed")
_SETUP = Path(__file__).parents[1] / "services" / "test_reporting_setup.py"


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


def _run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """Sign on the assessor's card, countersign on the reviewer's, both B-LTA."""
    hsm = shared_softhsm(tmp_path_factory)
    folder = tmp_path_factory.mktemp("cli-signing")
    built = _setup_module().build_report_workspace(folder / "ws")
    pin = folder / "pin.txt"
    pin.write_text(TOKEN_PIN + "\n")
    ltv = ["--trust", hsm.root_pem, "--tsa", hsm.pki.tsa_url, "--fetch-revocation"]
    assessor, both = folder / "assessor.pdf", folder / "both.pdf"
    first = main([str(a) for a in [
        "--workspace", built.path, "report", "pdf", "--assessment", built.assessment_id,
        "-o", assessor, "--pkcs11-lib", SOFTHSM_LIB, "--token", "Assessor Card",
        "--key", "alice-sign", "--pin-file", pin, *ltv,
    ]])  # fmt: skip
    second = main([str(a) for a in [
        "--workspace", built.path, "report", "countersign", assessor, "-o", both,
        "--pkcs11-lib", SOFTHSM_LIB, "--token", "Reviewer Card", "--key", "rob-sign",
        "--pin-file", pin, *ltv,
    ]])  # fmt: skip
    return {"hsm": hsm, "codes": (first, second), "assessor": assessor, "both": both,
            "workspace": built.path, "folder": folder,
            "assessment": built.assessment_id}  # fmt: skip


def test_sign_on_a_token_then_countersign(signed, capsys):
    assert signed["codes"] == (0, 0)
    code, out, _ = _run(capsys, "verify", signed["both"], "--trust", signed["hsm"].root_pem)
    assert code == 0, out
    assert "signature 1: assessor — Alice Assessor" in out
    assert "reviewer — Rob Reviewer" in out
    assert "changed after: later signatures added" in out
    assert "level       B-LTA" in out
    assert "result    INTACT AND TRUSTED" in out


def test_verify_json_lists_every_signature(signed, capsys):
    code, out, _ = _run(capsys, "verify", signed["both"], "--json")
    data = json.loads(out)
    assert code == 1, "without the firm's root the signers are not trusted"
    assert data["verdict"] == "intact, signer not trusted"
    people = [(s["role"], s["signer"]) for s in data["signatures"] if s["level"] != "-"]
    assert people == [("assessor", "Alice Assessor"), ("reviewer", "Rob Reviewer")]
    assert {s["time_source"] for s in data["signatures"]} == {"time stamp"}


@pytest.mark.skipif(PDFSIG is None or CERTUTIL is None, reason="pdfsig and certutil needed")
def test_pdfsig_accepts_both_signatures(signed):
    report = pdfsig(signed["both"], nss_db(signed["folder"] / "nss", signed["hsm"].pki.pki.root))
    assert report.count("Signature is Valid") == 2
    assert report.count("Certificate is Trusted") == 2


def test_revocation_data_is_cached_in_the_workspace(signed):
    ws = open_workspace(signed["workspace"], actor="tester")
    try:
        with ws.db.read() as session:
            row = session.get(WorkspaceSetting, "signing.revocation_cache")
    finally:
        ws.close()
    assert row is not None
    assert {entry["kind"] for entry in row.value.values()} == {"ocsp"}


def test_the_pin_is_written_nowhere(signed, capsys):
    secret = TOKEN_PIN.encode()
    assert secret not in Path(signed["workspace"]).read_bytes()
    for pdf in (signed["assessor"], signed["both"]):
        assert secret not in pdf.read_bytes()


def test_tokens_are_listed(signed, capsys):
    code, out, _ = _run(capsys, "report", "tokens", "--pkcs11-lib", SOFTHSM_LIB)
    assert code == 0
    assert "Assessor Card" in out
    assert "rob-sign" in out


def test_extend_raises_a_b_b_report_to_b_lta(signed, capsys, tmp_path):
    hsm = signed["hsm"]
    pin = tmp_path / "pin"
    pin.write_text(TOKEN_PIN)
    plain = tmp_path / "plain.pdf"
    code, out, err = _run(
        capsys, "--workspace", signed["workspace"], "report", "countersign", signed["assessor"],
        "-o", plain, "--pkcs11-lib", SOFTHSM_LIB, "--token", "Reviewer Card", "--key",
        "rob-sign", "--pin-file", pin, "--no-tsa",
    )  # fmt: skip
    assert code == 0, err
    assert "(B-B)" in out
    code, out, err = _run(
        capsys, "report", "extend", plain, "--tsa", hsm.pki.tsa_url, "--trust", hsm.root_pem,
        "--fetch-revocation",
    )  # fmt: skip
    assert code == 0, err
    assert "B-LTA" in out
    code, out, _ = _run(capsys, "verify", plain, "--trust", hsm.root_pem, "--json")
    data = json.loads(out)
    assert code == 0
    assert [s["level"] for s in data["signatures"] if s["role"] == "reviewer"] == ["B-LTA"]


def _ocsp_serials(pdf: Path) -> set[int]:
    from app.reports.ltv import revocation_in_pdf

    found = set()
    for response in revocation_in_pdf(pdf).ocsps:
        data = response["response_bytes"]["response"].parsed["tbs_response_data"]
        found.add(data["responses"][0]["cert_id"]["serial_number"].native)
    return found


def test_cached_revocation_data_is_embedded_offline(signed, capsys, tmp_path):
    hsm = signed["hsm"]
    pin = tmp_path / "pin"
    pin.write_text(TOKEN_PIN)
    out = tmp_path / "offline.pdf"
    asked_before = len(hsm.pki.hits)
    code, text, err = _run(
        capsys, "--workspace", signed["workspace"], "report", "countersign", signed["assessor"],
        "-o", out, "--pkcs11-lib", SOFTHSM_LIB, "--token", "Reviewer Card", "--key", "rob-sign",
        "--pin-file", pin, "--no-tsa", "--trust", hsm.root_pem,
    )  # fmt: skip
    assert code == 0, err
    assert len(hsm.pki.hits) == asked_before, "nothing was fetched"
    reviewer = hsm.reviewer.cert.serial_number
    assert reviewer in _ocsp_serials(out), "the reviewer's cached OCSP response is embedded"
    assert reviewer not in _ocsp_serials(signed["assessor"]), "it was not in the input already"


def _draw_on_first_page(pdf: Path, out: Path) -> Path:
    """Append an incremental update that writes on page 1 of a signed PDF."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with pdf.open("rb") as source:
        writer = IncrementalPdfFileWriter(source)
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        drawn = writer.add_object(generic.StreamObject(stream_data=b"BT 100 400 Td (OK) Tj ET"))
        contents = page["/Contents"]
        kept = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
        page["/Contents"] = generic.ArrayObject([*kept, drawn])
        writer.update_container(page)
        with out.open("wb") as target:
            writer.write(target)
    return out


def test_a_page_drawn_on_after_signing_is_changed_without_a_traceback(signed, capsys, tmp_path):
    altered = _draw_on_first_page(signed["both"], tmp_path / "altered.pdf")
    code, out, err = _run(capsys, "verify", altered, "--trust", signed["hsm"].root_pem)
    assert code == 1
    assert "result    CHANGED AFTER SIGNING" in out
    assert "ask the signers for the file as they signed it" in out
    assert "Traceback" not in err, err
    assert "SuspiciousModification" not in err, err


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nothing can be written to: a read-only mount for root, else mode 0555."""
    if os.geteuid() == 0:
        with mounted_tmpfs(tmp_path / "read-only", "ro,size=1m") as folder:
            yield folder
        return
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    yield folder
    folder.chmod(0o755)


def test_signed_output_to_a_read_only_folder_is_one_line_and_harms_nothing(
    signed, capsys, read_only_folder, tmp_path
):
    pin = tmp_path / "pin"
    pin.write_text(TOKEN_PIN)
    token = ["--pkcs11-lib", SOFTHSM_LIB, "--pin-file", pin, "--no-tsa"]
    ws = ["--workspace", signed["workspace"]]
    code, _, err = _run(
        capsys, *ws, "report", "pdf", "--assessment", signed["assessment"], "-o",
        read_only_folder / "r.pdf",
        "--token", "Assessor Card", "--key", "alice-sign", *token,
    )  # fmt: skip
    assert code == 1, err
    assert f"assay: cannot write r.pdf in {read_only_folder}" in err
    assert "internal error" not in err
    # the workspace opens as before: the failed run left nothing to recover
    code, _, err = _run(
        capsys, *ws, "report", "countersign", signed["assessor"], "-o",
        read_only_folder / "c.pdf", "--token", "Reviewer Card", "--key", "rob-sign", *token,
    )  # fmt: skip
    assert code == 1, err
    assert err.count("\n") == 1, err
    assert "cannot write c.pdf" in err.lower()
    assert list(read_only_folder.iterdir()) == []


def test_signing_with_someone_elses_certificate_is_pointed_out(signed, capsys, tmp_path):
    pin = tmp_path / "pin"
    pin.write_text(TOKEN_PIN)
    code, out, err = _run(
        capsys, "--workspace", signed["workspace"], "report", "pdf", "--assessment",
        signed["assessment"], "-o", tmp_path / "r.pdf", "--pkcs11-lib", SOFTHSM_LIB,
        "--token", "Assessor Card", "--key", "alice-sign", "--pin-file", pin, "--no-tsa",
    )  # fmt: skip
    assert code == 0, err
    assert (
        "warning: the report names Alex Assessor as the assessor but was signed with the "
        "certificate of Alice Assessor" in out
    )
