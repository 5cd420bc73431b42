"""Publishing: the finished work database replaces the published warehouse atomically."""

import logging

import dagster as dg
import duckdb

from nianbao.overview.report import write_run_report
from nianbao.run.companions import publish_data_docs
from nianbao.run.warehouse import publish
from orchestration.resources import NianbaoResource

progress_log = logging.getLogger("nianbao.progress")


def _run_report(settings) -> dict:
    """Write the run report; the warehouse is published already, so a report that cannot be
    written is a warning (and no stale report from an earlier run is left to point at)."""
    try:
        report = write_run_report(settings)
    except Exception as e:  # noqa: BLE001 (whatever failed, the published warehouse stands)
        settings.report_path.unlink(missing_ok=True)
        progress_log.warning("[publish] the run report could not be written (%s: %s); the warehouse is published",
                             type(e).__name__, e)
        return {"run_report_error": f"{type(e).__name__}: {e}"}
    progress_log.info("[publish] run report (HTML, opens offline): %s", report)
    return {"run_report": dg.MetadataValue.path(str(report))}


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(key=["published_warehouse"], deps=upstream, group_name="publish", kinds={"duckdb"},
              description="The warehouse analysts read (NIANBAO_DB): swapped in atomically once the run is complete.")
    def published_warehouse(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
        settings = nianbao.settings()
        with duckdb.connect(str(settings.work_db_path), read_only=True) as con:
            counts = dict(con.execute(
                "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' order by 1").fetchall())
        path = publish(settings)
        docs = publish_data_docs(settings)
        size = path.stat().st_size
        progress_log.info("[publish] warehouse published at %s (%.1f MB)", path, size / 1e6)
        report = _run_report(settings)
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(path)), "size_mb": round(size / 1e6, 2),
            "mart_rows": dg.MetadataValue.json(counts),
            **report,
            **({"data_docs": dg.MetadataValue.path(str(docs / "index.html"))} if docs else {}),
        })

    return published_warehouse
