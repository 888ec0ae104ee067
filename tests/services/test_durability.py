"""A child committing through the services is killed at random; nothing committed is lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from sqlmodel import select

from app.services import journal
from app.services.integrity import check_workspace
from app.services.workspace import open_workspace
from app.storage.models import Person

ROUNDS = 20

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.services import journal
    from app.services.workspace import open_workspace
    from app.storage.models import Person

    ws = open_workspace(Path(sys.argv[1]), actor="child")
    start = int(sys.argv[2])
    n = start
    while True:
        with ws.db.write() as session:
            person = Person(name=f"person {n}", email=f"p{n}@example.org")
            session.add(person)
            session.flush()
            journal.record(session, actor="child", action="person.create", entity="person",
                           entity_id=n, before=None, after={"email": person.email})
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
            emails = set(session.exec(select(Person.email)).all())
            entries = journal.verify_chain(session).entries
        ws.close()
        missing = [n for n in reported if f"p{n}@example.org" not in emails]
        assert missing == []
        # The child may have committed one more row than it managed to report.
        assert len(emails) in (len(reported), len(reported) + 1)
        assert entries == len(emails)
        reported = sorted({*reported, *(int(e[1:].split("@")[0]) for e in emails)})
    assert len(reported) > ROUNDS
