"""Where things are: one place that reads NIANBAO_RAW_DIR and NIANBAO_DB.

The published warehouse is ``NIANBAO_DB``. Runs build in a work copy beside it
(``<dir>/.nianbao-work/<same file name>``; the same file stem keeps DuckDB's catalog name,
so dbt's views resolve in the published copy too) and publish with an atomic rename.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_RAW_DIR = "raw"
DEFAULT_DB = "data/nianbao.duckdb"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    db_path: Path
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300
    max_parse_seconds: int = 60
    max_parse_memory_mb: int = 2048  # per parser process, beyond its start; 0: no cap
    workers: int = 0  # 0: one per core

    @property
    def work_dir(self) -> Path:
        return self.db_path.parent / ".nianbao-work"

    @property
    def work_db_path(self) -> Path:
        return self.work_dir / self.db_path.name

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this warehouse: its partial-parse state is valid only for the
        profile it was written with (which holds the database path), so each warehouse has its own."""
        return self.work_dir / "dbt-target"

    @property
    def lock_path(self) -> Path:
        return self.work_dir / "run.lock"

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


def load_settings() -> Settings:
    """Settings from the environment; relative paths resolve against the current directory."""
    raw = Path(os.environ.get("NIANBAO_RAW_DIR") or DEFAULT_RAW_DIR).expanduser().resolve()
    db = Path(os.environ.get("NIANBAO_DB") or DEFAULT_DB).expanduser().resolve()
    return Settings(
        raw_dir=raw,
        db_path=db,
        max_file_bytes=_env_int("NIANBAO_MAX_FILE_BYTES", 50 * 1024 * 1024),
        max_pages=_env_int("NIANBAO_MAX_PAGES", 300),
        max_parse_seconds=_env_int("NIANBAO_MAX_PARSE_SECONDS", 60),
        max_parse_memory_mb=_env_int("NIANBAO_MAX_PARSE_MEMORY_MB", 2048),
        workers=_env_int("NIANBAO_WORKERS", 0),
    )


def export_for_dbt(settings: Settings) -> None:
    """dbt reads the work database from the environment (profiles.yml)."""
    os.environ["NIANBAO_DB"] = str(settings.db_path)
    os.environ["NIANBAO_WORK_DB"] = str(settings.work_db_path)
