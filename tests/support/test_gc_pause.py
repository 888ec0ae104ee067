"""The collector pause: nested and concurrent holders, and the collector's state restored."""

from __future__ import annotations

import gc
import threading

from app.support.gc_pause import paused_gc


def test_the_collector_is_off_while_any_holder_is_in_and_back_on_after_the_last():
    assert gc.isenabled()
    first_in, second_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_job() -> None:
        with paused_gc():
            first_in.wait(5)
        seen.append(gc.isenabled())  # the first holder is still in
        second_out.set()

    with paused_gc():
        worker = threading.Thread(target=other_job)
        worker.start()
        first_in.set()
        assert second_out.wait(5)
        worker.join(5)
        assert not gc.isenabled()
        with paused_gc():  # nested in one thread
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_the_caller_had_turned_off_stays_off():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
