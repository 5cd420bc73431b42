"""The one resource: where the raw files and the warehouse are (env defaults, overridable)."""

from dataclasses import replace
from pathlib import Path

import dagster as dg

from nianbao.settings import Settings, export_for_dbt, load_settings


class NianbaoResource(dg.ConfigurableResource):
    """Raw directory and warehouse path; empty values fall back to NIANBAO_RAW_DIR / NIANBAO_DB."""

    raw_dir: str = ""
    db_path: str = ""

    def settings(self) -> Settings:
        s = load_settings()
        if self.raw_dir:
            s = replace(s, raw_dir=Path(self.raw_dir).resolve())
        if self.db_path:
            s = replace(s, db_path=Path(self.db_path).resolve())
        export_for_dbt(s)
        return s
