"""Runs of ``nianbao run`` recorded as runs of the workspace's code location.

The Dagster UI lists a job's runs (its Runs tab, the Overview timeline) by the run's repository
origin: the code location and repository it was launched from. Dagster gives that origin only
to runs it launches from a loaded workspace (the UI, the daemon, ``dagster job launch``, each
through a code server and a run worker process); ``execute_in_process`` and ``execute_job``
record none. So ``nianbao run`` creates its run with the origin the workspace gives the same job
(code location ``LOCATION``, as workspace.yaml names it; Dagster's single repository of a
``Definitions``) and executes it in this process, as ``execute_in_process`` would: no code
server, no second load of the definitions, nothing added to a warm run's time.

Leans on Dagster internals (``dagster._core``): verified on the versions below
(tests/unit/test_runtime_fence.py fails on any other).
"""
from __future__ import annotations

import sys
from collections.abc import Mapping

import dagster as dg
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.execution.api import create_execution_plan, execute_run
from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from nianbao.run.settings import PROJECT_ROOT

VERIFIED_ON = {"dagster": "1.13.27"}
LOCATION = "nianbao"  # workspace.yaml: location_name
MODULE = "orchestration.definitions"
REPOSITORY = "__repository__"  # the name Dagster gives the repository of a Definitions object


def job_origin(job_name: str) -> RemoteJobOrigin:
    """The origin the workspace's code location gives ``job_name`` (what the UI filters runs on)."""
    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        LoadableTargetOrigin(executable_path=sys.executable, module_name=MODULE,
                             working_directory=str(PROJECT_ROOT)),
        location_name=LOCATION)
    return RemoteJobOrigin(RemoteRepositoryOrigin(location, REPOSITORY), job_name)


def execute_with_origin(job: dg.JobDefinition | object, instance: dg.DagsterInstance,
                        run_config: Mapping[str, object], tags: Mapping[str, str] | None = None):
    """Create a run of ``job`` (a JobDefinition run in this process, or a reconstructable job for
    an executor that starts processes) with the workspace's origin, and execute it. Returns
    Dagster's JobExecutionResult (``success``, ``all_events``, ``run_id``)."""
    runnable = InMemoryJob(job) if isinstance(job, dg.JobDefinition) else job
    job_def = runnable.get_definition()
    plan = create_execution_plan(runnable, run_config=run_config, instance_ref=instance.get_ref())
    run = instance.create_run_for_job(
        job_def=job_def, execution_plan=plan, run_config=run_config,
        tags={**job_def.run_tags, **(tags or {})}, remote_job_origin=job_origin(job_def.name),
        job_code_origin=None if isinstance(job, dg.JobDefinition) else runnable.get_python_origin())
    return execute_run(runnable, run, instance)
