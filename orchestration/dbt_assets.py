"""The dbt project as Dagster assets. The manifest is built when definitions are built (and
only when missing or older than the project files), never at module import."""

from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from nianbao.settings import PROJECT_ROOT, export_for_dbt, load_settings

from .resources import NianbaoResource

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


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


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, name="nianbao_dbt_models")
    def nianbao_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, nianbao: NianbaoResource):
        export_for_dbt(nianbao.settings())
        yield from dbt.cli(["build"], context=context).stream()

    return nianbao_dbt_models
