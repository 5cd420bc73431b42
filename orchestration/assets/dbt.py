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
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

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


class NianbaoDbtTranslator(DagsterDbtTranslator):
    """dagster-dbt's defaults, except: a model's group is its folder (staging, intermediate,
    marts) rather than ``default``, and a test's check carries a description — the test's own
    from its yml when it has one, else what the test checks (dagster-dbt reads only
    ``meta.description``, which no test here sets)."""

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props.get("resource_type") == "model" and len(props.get("fqn", [])) > 2:
            spec = spec.replace_attributes(group_name=props["fqn"][1])
        return spec

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(spec.name, asset=spec.asset_key, description=dbt_test_description(manifest, unique_id),
                                 additional_deps=spec.additional_deps, blocking=spec.blocking, metadata=spec.metadata,
                                 automation_condition=spec.automation_condition)


def dbt_test_description(manifest, unique_id: str) -> str:
    """A dbt test's description: its own, or the guarantees a generic test's arguments list."""
    node = manifest["nodes"][unique_id]
    if node.get("description"):
        return node["description"].strip()
    meta = node.get("test_metadata") or {}
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items()
              if k not in ("model", "column_name", "changed_only") and v}
    parts = []
    for name, value in kwargs.items():
        if isinstance(value, dict):
            value = "; ".join(f"{k} in {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(_key(v) for v in value)
        parts.append(f"{name}: {value}")
    severity = (node.get("config") or {}).get("severity", "error").lower()
    what = "; ".join(parts) or meta.get("name") or node.get("name")
    if (meta.get("kwargs") or {}).get("changed_only"):
        what += " (on the rows of new or changed reports)"
    return f"dbt test ({'warning' if severity == 'warn' else 'error'}): {what}"


def _key(v) -> str:
    if isinstance(v, dict):  # a relationship
        return f"{v.get('column')} → {v.get('field')} of {v.get('to')}"
    return "(" + ", ".join(map(str, v)) + ")" if isinstance(v, list) else str(v)


def _with_row_counts(events: list, invocation, db_path: Path) -> list:
    """The dbt events with each built table's row count (``dagster/row_count``), counted once dbt
    has finished and released the warehouse file."""
    nodes = invocation.manifest.get("nodes", {})
    relations = {}
    for event in events:
        if isinstance(event, (dg.Output, dg.AssetMaterialization)):
            node = nodes.get(event.metadata.get("unique_id").value if "unique_id" in event.metadata else "")
            # schema and table only: the manifest's database is the one it was parsed with
            if node and node.get("alias") and (node.get("config") or {}).get("materialized") not in ("view", "ephemeral"):
                relations[id(event)] = f'"{node["schema"]}"."{node["alias"]}"'
    if not relations:
        return events
    unique = sorted(set(relations.values()))
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            counts = dict(zip(unique, con.execute(
                "select " + ", ".join(f"(select count(*) from {r})" for r in unique)).fetchall()[0]))
    except duckdb.Error as e:  # the counts are for people; the run goes on without them
        progress_log.warning("[dbt] row counts not read: %s", e)
        return events
    return [e.with_metadata({**e.metadata, "dagster/row_count": counts[relations[id(e)]]})
            if id(e) in relations else e for e in events]


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, name="nianbao_dbt_models",
                dagster_dbt_translator=NianbaoDbtTranslator())
    def nianbao_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, nianbao: NianbaoResource,
                           config: DbtBuildConfig):
        settings = nianbao.settings()
        _preload_great_expectations()
        progress_log.info("[dbt] dbt build started")
        built, last = 0, time.monotonic()
        # One target directory per warehouse (not dagster-dbt's fresh one per run), so a warm
        # run's dbt parses partially
        target = settings.dbt_target_dir
        invocation = dbt.cli(dbt_build_args(settings, config.raw_parquet), context=context, target_path=target)
        events = []  # held until dbt has finished: the row counts need the file dbt writes
        for event in invocation.stream():
            if isinstance(event, (dg.Output, dg.AssetMaterialization)):
                built += 1
                if time.monotonic() - last >= 2.0:
                    last = time.monotonic()
                    progress_log.info("[dbt] %d models built", built)
            events.append(event)
        progress_log.info("[dbt] dbt build finished: %d models built", built)
        yield from _with_row_counts(events, invocation, settings.work_db_path)

    return nianbao_dbt_models
