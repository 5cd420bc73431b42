"""One writer per warehouse, however a run is started, and a run history that stays bounded.

A small job with the definitions' executor wrapper (orchestration/one_writer.py) stands for
any run Dagster starts (UI, sensor, `dagster asset materialize`): it holds the warehouse's run
lock for the run, waits while another run holds it and says whom it waits for, then fails
naming the holder; a `nianbao run` holding the lock in this process lets its own job through.
The whole-pipeline case (`dagster asset materialize` beside `nianbao run`) is in
tests/integration/test_faults.py.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from nianbao.run.locks import RunInProgress, lock_owner, run_lock
from nianbao.run.settings import load_settings
from orchestration.one_writer import one_writer
from orchestration.runtime.instance import ensure_dagster_home, prune_history

REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from nianbao.run.locks import run_lock
from nianbao.run.settings import load_settings
with run_lock(load_settings(), "the holder in the test"):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


@dg.op
def report_the_lock_owner() -> str:
    return lock_owner(load_settings())


@dg.job(executor_def=one_writer(dg.in_process_executor))
def locked_job():
    report_the_lock_owner()


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_DB", str(tmp_path / "data" / "nianbao.duckdb"))
    monkeypatch.setenv("NIANBAO_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("NIANBAO_RUN_LOCK_WAIT_SECONDS", "3")
    return load_settings()


def _hold(seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(seconds)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


class Ran:
    def __init__(self, result):
        self.success, self.run_id, self.all_events = result.success, result.run_id, result.all_events
        self.owner = result.output_for_node("report_the_lock_owner") if result.success else None


def _execute(instance) -> Ran:
    with dg.execute_job(dg.reconstructable(locked_job), instance=instance, raise_on_error=False) as result:
        return Ran(result)


def test_a_dagster_run_holds_the_lock_while_it_runs(warehouse):
    with dg.instance_for_test() as instance:
        result = _execute(instance)
    assert result.success
    assert result.owner.startswith(f"Dagster run {result.run_id} of locked_job")
    with run_lock(warehouse, "after"):  # and lets it go
        pass


def test_a_dagster_run_waits_for_the_holder_says_so_then_fails_naming_it(warehouse):
    holder = _hold(60)
    try:
        with dg.instance_for_test() as instance:
            t0 = time.monotonic()
            result = _execute(instance)
            waited = time.monotonic() - t0
            logs = [e.message for e in instance.all_logs(result.run_id) if e.message]
    finally:
        holder.kill()
        holder.wait()
    assert not result.success and waited >= 3
    assert any("waiting for the run writing this warehouse to finish: the holder in the test" in m for m in logs)
    failure = next(e for e in result.all_events if e.is_failure)  # the run's failure: the UI shows its error
    error = failure.event_specific_data.error
    assert error.cls_name == "RunInProgress"
    assert "another run is writing this warehouse (waited 3 s): the holder in the test" in error.message


def test_a_dagster_run_waits_then_runs_when_the_holder_finishes(warehouse):
    holder = _hold(2)
    try:
        with dg.instance_for_test() as instance:
            result = _execute(instance)
    finally:
        holder.wait()
    assert result.success


def test_the_command_line_refuses_at_once_naming_the_holder(warehouse):
    holder = _hold(60)
    try:
        with pytest.raises(RunInProgress, match="the holder in the test"):
            with run_lock(warehouse, "nianbao run (command line)"):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_run_holding_the_lock_lets_its_own_job_through(warehouse):
    """`nianbao run --partitioned` holds the lock, then executes a job whose executor asks again."""
    with run_lock(warehouse, "nianbao run (command line)"), dg.instance_for_test() as instance:
        result = _execute(instance)
    assert result.success and result.owner.startswith("nianbao run (command line)")


def test_two_warehouses_in_one_folder_have_their_own_locks(tmp_path, monkeypatch):
    a = load_settings({"NIANBAO_DB": str(tmp_path / "a.duckdb")})
    b = load_settings({"NIANBAO_DB": str(tmp_path / "b.duckdb")})
    assert a.lock_path != b.lock_path and a.work_dir != b.work_dir
    with run_lock(a, "a"), run_lock(b, "b"):
        pass


def test_the_run_history_keeps_the_newest_runs_and_their_files_only(tmp_path, warehouse):
    home = ensure_dagster_home(tmp_path / "dagster_home")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = [_execute(instance).run_id for _ in range(4)]
        assert prune_history(instance, 2) == 2
        assert set(instance.get_run_ids()) == set(runs[2:])
    shards = {p.stem for p in (home / "history" / "runs").glob("*.db")} - {"index"}
    assert shards == set(runs[2:])  # the deleted runs' event-log files are gone too
    assert not list((home / "history" / "runs").glob("*-wal"))  # closed: WAL checkpointed away
