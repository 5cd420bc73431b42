"""The partitioned parse (orchestration/assets/partitions.py, nianbao/run/parquet.py).

* The job ``nianbao_partitioned`` runs with Dagster's multiprocess executor (each partition a
  step in its own process, as a cluster executor would place them) and publishes a warehouse
  whose marts equal, row for row, those of the single-machine job on the same files.
* A partition is incremental: after one file changes, only its partition parses again (one
  report) and rewrites its Parquet files; the other partitions keep theirs untouched.
"""
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


def test_partitioned_job_multiprocess_equals_single_machine(tmp_path):
    from orchestration.definitions import MAIN_JOB, build_definitions
    from orchestration.assets.partitions import PARTITIONED_JOB
    from orchestration.definitions import partitioned_job

    raw = _raw_dir(tmp_path)
    mp = pytest.MonkeyPatch()
    try:
        _env(mp, raw, tmp_path / "part" / "nianbao.duckdb", tmp_path / "home_part", partitions=2)
        with dg.DagsterInstance.get() as instance:
            result = dg.execute_job(dg.reconstructable(partitioned_job), instance=instance, raise_on_error=False)
            failures = [e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]
            assert result.success, failures
            assert result.dagster_run.job_name == PARTITIONED_JOB
            starts = {e.step_key: e.pid for e in result.all_events if e.event_type_value == "STEP_START"}
            parts = [k for k in starts if k.startswith("raw_parquet__part_")]
            assert len(parts) == 2
            assert len({starts[k] for k in parts}) == 2, "each partition runs in its own process"
        partitioned = _marts(tmp_path / "part" / "nianbao.duckdb")

        _env(mp, raw, tmp_path / "single" / "nianbao.duckdb", tmp_path / "home_single")
        with dg.DagsterInstance.get() as instance:
            result = build_definitions().resolve_job_def(MAIN_JOB).execute_in_process(
                instance=instance, raise_on_error=False)
            assert result.success
        single = _marts(tmp_path / "single" / "nianbao.duckdb")
    finally:
        mp.undo()
    assert sum(len(v) for v in single.values()) > 100
    for table in MARTS:
        assert partitioned[table] == single[table], table
    statuses = {r for r in partitioned["dim_source_file"] if "'duplicate'" in r or "'rejected'" in r}
    assert len(statuses) == 2


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
