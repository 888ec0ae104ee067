"""Report rendering time for a 400-answer assessment: PDF, workbook and signature.

Prints wall and CPU seconds of each step; never asserts a time.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from app.reports.certificates import create_self_signed_p12
from app.reports.credentials import Credential
from app.reports.loading import load_yaml, report_data_from_dict
from app.reports.manifest import attachments_for
from app.reports.pdf import render_pdf
from app.reports.signing import sign_pdf
from app.reports.xlsx import write_workbook

ANSWERS = 400
DUMMY = Path(__file__).resolve().parents[1] / "data" / "report_dummy.yaml"


def _big_report():
    data = report_data_from_dict(load_yaml(DUMMY)["report"])
    answers = []
    round_ = 0
    while len(answers) < ANSWERS:
        for answer in data.answers:
            suffix = f"-{round_}" if round_ else ""
            answers.append(
                dataclasses.replace(
                    answer, question_id=answer.question_id + suffix, ref=answer.ref + suffix
                )
            )
        round_ += 1
    return dataclasses.replace(data, answers=tuple(answers[:ANSWERS]))


def _timed(label: str, action) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    print(
        f"{label}: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU"
    )
    return result


def test_bench_report_rendering(tmp_path):
    data = _big_report()
    pdf = tmp_path / "report.pdf"
    print(f"\nreport with {len(data.answers)} answers, {len(data.findings)} findings")
    pages = _timed("PDF", lambda: render_pdf(data, pdf))
    print(f"  {pages} pages, {pdf.stat().st_size / 1024:.0f} KB")
    _timed("workbook", lambda: write_workbook(data, tmp_path / "report.xlsx"))
    p12 = tmp_path / "bench.p12"
    create_self_signed_p12(p12, "Bench Signer", "Bench", "bench@example.com", b"pw", 1)
    _timed(
        "sign",
        lambda: sign_pdf(
            pdf,
            tmp_path / "signed.pdf",
            Credential(p12_path=p12, secret=b"pw"),
            attachments=attachments_for(data),
        ),
    )
