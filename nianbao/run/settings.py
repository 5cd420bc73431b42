"""Every setting of a run, read from the environment here and nowhere else.

The published warehouse is ``NIANBAO_DB``. Runs build in a work copy beside it
(``<dir>/.nianbao-work/<same file name>``; the same file stem keeps DuckDB's catalog name,
so dbt's views resolve in the published copy too) and publish with an atomic rename. Each
warehouse's other run files are in ``<dir>/.nianbao-work/<file name>.run/``.

Settings travel as a :class:`Settings` value: the CLI's ``--raw-dir``/``--db`` and a Dagster
resource's config are overrides given to :func:`load_settings`, never written back into the
environment, and dbt receives what it needs as ``--vars`` (:meth:`Settings.dbt_vars`).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_RAW_DIR = "raw"
DEFAULT_DB = "data/nianbao.duckdb"
PARTITION_EXECUTORS = ("multiprocess", "k8s", "celery", "dask")

# variable -> (Settings field, type); the README's configuration table documents each
ENV_VARS: dict[str, tuple[str, type]] = {
    "NIANBAO_RAW_DIR": ("raw_dir", Path),
    "NIANBAO_DB": ("db_path", Path),
    "NIANBAO_WORKERS": ("workers", int),
    "NIANBAO_MAX_FILE_BYTES": ("max_file_bytes", int),
    "NIANBAO_MAX_PAGES": ("max_pages", int),
    "NIANBAO_MAX_PARSE_SECONDS": ("max_parse_seconds", int),
    "NIANBAO_MAX_PARSE_MEMORY_MB": ("max_parse_memory_mb", int),
    "NIANBAO_DUCKDB_MEMORY_LIMIT": ("duckdb_memory_limit", str),
    "NIANBAO_PARSE_PARTITIONS": ("parse_partitions", int),
    "NIANBAO_PARQUET_DIR": ("parquet_dir_override", Path),
    "NIANBAO_PARTITION_EXECUTOR": ("partition_executor", str),
    "NIANBAO_PARTITION_PROCESSES": ("partition_processes", int),
    "NIANBAO_DASK_SCHEDULER": ("dask_scheduler", str),
    "NIANBAO_RUN_LOCK_WAIT_SECONDS": ("run_lock_wait_seconds", int),
    "NIANBAO_KEEP_RUNS": ("keep_runs", int),
    "NIANBAO_TEST_CRASH_AT": ("test_crash_at", str),
}


class SettingsError(ValueError):
    """A setting has a value nianbao cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    db_path: Path
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300
    max_parse_seconds: int = 60
    max_parse_memory_mb: int = 2048  # per parser process, beyond its start; 0: no cap
    workers: int = 0  # 0: one per core
    duckdb_memory_limit: str = "1GB"  # DuckDB's cap in the raw loads and in dbt
    parse_partitions: int = 16  # the partitioned job: hash-range partitions, a power of two ≤ 256
    parquet_dir_override: Path | None = None  # None: <work dir>/parquet
    partition_executor: str = "multiprocess"
    partition_processes: int = 0  # `nianbao run --partitioned`: steps at once; 0: one per core
    dask_scheduler: str = ""  # executor dask: a running scheduler's address; "": a LocalCluster on 127.0.0.1
    run_lock_wait_seconds: int = 1800  # a run started by Dagster waits this long for another run to finish
    keep_runs: int = 50  # Dagster's run history keeps this many runs (0: all)
    test_crash_at: str = ""  # test hook: nianbao.run.warehouse.crash_point

    @property
    def work_root(self) -> Path:
        """The folder beside the published file for runs' work: the work databases of the
        warehouses in that folder, each warehouse's run files, and Dagster's history."""
        return self.db_path.parent / ".nianbao-work"

    @property
    def work_db_path(self) -> Path:
        return self.work_root / self.db_path.name

    @property
    def work_dir(self) -> Path:
        """This warehouse's own run files (run lock, spool, dbt target, Parquet, log): two
        warehouses in one folder never share them."""
        return self.work_root / f"{self.db_path.name}.run"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this warehouse: its partial-parse state is valid only for the
        profile it was written with (which holds the database path), so each warehouse has its own."""
        return self.work_dir / "dbt-target"

    @property
    def data_docs_dir(self) -> Path:
        """Great Expectations' Data Docs of the last published run, beside the warehouse."""
        return self.db_path.parent / f"{self.db_path.stem}-data-docs"

    @property
    def work_data_docs_dir(self) -> Path:
        """Where a run builds its Data Docs; moved to data_docs_dir when it publishes."""
        return self.work_dir / "data-docs"

    @property
    def report_path(self) -> Path:
        """The run report (static HTML, no network needed), beside the warehouse."""
        return self.db_path.parent / f"{self.db_path.stem}-report.html"

    @property
    def lock_path(self) -> Path:
        return self.work_dir / "run.lock"

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def parquet_dir(self) -> Path:
        """Where the parse partitions write; on a cluster, a filesystem every step mounts."""
        return self.parquet_dir_override or self.work_dir / "parquet"

    @property
    def partition_process_count(self) -> int:
        return self.partition_processes or os.cpu_count() or 1

    def dbt_vars(self) -> dict[str, str]:
        """What dbt reads from the run (dbt_project/profiles.yml), passed as ``--vars``."""
        return {"nianbao_db": str(self.work_db_path), "nianbao_duckdb_memory_limit": self.duckdb_memory_limit}

    def as_environ(self) -> dict[str, str]:
        """These settings as the variables that give them to another process (``nianbao ui``'s)."""
        values = {var: getattr(self, field) for var, (field, _) in ENV_VARS.items()}
        return {var: str(v) for var, v in values.items() if v not in (None, "")}

    def validate(self) -> Settings:
        n = self.parse_partitions
        if n < 1 or n > 256 or n & (n - 1):
            raise SettingsError(f"NIANBAO_PARSE_PARTITIONS must be a power of two from 1 to 256, not {n}")
        if self.partition_executor not in PARTITION_EXECUTORS:
            raise SettingsError(f"NIANBAO_PARTITION_EXECUTOR must be one of {', '.join(PARTITION_EXECUTORS)}, "
                                f"not {self.partition_executor!r}")
        return self


def load_settings(environ: Mapping[str, str] | None = None, *, raw_dir: str | Path | None = None,
                  db_path: str | Path | None = None) -> Settings:
    """Settings from the environment (``os.environ`` unless given), with ``raw_dir`` and
    ``db_path`` overriding it; relative paths resolve against the current directory."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for var, (field, parse) in ENV_VARS.items():
        text = environ.get(var)
        if not text:
            continue
        try:
            values[field] = parse(text)
        except ValueError:
            raise SettingsError(f"{var}={text!r} is not a valid value") from None
    values["raw_dir"] = Path(raw_dir or values.get("raw_dir") or DEFAULT_RAW_DIR)
    values["db_path"] = Path(db_path or values.get("db_path") or DEFAULT_DB)
    for field in ("raw_dir", "db_path", "parquet_dir_override"):
        if values.get(field) is not None:
            values[field] = Path(values[field]).expanduser().resolve()
    return Settings(**values).validate()
