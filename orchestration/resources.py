"""The run's settings as a Dagster resource: the environment, with the raw directory and the
warehouse overridable in run config. (dbt's resource: orchestration/runtime/dbt_resource.py.)"""

import dagster as dg

from nianbao.run.settings import Settings, load_settings


class NianbaoResource(dg.ConfigurableResource):
    """Raw directory and warehouse path; empty values fall back to NIANBAO_RAW_DIR / NIANBAO_DB.
    Every other setting comes from the environment (nianbao.run.settings)."""

    raw_dir: str = ""
    db_path: str = ""

    def settings(self) -> Settings:
        return load_settings(raw_dir=self.raw_dir or None, db_path=self.db_path or None)
