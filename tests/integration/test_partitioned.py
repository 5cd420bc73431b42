"""The partitioned parse (orchestration/assets/partitions.py, nianbao/run/parquet.py).

* The job ``nianbao_partitioned`` publishes a warehouse whose marts equal, row for row, those of
  the single-machine job on the same files, on two executors: Dagster's multiprocess executor
  (each partition a step in its own process) and dagster-dask on a dask ``distributed`` cluster
  the test starts on this machine (a scheduler and two worker processes, loopback only), the
  way ``nianbao run --partitioned`` reaches a cluster (``NIANBAO_PARTITION_EXECUTOR=dask``,
  ``NIANBAO_DASK_SCHEDULER``).
* A partition is incremental: after one file changes, only its partition parses again (one
  report) and rewrites its Parquet files; the other partitions keep theirs untouched.
"""
import os
import random
import shutil

import dagster as dg
import duckdb
import pytest

from nianbao.run.parquet import parse_partition, part_path, partition_keys, write_registry
from nianbao.run.scan import scan_raw_dir
from nianbao.run.settings import load_settings
from orchestration.runtime.instance import ensure_dagster_home
from tests.conftest import SAMPLES
from tests.generator import random_case

MARTS = ("dim_report", "dim_source_file", "dim_agency", "fct_applications", "fct_application_outcomes",
         "fct_litigation", "fct_proactive_disclosure", "fct_reconciliation", "mart_agency_year")


def _raw_dir(root):
    raw = root / "raw"
    shutil.copytree(SAMPLES, raw / "samples")
    rng = random.Random(11)
    for i in range(10):
        name, data = random_case(rng, ("txt", "html")).render()
        (raw / "gen").mkdir(exist_ok=True)
        (raw / "gen" / f"{i:02d}-{name}").write_bytes(data)
    (raw / "gen" / "copy.txt").write_bytes(sorted((raw / "gen").iterdir())[0].read_bytes())
    (raw / "junk.bin").write_bytes(bytes(range(256)) * 8)
    return raw


def _env(mp, raw, db, home, partitions=4):
    mp.setenv("NIANBAO_RAW_DIR", str(raw))
    mp.setenv("NIANBAO_DB", str(db))
    mp.delenv("NIANBAO_PARQUET_DIR", raising=False)
    mp.setenv("NIANBAO_PARSE_PARTITIONS", str(partitions))
    mp.setenv("NIANBAO_WORKERS", "1")
    mp.setenv("DAGSTER_HOME", str(home))
    mp.setenv("TQDM_DISABLE", "1")
    ensure_dagster_home(home)  # the instance `nianbao run` uses (pooled event log)


def _marts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"select * from marts.{t}").fetchall())) for t in MARTS}


@pytest.fixture(scope="module")
def single_machine(tmp_path_factory):
    """The raw folder, and the marts the single-machine job (nianbao run) publishes from it."""
    from orchestration.definitions import MAIN_JOB, build_definitions

    root = tmp_path_factory.mktemp("partitioned")
    raw = _raw_dir(root)
    mp = pytest.MonkeyPatch()
    try:
        _env(mp, raw, root / "single" / "nianbao.duckdb", root / "home_single")
        with dg.DagsterInstance.get() as instance:
            result = build_definitions().resolve_job_def(MAIN_JOB).execute_in_process(
                instance=instance, raise_on_error=False)
            assert result.success
    finally:
        mp.undo()
    single = _marts(root / "single" / "nianbao.duckdb")
    assert sum(len(v) for v in single.values()) > 100
    return raw, single


def _assert_same_marts(db, single):
    partitioned = _marts(db)
    for table in MARTS:
        assert partitioned[table] == single[table], table
    statuses = {r for r in partitioned["dim_source_file"] if "'duplicate'" in r or "'rejected'" in r}
    assert len(statuses) == 2


def _step_pids(result) -> dict[str, int]:
    failures = [e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]
    assert result.success, failures
    return {e.step_key: e.pid for e in result.all_events if e.event_type_value == "STEP_START"}


def test_partitioned_job_multiprocess_equals_single_machine(tmp_path, single_machine):
    from orchestration.assets.partitions import PARTITIONED_JOB
    from orchestration.definitions import partitioned_job

    raw, single = single_machine
    mp = pytest.MonkeyPatch()
    try:
        _env(mp, raw, tmp_path / "part" / "nianbao.duckdb", tmp_path / "home_part", partitions=2)
        with dg.DagsterInstance.get() as instance:
            result = dg.execute_job(dg.reconstructable(partitioned_job), instance=instance, raise_on_error=False)
            starts = _step_pids(result)
            assert result.dagster_run.job_name == PARTITIONED_JOB
            parts = [k for k in starts if k.startswith("raw_parquet__part_")]
            assert len(parts) == 2
            assert len({starts[k] for k in parts}) == 2, "each partition runs in its own process"
    finally:
        mp.undo()
    _assert_same_marts(tmp_path / "part" / "nianbao.duckdb", single)


def test_partitioned_job_on_a_dask_cluster_equals_single_machine(tmp_path, single_machine):
    """`nianbao run --partitioned` with dagster-dask on a dask.distributed cluster of two worker
    processes (loopback only), started here before the run as a real cluster would be and
    reached by the scheduler's address. The run is a subprocess, as a user's is (Dagster keeps
    the job it reconstructs for a process, so another executor's job must not be in this one)."""
    import subprocess
    import sys

    import dask
    from distributed import Client, LocalCluster

    from orchestration.assets.partitions import dask_worker_settings

    raw, single = single_machine
    mp = pytest.MonkeyPatch()
    try:
        # the workers inherit this environment: the same settings and executor as the run's process
        _env(mp, raw, tmp_path / "dask" / "nianbao.duckdb", tmp_path / "home_dask", partitions=4)
        mp.setenv("NIANBAO_PARTITION_EXECUTOR", "dask")
        with dask.config.set(dask_worker_settings()), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address=None) as cluster, Client(cluster) as client:
            assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
            worker_pids = set(client.run(os.getpid).values())
            assert len(worker_pids) == 2 and os.getpid() not in worker_pids
            env = dict(os.environ, NIANBAO_DASK_SCHEDULER=cluster.scheduler_address)
            run = subprocess.run(
                [sys.executable, "-c", "import sys; sys.argv[1:] = ['run', '--partitioned']; "
                                       "from orchestration.cli import console_main; sys.exit(console_main())"],
                env=env, capture_output=True, text=True, timeout=1800)
            assert run.returncode == 0, run.stderr[-3000:]
        with dg.DagsterInstance.get() as instance:
            record = instance.get_run_records(limit=1)[0]
            assert record.dagster_run.job_name == "nianbao_partitioned"
            starts = {e.step_key: e.dagster_event.pid for e in instance.all_logs(record.dagster_run.run_id)
                      if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"}
    finally:
        mp.undo()
    parts = [k for k in starts if k.startswith("raw_parquet__part_")]
    assert len(parts) == 4
    assert set(starts.values()) <= worker_pids, "every step ran on a dask worker"
    _assert_same_marts(tmp_path / "dask" / "nianbao.duckdb", single)


def test_partition_reparses_only_changed_content(tmp_path, monkeypatch):
    raw = _raw_dir(tmp_path)
    _env(monkeypatch, raw, tmp_path / "w" / "nianbao.duckdb", tmp_path / "home")
    settings = load_settings()
    keys = partition_keys(settings.parse_partitions)

    def run_all():
        write_registry(settings, scan_raw_dir(settings.raw_dir, settings.max_file_bytes))
        return {k: parse_partition(settings, k) for k in keys}

    first = run_all()
    assert sum(s.parsed_now for s in first.values()) == 16  # 5 samples + 10 generated + the junk file
    assert all(s.rewritten for s in first.values())
    mtimes = {k: part_path(settings, "reports", k).stat().st_mtime_ns for k in keys}

    again = run_all()
    assert not any(s.rewritten or s.parsed_now for s in again.values())

    victim = sorted((raw / "gen").iterdir())[0]
    victim.write_bytes(victim.read_bytes() + "\n附：更正。\n".encode())
    changed = run_all()
    rewritten = [k for k, s in changed.items() if s.rewritten]
    assert sum(s.parsed_now for s in changed.values()) == 1
    # only the new content's partition changed: copy.txt still holds the old content
    assert len(rewritten) == 1
    assert sum(s.removed for s in changed.values()) == 0
    for k in keys:
        if k not in rewritten:
            assert part_path(settings, "reports", k).stat().st_mtime_ns == mtimes[k]
