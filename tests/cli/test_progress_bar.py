"""Long CLI work shows a progress bar on a terminal's stderr, and nothing anywhere else."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.progress_bar import terminal_progress

SAMPLE = Path(__file__).parents[2] / "resources" / "samples" / "acme-inventory.xlsx"


def _import_with_stderr_on_a_terminal(workspace: Path) -> tuple[int, str, str]:
    """Run an import whose stderr is a pseudo-terminal, as in a consultant's shell."""
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    child = subprocess.Popen(
        [sys.executable, "-m", "app", "--workspace", str(workspace), "import", "inventory",
         str(SAMPLE)],
        stdout=subprocess.PIPE, stderr=slave, env=env,
    )  # fmt: skip
    os.close(slave)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = child.stdout.read().decode() if child.stdout else ""
    os.close(master)
    return child.wait(timeout=120), out, seen.decode(errors="replace")


def test_an_import_draws_a_bar_on_a_terminal_and_keeps_stdout_clean(tmp_path):
    code, out, terminal = _import_with_stderr_on_a_terminal(tmp_path / "w.assay")
    assert code == 0
    assert "Importing acme-inventory.xlsx" in terminal or "Reading acme-inventory" in terminal
    assert "%" in terminal
    assert "left" in terminal
    assert "%" not in out
    assert "━" not in out


def test_no_bar_when_stderr_is_not_a_terminal_or_under_json(tmp_path):
    for extra in ([], ["--json"]):
        result = subprocess.run(
            [sys.executable, "-m", "app", "--workspace", str(tmp_path / f"w{len(extra)}.assay"),
             "import", "inventory", str(SAMPLE), *extra],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "━" not in result.stderr
        assert "left" not in result.stderr


def test_first_interrupt_cancels_the_work_and_the_second_interrupts():
    with terminal_progress("Importing", quiet=True) as progress:
        os.kill(os.getpid(), signal.SIGINT)
        assert progress.cancelled
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_cancelled_command_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    from app.cli import main
    from app.support.progress import Cancelled

    def cancelled_plan(*_args, **_kwargs):
        raise Cancelled()

    monkeypatch.setattr("app.cli.inventory.plan_import", cancelled_plan)
    code = main(["--workspace", str(tmp_path / "w.assay"), "import", "inventory", str(SAMPLE)])
    assert code == 1
    assert "stopped at your request" in capsys.readouterr().err
