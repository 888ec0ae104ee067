"""``assay report``, ``assay verify`` and ``assay certificate`` end to end on a real workspace.

One module-level scenario writes the files through the CLI (a certificate, a signed internal
PDF, a client PDF, a workbook, a portfolio); the tests then check them, tamper with copies and
drive the refusals.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.cli import main
from app.services.workspace import open_workspace
from app.storage.models import JournalEntry

PASSWORD = "cli-Secret-8596!"
_SETUP = Path(__file__).parents[1] / "services" / "test_reporting_setup.py"


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@dataclass
class Scenario:
    folder: Path
    workspace: Path
    client_workspace: Path
    assessment: int
    p12: Path
    password_file: Path
    signed: Path
    client: Path
    home: Path
    codes: dict[str, int]
    outputs: dict[str, str]


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _assay(home: Path, *args: object) -> subprocess.Popen[str]:
    """Start ``python -m app ARGS`` as a user would, with its own user folders."""
    return subprocess.Popen(
        [sys.executable, "-m", "app", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "ASSAY_HOME": str(home)},
    )


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-reports")
    home = folder / "home"
    built = setup.build_report_workspace(folder / "ws")
    client_ws = folder / "client.assay"
    shutil.copy2(built.path, client_ws)
    password_file = folder / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    p12, signed, client = folder / "assessor.p12", folder / "signed.pdf", folder / "client.pdf"
    codes, outputs = {}, {}
    steps = [
        {"certificate": ["certificate", "create", "-o", p12, "--name", "Alex Assessor",
                         "--org", "Assurance Partners", "--password-file", password_file]},
        {"signed": ["--workspace", built.path, "report", "pdf", "--assessment",
                    built.assessment_id, "-o", signed, "--sign", p12,
                    "--password-file", password_file],
         "client": ["--workspace", client_ws, "report", "pdf", "--assessment",
                    built.assessment_id, "-o", client, "--profile", "client"]},
    ]  # fmt: skip
    for step in steps:  # the two reports render side by side, each on its own workspace copy
        running = {name: _assay(home, *args) for name, args in step.items()}
        for name, process in running.items():
            outputs[name] = process.communicate()[0]
            codes[name] = process.returncode
    return Scenario(
        folder, built.path, client_ws, built.assessment_id, p12, password_file, signed, client,
        home, codes, outputs,
    )  # fmt: skip


def _text(pdf: Path) -> str:
    """Return the PDF's text without any whitespace (poppler's pdftotext is 10x faster)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    else:
        from pypdf import PdfReader

        text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return "".join(text.split())


def test_the_commands_succeed(scenario):
    assert scenario.codes == {"certificate": 0, "signed": 0, "client": 0}, scenario.outputs
    assert "signed by Alex Assessor (PAdES B-B)" in scenario.outputs["signed"]
    assert scenario.p12.with_suffix(".pem").exists()
    assert stat.S_IMODE(scenario.p12.stat().st_mode) == 0o600, "the private key is private"


def test_verify_trusts_only_a_configured_anchor_and_agrees_with_pdfsig(scenario, capsys):
    code, out, _ = _run(capsys, "verify", scenario.signed, "--json")
    result = json.loads(out)
    assert code == 1, "a self-signed certificate nobody configured is not trusted"
    assert result["valid"] is False
    assert (result["verdict"], result["colour"]) == ("intact, signer not trusted", "amber")
    (signature,) = result["signatures"]
    assert signature["signer"] == "Alex Assessor"
    assert signature["role"] == "assessor"
    assert signature["changed_after"] == "nothing"
    code, out, _ = _run(
        capsys, "verify", scenario.signed, "--trust", scenario.p12.with_suffix(".pem")
    )
    assert code == 0
    assert "result    INTACT AND TRUSTED" in out
    assert "signature 1: assessor — Alex Assessor" in out
    if shutil.which("pdfsig"):
        report = subprocess.run(["pdfsig", str(scenario.signed)], capture_output=True, text=True)
        assert "Signature is Valid" in report.stdout
        assert "Certificate is Trusted" not in report.stdout


def test_one_flipped_byte_makes_it_invalid(scenario, capsys, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(scenario.signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered.write_bytes(bytes(data))
    code, out, _ = _run(capsys, "verify", tampered)
    assert code == 1
    assert "result    BROKEN" in out
    if shutil.which("pdfsig"):
        report = subprocess.run(["pdfsig", str(tampered)], capture_output=True, text=True)
        assert "Signature is Valid" not in report.stdout


def test_the_signed_pdf_carries_the_manifest_and_results(scenario):
    from pypdf import PdfReader

    attachments = PdfReader(scenario.signed).attachments
    assert {"evidence-manifest.json", "results.json"} <= set(attachments)
    manifest = json.loads(attachments["evidence-manifest.json"][0])
    assert manifest["evidence"][0]["name"] == "access-review.txt"
    results = json.loads(attachments["results.json"][0])
    assert results["document"]["assessment_ref"] == f"ASSESSMENT-{scenario.assessment}"
    head = json.loads(attachments["workspace-journal.json"][0])
    ws = open_workspace(scenario.workspace, actor="tester")
    try:
        with ws.db.read() as session:
            entry = session.get(JournalEntry, head["entries"])
    finally:
        ws.close()
    assert entry.hash == head["head_hash"]
    assert head["head_hash"] in _text(scenario.signed), "the report prints the same fingerprint"


def test_client_pdf_masks_secrets_and_hides_notes(scenario):
    internal, client = _text(scenario.signed), _text(scenario.client)
    assert "ZEBRA4471" in internal
    assert setup.KEY_ID in internal
    assert "ZEBRA4471" not in client
    assert setup.KEY_ID not in client
    assert "123456789012" not in client


def _report_hashes(path: Path) -> set[str]:
    ws = open_workspace(path, actor="tester")
    try:
        with ws.db.read() as session:
            entries = session.execute(
                sa.select(JournalEntry.after).where(JournalEntry.action.like("report.%"))
            ).scalars()
            return {after["sha256"] for after in entries}
    finally:
        ws.close()


def test_reports_are_journalled_with_their_hash(scenario):
    import hashlib

    signed = hashlib.sha256(scenario.signed.read_bytes()).hexdigest()
    client = hashlib.sha256(scenario.client.read_bytes()).hexdigest()
    assert signed in _report_hashes(scenario.workspace)
    assert client in _report_hashes(scenario.client_workspace)


def test_the_password_is_never_written(scenario):
    secret = PASSWORD.encode()
    written = [p for p in scenario.home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in written)
    for path in written:
        assert secret not in path.read_bytes(), path


def test_quality_gate_blocks_signing(scenario, capsys, tmp_path):
    from app.services import assessments

    copy = tmp_path / "gate.assay"
    shutil.copy2(scenario.workspace, copy)
    ws = open_workspace(copy, actor="tester")
    try:
        info = assessments.new_assessment(
            ws, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"], max_priority=1
        )
        first = assessments.list_responses(ws, info.id)[0].question_id
        setup.answer_all(ws, info.id, None, skip=first)
    finally:
        ws.close()
    out_pdf = tmp_path / "blocked.pdf"
    code, _, err = _run(
        capsys, "--workspace", copy, "report", "pdf", "--assessment", info.id, "-o", out_pdf,
        "--sign", scenario.p12, "--password-file", scenario.password_file,
    )  # fmt: skip
    assert code == 1
    assert "quality gate" in err
    assert "High-priority" in err
    assert not out_pdf.exists()


def test_a_wrong_password_is_refused_before_rendering(scenario, capsys, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-the-password\n")
    out_pdf = tmp_path / "never.pdf"
    code, _, err = _run(
        capsys, "--workspace", scenario.workspace, "report", "pdf",
        "--assessment", scenario.assessment, "-o", out_pdf,
        "--sign", scenario.p12, "--password-file", wrong,
    )  # fmt: skip
    assert code == 1
    assert "password" in err
    assert "not-the-password" not in err
    assert not out_pdf.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "pdf", "--assessment", "99", "-o", "{tmp}/x.pdf"], "no assessment 99"),
        (["report", "pdf", "--assessment", "2", "-o", "{tmp}/x.txt"], "must end in .pdf"),
        (["report", "xlsx", "--assessment", "2", "-o", "{tmp}/x.pdf"], "must end in .xlsx"),
        (["verify", "{tmp}/absent.pdf"], "no file"),
        (["report", "pdf", "--assessment", "2", "-o", "{tmp}/x.pdf", "--appendices", "gossip"],
         "unknown appendix 'gossip'"),
        (["report", "pdf", "--assessment", "2", "-o", "{tmp}/x.pdf", "--password-file", "p"],
         "--password-file/--pin-file go with --sign P12"),
        (["report", "pdf", "--assessment", "2", "-o", "{tmp}/x.pdf", "--pkcs11-lib",
          "{tmp}/absent.so", "--token", "T", "--key", "K", "--pin-file", "{tmp}/pin"],
         "cannot read the password file"),
        (["report", "extend", "{tmp}/absent.pdf", "--tsa", "http://127.0.0.1:9/"], "no file"),
        (["report", "tokens", "--pkcs11-lib", "{tmp}/absent.so"], "no PKCS#11 library"),
    ],
)  # fmt: skip
def test_user_errors_are_one_line(scenario, capsys, tmp_path, args, message):
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = _run(capsys, "--workspace", scenario.workspace, *filled)
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_verify_refuses_an_unsigned_pdf(capsys, tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    pdf = tmp_path / "plain.pdf"
    with pdf.open("wb") as stream:
        writer.write(stream)
    code, out, _ = _run(capsys, "verify", pdf)
    assert code == 1
    assert "result    BROKEN" in out
    assert "not signed" in out


def test_certificate_create_refuses_to_overwrite(scenario, capsys):
    code, _, err = _run(
        capsys, "certificate", "create", "-o", scenario.p12, "--name", "X",
        "--password-file", scenario.password_file,
    )  # fmt: skip
    assert code == 1
    assert "already exists" in err


def test_workbook_and_responses_round_trip(scenario, capsys, tmp_path):
    from openpyxl import load_workbook

    copy = tmp_path / "round.assay"
    shutil.copy2(scenario.workspace, copy)
    book = tmp_path / "book.xlsx"
    base = ["--workspace", copy, "report"]
    code, out, _ = _run(capsys, *base, "xlsx", "--assessment", scenario.assessment, "-o", book)
    assert code == 0
    assert f"wrote {book}" in out
    workbook = load_workbook(book)
    sheet = workbook["Responses"]
    column = next(c.column for c in sheet[1] if c.value == "Level (0-5 or N/A)")
    question = sheet.cell(row=4, column=1).value
    sheet.cell(row=4, column=column, value=5 if sheet.cell(row=4, column=column).value != 5 else 0)
    workbook.save(book)
    args = ["import-responses", "--assessment", scenario.assessment, book]
    code, out, _ = _run(capsys, *base, *args, "--dry-run")
    assert code == 0
    assert "1 change, 0 problems" in out
    assert question in out
    assert "dry run: nothing was stored" in out
    code, out, _ = _run(capsys, *base, *args, "--json")
    result = json.loads(out)
    assert code == 0
    assert result["applied"] is True
    assert [c["question_id"] for c in result["changes"]] == [question]


def test_portfolio_pdf(scenario, capsys, tmp_path):
    out_pdf = tmp_path / "portfolio.pdf"
    code, out, _ = _run(
        capsys, "--workspace", scenario.workspace, "report", "portfolio", "-o", out_pdf, "--json"
    )
    assert code == 0
    assert json.loads(out)["kind"] == "portfolio"
    assert out_pdf.read_bytes().startswith(b"%PDF")
    text = _text(out_pdf)
    assert "Identityposture" in text  # the client's own identity figures, each with its goal
    assert "industry" not in text.lower()
