"""The dbt project as Dagster assets. The manifest is built when definitions are built (and
only when missing or older than the project files), never at module import."""

import fcntl
import importlib
import json
import logging
import sys
import threading
import time
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from nianbao.run.settings import DBT_PROJECT_DIR, Settings, load_settings

from orchestration import dbt_guard
from orchestration.resources import NianbaoResource
from orchestration.runtime.dbt_resource import NianbaoDbtCliResource

progress_log = logging.getLogger("nianbao.progress")


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in ("models", "macros", "tests"):
        files += list((project_dir / sub).rglob("*"))
    return max((f.stat().st_mtime for f in files if f.is_file()), default=0.0)


def dbt_cli(project: DbtProject) -> NianbaoDbtCliResource:
    """dagster-dbt's resource running dbt through ``nianbao-dbt`` (orchestration/dbt_guard.py):
    dbt from this interpreter's environment, dying with the run."""
    return NianbaoDbtCliResource(project_dir=project,
                                 dbt_executable=dbt_guard.executable(load_settings().work_dir))


@cache
def dbt_project() -> DbtProject:
    """The dbt project, its manifest parsed when missing or older than the project's files
    (under ``dagster dev`` too: dagster-dbt's own preparation would look for ``dbt`` on PATH)."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR)
    manifest = project.manifest_path
    if _stale(manifest):
        manifest.parent.mkdir(parents=True, exist_ok=True)
        # one parse at a time (the partitioned job's step processes build definitions too)
        with open(manifest.parent / ".nianbao-parse.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _stale(manifest):
                dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project


def _stale(manifest: Path) -> bool:
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR)


class DbtBuildConfig(dg.Config):
    """``raw_parquet``: read the per-report raw tables from the parse partitions' Parquet files
    (job nianbao_partitioned; dbt_project/macros/source.sql switches on the vars)."""

    raw_parquet: bool = False


def dbt_build_args(settings: Settings, raw_parquet: bool) -> list[str]:
    """``dbt build`` with the run's settings as vars (the only way they reach dbt). dbt's info log
    reaches the run's log through dagster-dbt (stdout); its debug-level file log (every
    statement) keeps only warnings and errors."""
    dbt_vars: dict[str, object] = settings.dbt_vars()
    if raw_parquet:
        from nianbao.run.parquet import per_report_tables

        dbt_vars |= {"raw_parquet_dir": str(settings.parquet_dir), "raw_parquet_tables": list(per_report_tables())}
    return ["build", "--log-level-file", "warn", "--vars", json.dumps(dbt_vars)]


def _preload_great_expectations() -> None:
    """Import Great Expectations (seconds) while dbt runs in its own process: this process only
    waits on dbt's output then, and the checks step after it starts without the import."""
    if "great_expectations.expectations" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("great_expectations.expectations",),
                         name="nianbao-preload-gx", daemon=True).start()


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, name="nianbao_dbt_models")
    def nianbao_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, nianbao: NianbaoResource,
                           config: DbtBuildConfig):
        settings = nianbao.settings()
        _preload_great_expectations()
        progress_log.info("[dbt] dbt build started")
        built, last = 0, time.monotonic()
        # One target directory per warehouse (not dagster-dbt's fresh one per run), so a warm
        # run's dbt parses partially
        target = settings.dbt_target_dir
        for event in dbt.cli(dbt_build_args(settings, config.raw_parquet), context=context,
                             target_path=target).stream():
            if isinstance(event, (dg.Output, dg.AssetMaterialization)):
                built += 1
                if time.monotonic() - last >= 2.0:
                    last = time.monotonic()
                    progress_log.info("[dbt] %d models built", built)
            yield event
        progress_log.info("[dbt] dbt build finished: %d models built", built)

    return nianbao_dbt_models
