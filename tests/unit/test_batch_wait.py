"""The run's wait on its parser processes (nianbao.run.pool._ready / _readable_within): one
select.poll call standing in for multiprocessing.connection.wait, with the same answers."""
import multiprocessing
import time

import pytest

from nianbao.run import pool


@pytest.fixture(params=[True, False], ids=["poll", "multiprocessing-wait"])
def waiting(request, monkeypatch):
    monkeypatch.setattr(pool, "_HAS_POLL", request.param)  # False: where select.poll is missing


def _sleep_then_exit(seconds):
    time.sleep(seconds)


def test_ready_names_only_what_is_readable(waiting):
    quiet_a, quiet_b = multiprocessing.Pipe()
    loud_a, loud_b = multiprocessing.Pipe()
    loud_b.send("result")
    assert pool._ready([quiet_a, loud_a], 0) == {loud_a}
    assert pool._ready([quiet_a], 0.05) == set()
    loud_a.recv()
    assert pool._ready([quiet_a, loud_a], 0) == set()


def test_ready_sees_a_closed_pipe_and_a_dead_process(waiting):
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_sleep_then_exit, args=(0.1,))
    proc.start()
    a, b = ctx.Pipe()  # made after the fork: the child holds no copy of b
    assert pool._ready([a, proc.sentinel], 0) == set()
    b.close()
    assert pool._ready([a, proc.sentinel], 0) == {a}  # EOF counts as readable: recv raises
    assert proc.sentinel in pool._ready([proc.sentinel], 10)
    proc.join()


def test_ready_waits_for_the_timeout(waiting):
    a, _b = multiprocessing.Pipe()
    started = time.monotonic()
    assert pool._ready([a], 0.2) == set()
    assert time.monotonic() - started >= 0.19


def test_readable_within_follows_the_connection(waiting):
    a, b = multiprocessing.Pipe()
    readable = pool._readable_within(a)
    assert not readable(0)
    b.send(7)
    assert readable(1.0)
    assert a.recv() == 7
    assert not readable(0.01)


def test_the_run_heap_is_frozen_for_the_workers_and_thawed_after(tmp_path):
    """The workers fork with the run's objects frozen (their collector skips them, so their pages
    are not copied); afterwards the run's own collector sees them again (a long-lived process
    such as the Dagster daemon would otherwise never collect them)."""
    import gc

    from nianbao.parse.pipeline import Limits

    report = tmp_path / "a.txt"
    report.write_text("某某县人民政府2023年政府信息公开工作年度报告\n本年度收到政府信息公开申请12件。\n", encoding="utf-8")
    seen = []
    rows = pool.parse_many([(report, "a.txt")], Limits(), 30, 1,
                           progress=lambda *_: seen.append(gc.get_freeze_count()))
    assert len(rows.reports) == 1
    assert seen and seen[0] > 0  # frozen while the workers run
    assert gc.get_freeze_count() == 0
