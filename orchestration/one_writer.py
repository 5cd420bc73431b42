"""One writing run per warehouse, however the run was started.

``nianbao run`` takes the warehouse's run lock itself (nianbao.run.locks). A run started any
other way — `dagster asset materialize`, the UI's "Materialize", the raw-directory sensor, a
schedule — runs through its job's executor: every executor of these definitions is wrapped
so that it takes the same lock before the first step and lets it go after the last. A run
that finds the warehouse busy waits for it (``NIANBAO_RUN_LOCK_WAIT_SECONDS``, default 30
minutes), saying in its log whom it waits for, then fails naming the holder. Runs launched
through Dagster's queue (UI, sensor) queue before they start: the jobs carry the tag
``nianbao/warehouse`` and the instance allows one run per value of it (orchestration/runtime/instance.py).
"""
from __future__ import annotations

import dagster as dg

from nianbao.run.locks import run_lock
from nianbao.run.settings import Settings, load_settings
from orchestration.runtime.instance import prune_history

WAREHOUSE_TAG = "nianbao/warehouse"


def run_settings(run_config: dict) -> Settings:
    """The settings a run uses: the environment's, with the nianbao resource's paths if given
    (what NianbaoResource.settings() gives its steps)."""
    config = ((run_config or {}).get("resources") or {}).get("nianbao", {}).get("config") or {}
    return load_settings(raw_dir=config.get("raw_dir") or None, db_path=config.get("db_path") or None)


def warehouse_tags(settings: Settings) -> dict[str, str]:
    """Tags for the jobs: the run queue allows one run at a time per warehouse."""
    return {WAREHOUSE_TAG: str(settings.db_path)}


_LOCKED_CLASSES: dict[type, type] = {}


def _holding_the_lock(executor: dg.Executor) -> dg.Executor:
    """``executor`` itself, its class extended so that ``execute`` holds the warehouse's run lock
    for the run. Not a wrapper object: executors check that they are what they are (dagster-dask's
    asserts the run's executor is a DaskExecutor)."""
    base = type(executor)
    locked = _LOCKED_CLASSES.get(base)
    if locked is None:
        def execute(self, plan_context, execution_plan):
            settings = run_settings(plan_context.run_config)
            run = plan_context.dagster_run
            owner = f"Dagster run {run.run_id} of {run.job_name}"
            with run_lock(settings, owner, settings.run_lock_wait_seconds, plan_context.log.warning):
                yield from base.execute(self, plan_context, execution_plan)
            prune_history(plan_context.instance, settings.keep_runs)

        locked = _LOCKED_CLASSES[base] = type(f"WarehouseLocked{base.__name__}", (base,),
                                              {"execute": execute, "__module__": __name__})
    executor.__class__ = locked
    return executor


def one_writer(inner: dg.ExecutorDefinition) -> dg.ExecutorDefinition:
    """``inner`` (same name, configuration and requirements), holding the run lock for the run."""
    return dg.ExecutorDefinition(
        name=inner.name,
        config_schema=inner.config_schema,
        requirements=inner.get_requirements,
        executor_creation_fn=lambda init_context: _holding_the_lock(inner.executor_creation_fn(init_context)),
        description=f"{inner.description or inner.name}, holding the warehouse's run lock (one writer at a time)",
    )
