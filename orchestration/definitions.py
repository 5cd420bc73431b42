"""Dagster definitions for nianbao: ingest → parse → dbt → checks → publish.

Built lazily (``@dg.definitions``), so importing this module runs nothing; the dbt manifest
is prepared when the definitions are first built. Runs use the in-process executor: DuckDB
has a single writer, and per-step processes would only add start-up time. Every executor holds
the warehouse's run lock for the run (orchestration/one_writer.py), however the run was started.
"""

import dagster as dg

from nianbao.run.settings import load_settings
from orchestration.assets.checks import build_validation_asset
from orchestration.assets.dbt import build_dbt_assets, dbt_cli, dbt_project
from orchestration.assets.ingest import build_parsed_reports, report_files
from orchestration.assets.partitions import GROUP as PARTITION_GROUP
from orchestration.assets.partitions import (
    PARTITIONED_JOB,
    build_partition_assets,
    partition_keys_assets,
    partitioned_executor,
    partitioned_job_config,
)
from orchestration.assets.publish import build_publish_asset
from orchestration.one_writer import one_writer, warehouse_tags
from orchestration.resources import NianbaoResource
from orchestration.sensors import build_raw_dir_sensor

MAIN_JOB = "nianbao_all"


def build_definitions() -> dg.Definitions:
    settings = load_settings()  # the partitioned job's shape; runs read theirs through NianbaoResource
    dbt_models = build_dbt_assets()
    validation = build_validation_asset(list(dbt_models.keys))
    publish = build_publish_asset([*dbt_models.keys, validation.key])
    partitions = build_partition_assets(settings)
    job = dg.define_asset_job(MAIN_JOB, selection=dg.AssetSelection.all() - dg.AssetSelection.groups(PARTITION_GROUP),
                              description="Ingest, parse, build the marts, check the rules and publish.",
                              tags=warehouse_tags(settings))
    partitioned = dg.define_asset_job(
        PARTITIONED_JOB, selection=dg.AssetSelection.all(), config=partitioned_job_config(settings),
        executor_def=one_writer(partitioned_executor(settings)), tags=warehouse_tags(settings),
        description="The same pipeline with the parse split into hash-range partitions, one step each, written as "
                    "Parquet that dbt reads (docs/scaling.md: run the partitions on a cluster executor).")
    return dg.Definitions(
        assets=[report_files, build_parsed_reports(partition_keys_assets(settings)), *partitions, dbt_models, validation,
                publish],
        jobs=[job, partitioned],
        sensors=[build_raw_dir_sensor(job)],
        resources={"nianbao": NianbaoResource(), "dbt": dbt_cli(dbt_project())},
        executor=one_writer(dg.in_process_executor),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()


def partitioned_job() -> dg.JobDefinition:
    """The partitioned job, importable for ``dagster.reconstructable`` (multiprocess and cluster executors)."""
    return build_definitions().resolve_job_def(PARTITIONED_JOB)
