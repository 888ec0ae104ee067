"""A child creating findings through the service is killed at random; nothing committed is lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from sqlmodel import select

from app.services.integrity import check_workspace
from app.services.workspace import open_workspace
from app.storage import journal
from app.storage.models import Finding

ROUNDS = 20

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.services.findings import create_finding
    from app.services.workspace import open_workspace

    ws = open_workspace(Path(sys.argv[1]), actor="child")
    n = int(sys.argv[2])
    while True:
        create_finding(ws, title=f"finding {n}", severity="low")
        print(n, flush=True)
        n += 1
    """
)


def _run_round(path, start: int, rng: random.Random) -> list[int]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(start)],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert child.stdout is not None
    first = child.stdout.readline()  # wait until the child is really committing
    time.sleep(rng.uniform(0.0, 0.15))
    os.kill(child.pid, signal.SIGKILL)
    rest, _ = child.communicate()
    return [int(line) for line in (first + rest).split()]


def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path):
    path = tmp_path / "durable.assay"
    open_workspace(path).close()
    rng = random.Random(8596)
    reported: list[int] = []
    for _ in range(ROUNDS):
        start = (max(reported) + 1) if reported else 0
        reported += _run_round(path, start, rng)
        ws = open_workspace(path, create=False)
        report = check_workspace(ws)
        assert report.quick_check == "ok"
        assert report.journal.ok, report.journal
        with ws.db.read() as session:
            titles = set(session.exec(select(Finding.title)).all())
            entries = journal.verify_chain(session).entries
        ws.close()
        missing = [n for n in reported if f"finding {n}" not in titles]
        assert missing == []
        # The child may have committed one more row than it managed to report.
        assert len(titles) in (len(reported), len(reported) + 1)
        assert entries == len(titles)
        reported = sorted({*reported, *(int(t.split()[-1]) for t in titles)})
    assert len(reported) > ROUNDS
