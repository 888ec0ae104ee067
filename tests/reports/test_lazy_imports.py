"""Importing the report package loads none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("weasyprint", "openpyxl", "pyhanko", "cryptography.x509")


def test_report_modules_import_no_heavy_library():
    probe = (
        "import json, sys\n"
        "import app.reports.pdf, app.reports.xlsx, app.reports.xlsx_import, app.reports.signing\n"
        "import app.reports.verify, app.reports.charts, app.reports.html, app.reports.loading\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
