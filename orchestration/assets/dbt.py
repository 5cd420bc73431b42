"""The dbt project as Dagster assets. The manifest is built when definitions are built (and
only when missing or older than the project files), never at module import."""

import importlib
import json
import logging
import os
import shutil
import sys
import threading
import time
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from nianbao.run.settings import DBT_PROJECT_DIR, export_for_dbt, load_settings

from orchestration.resources import NianbaoResource

progress_log = logging.getLogger("nianbao.progress")


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in ("models", "macros", "tests"):
        files += list((project_dir / sub).rglob("*"))
    return max((f.stat().st_mtime for f in files if f.is_file()), default=0.0)


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR)
    export_for_dbt(load_settings())  # profiles.yml needs the variables even to parse
    project.prepare_if_dev()
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR):
        project.preparer.prepare(project)
    return project


_GUARD = """#!{python}
# Written by nianbao (orchestration/assets/dbt.py): runs dbt so that it dies with the run that
# started it. A run killed with SIGKILL cannot stop its children; without this, dbt would go on
# writing the work database while the next run starts.
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux)
except Exception:
    pass
if os.getppid() != int(os.environ.get("NIANBAO_DBT_PARENT") or os.getppid()):
    sys.exit("nianbao: the run that started dbt is gone")
if os.environ.get("NIANBAO_DBT_SERVER"):  # a dbt started ahead by `nianbao run`: orchestration/runtime/dbt_server.py
    try:
        from orchestration.runtime.dbt_server import relay
        code = relay(os.environ["NIANBAO_DBT_SERVER"], sys.argv[1:])
    except ImportError:
        code = None
    if code is not None:
        sys.exit(code)
os.execv({dbt!r}, [{dbt!r}] + sys.argv[1:])
"""


def dbt_executable() -> str:
    """The dbt executable for DbtCliResource: a small wrapper in the work directory that makes
    dbt die with the run (Linux); plain ``dbt`` where that cannot be set up."""
    beside = Path(sys.executable).parent / "dbt"
    real = str(beside) if beside.exists() else shutil.which("dbt")
    if not real or not sys.platform.startswith("linux"):
        return real or "dbt"
    guard = load_settings().work_dir / "dbt-guard"
    text = _GUARD.format(python=sys.executable, dbt=real)
    try:
        guard.parent.mkdir(parents=True, exist_ok=True)
        if not guard.exists() or guard.read_text() != text:
            tmp = guard.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.chmod(0o755)
            tmp.replace(guard)
    except OSError:
        return real
    return str(guard)


class DbtBuildConfig(dg.Config):
    """``raw_parquet``: read the per-report raw tables from the parse partitions' Parquet files
    (job nianbao_partitioned; dbt_project/macros/source.sql switches on the vars)."""

    raw_parquet: bool = False


def dbt_build_args(settings, raw_parquet: bool) -> list[str]:
    # dbt's info log reaches the run's log through dagster-dbt (stdout); its debug-level file log
    # (every statement, ~0.6 CPU-s a build) keeps only warnings and errors
    args = ["build", "--log-level-file", "warn"]
    if raw_parquet:
        from nianbao.run.parquet import parquet_dir, per_report_tables

        args += ["--vars", json.dumps({"raw_parquet_dir": str(parquet_dir(settings)),
                                       "raw_parquet_tables": list(per_report_tables())})]
    return args


def _preload_great_expectations() -> None:
    """Import Great Expectations (~4 s) while dbt runs in its own process: this process only
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
        export_for_dbt(settings)
        os.environ["NIANBAO_DBT_PARENT"] = str(os.getpid())  # read by the dbt guard
        _preload_great_expectations()
        progress_log.info("[dbt] dbt build started")
        built, last = 0, time.monotonic()
        # One target directory per warehouse (not dagster-dbt's fresh one per run), so a warm
        # run's dbt parses partially (and the dbt server can parse ahead into it)
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
