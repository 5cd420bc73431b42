"""Resources: the run's settings (the environment, with the raw directory and warehouse
overridable in run config), and dbt."""

from functools import cached_property

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from nianbao.run.settings import Settings, load_settings


class NianbaoResource(dg.ConfigurableResource):
    """Raw directory and warehouse path; empty values fall back to NIANBAO_RAW_DIR / NIANBAO_DB.
    Every other setting comes from the environment (nianbao.run.settings)."""

    raw_dir: str = ""
    db_path: str = ""

    def settings(self) -> Settings:
        return load_settings(raw_dir=self.raw_dir or None, db_path=self.db_path or None)


class NianbaoDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs it pays on every ``dbt.cli()`` call that a run
    of ours never uses (measured ~7 s a run on the 2-core machine):

    * ``dbt --version`` in a subprocess (a whole dbt start-up) to learn the version: dbt-core
      is installed in this environment and pinned, so its version is read in process;
    * a dbt adapter built in process (profile, project and macros loaded) that serves only
      ``fetch_row_counts`` / ``fetch_column_metadata``, which we do not call.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (same signature as the parent)
        return None
