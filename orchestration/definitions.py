"""Dagster definitions for nianbao: ingest → parse → dbt → checks → publish.

Built lazily (``@dg.definitions``), so importing this module runs nothing; the dbt manifest
is prepared when the definitions are first built. Runs use the in-process executor: DuckDB
has a single writer, and per-step processes would only add start-up time.
"""

import dagster as dg
from dagster_dbt import DbtCliResource

from .check_assets import build_validation_asset
from .dbt_assets import build_dbt_assets, dbt_executable, dbt_project
from .ingest_assets import parsed_reports, report_files
from .publish_assets import build_publish_asset
from .resources import NianbaoResource
from .sensors import build_raw_dir_sensor

MAIN_JOB = "nianbao_all"


def build_definitions() -> dg.Definitions:
    dbt_models = build_dbt_assets()
    validation = build_validation_asset(list(dbt_models.keys))
    publish = build_publish_asset([*dbt_models.keys, validation.key])
    job = dg.define_asset_job(MAIN_JOB, selection=dg.AssetSelection.all(),
                              description="Ingest, parse, build the marts, check the rules and publish.")
    return dg.Definitions(
        assets=[report_files, parsed_reports, dbt_models, validation, publish],
        jobs=[job],
        sensors=[build_raw_dir_sensor(job)],
        resources={"nianbao": NianbaoResource(), "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())},
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
