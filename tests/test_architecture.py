"""The code keeps its shape: layer contracts, lint, and no heavy imports at start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)


def test_import_contracts_hold():
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_check_is_clean():
    result = _run(str(BIN / "ruff"), "check", "app", "tests")
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean():
    result = _run(str(BIN / "ruff"), "format", "--check", "app", "tests")
    assert result.returncode == 0, result.stdout


def test_gui_startup_does_not_import_heavy_libraries(tmp_path):
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.gui.app import create_application\n"
        "from app.gui.main_window import MainWindow\n"
        "from app.services.workspace import open_workspace\n"
        "app = create_application()\n"
        f"window = MainWindow(open_workspace(Path({str(tmp_path / 'w.assay')!r})))\n"
        "window.show()\n"
        "app.processEvents()\n"
        "heavy = ['weasyprint', 'openpyxl', 'pyhanko', 'alembic.command']\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
        "window.close()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = _run(sys.executable, "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    # Alembic's command module is loaded to create a new workspace; a second start would not.
    assert [m for m in loaded if m != "alembic.command"] == []


def test_no_service_opens_a_session_itself():
    """Services get their transaction as a unit of work; only the workspace opens one."""
    services = ROOT / "app" / "services"
    opening = re.compile(r"\.db\.(read|write)\(")
    offenders = [
        f"{path.relative_to(services)}:{number}"
        for path in services.rglob("*.py")
        if path.name != "workspace.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if opening.search(line)
    ]
    assert offenders == []
