"""Ingestion assets: register every raw file, then parse new or changed content in bulk."""

import logging

import dagster as dg

from nianbao.run.ingest import merge_parsed_partitions, parse_new_reports, register_files
from nianbao.run.pool import warm_up_parser
from nianbao.run.quality import markdown_table
from nianbao.run.raw_schema import RAW_TABLES
from nianbao.vocabulary.dimensions import dimension_tables
from orchestration.resources import NianbaoResource

progress_log = logging.getLogger("nianbao.progress")
RAW_OUTPUTS = [t for t in RAW_TABLES if t != "file_registry"] + list(dimension_tables())


@dg.asset(key=["raw", "file_registry"], group_name="ingest", kinds={"python", "duckdb"},
          description="Every file under the raw directory: path, size, SHA-256, or why it was not read.")
def report_files(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    settings = nianbao.settings()
    warm_up_parser()  # meanwhile: the parse step's workers fork from this process
    entries = register_files(settings)
    unreadable = [e for e in entries if e.report_id is None]
    distinct = len({e.report_id for e in entries if e.report_id})
    message = f"registered {len(entries)} files ({distinct} distinct contents, {len(unreadable)} unreadable) under {settings.raw_dir}"
    context.log.info(message)
    progress_log.info("[ingest] %s", message)
    return dg.MaterializeResult(metadata={
        "files": len(entries), "distinct_contents": distinct, "unreadable_files": len(unreadable),
        "raw_dir": str(settings.raw_dir),
        "unreadable": dg.MetadataValue.md("\n".join(f"- `{e.source_path}`: {e.reason}" for e in unreadable[:50]) or "none"),
    })


class ParseConfig(dg.Config):
    """``from_parquet_partitions``: the parse partitions (orchestration/assets/partitions.py) have
    parsed everything into Parquet; this step only merges their results (job nianbao_partitioned)."""

    from_parquet_partitions: bool = False


def build_parsed_reports(partition_assets: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The parse asset; ``partition_assets`` are the parse partitions it merges in the partitioned job."""

    @dg.multi_asset(
        specs=[dg.AssetSpec(["raw", t], deps=[["raw", "file_registry"], *partition_assets], group_name="ingest",
                            kinds={"python", "duckdb"})
               for t in RAW_OUTPUTS],
        name="parsed_reports",
        description="Parse every new or changed report (process pool) and load the raw tables; unchanged reports keep "
                    "their rows. In the partitioned job, merge the parse partitions' Parquet output instead.",
    )
    def parsed_reports(context: dg.AssetExecutionContext, nianbao: NianbaoResource, config: ParseConfig):
        yield from _parsed_reports(context, nianbao, config)

    return parsed_reports


def _parsed_reports(context: dg.AssetExecutionContext, nianbao: NianbaoResource, config: ParseConfig):
    settings = nianbao.settings()
    if config.from_parquet_partitions:
        merged = merge_parsed_partitions(settings)
        line = f"[parse] merged the parse partitions: {merged.reports} reports; reports by status: {merged.status_counts}"
        context.log.info(line)
        progress_log.info(line)
        for t in RAW_OUTPUTS:
            yield dg.MaterializeResult(asset_key=["raw", t], metadata={
                "reports": merged.reports, "reports_by_status": dg.MetadataValue.json(merged.status_counts),
                "files_by_status": dg.MetadataValue.json(merged.files_by_status),
                "source": "parquet partitions"} if t == "reports" else {})
        return
    last = {"t": -10.0}

    def progress(done: int, total: int, elapsed: float) -> None:
        if done == total or elapsed - last["t"] >= 2.0:
            last["t"] = elapsed
            rate = done / elapsed if elapsed > 0 else 0.0
            line = f"[parse] {done}/{total} files ({rate:,.0f} reports/s)"
            context.log.info(line)
            progress_log.info(line)

    summary = parse_new_reports(settings, progress)
    load = summary.load
    line = (f"[parse] {load.parsed_now} parsed now, {load.kept} kept from earlier runs, "
            f"{load.removed} removed; reports by status: {summary.status_counts}")
    context.log.info(line)
    progress_log.info(line)
    common = {
        "reports": load.reports, "parsed_now": load.parsed_now, "kept_unchanged": load.kept,
        "removed": load.removed, "parse_seconds": round(summary.seconds_parsing, 2),
        "load_seconds": round(summary.seconds_loading, 2),
        "reports_by_status": dg.MetadataValue.json(summary.status_counts),
        "files_by_status": dg.MetadataValue.json(summary.files_by_status),
        "incomplete_reports": summary.n_incomplete,
        "not_complete": dg.MetadataValue.md(markdown_table(summary.n_incomplete, summary.incomplete)),
    }
    for t in RAW_OUTPUTS:
        yield dg.MaterializeResult(asset_key=["raw", t], metadata=common if t == "reports" else {})
