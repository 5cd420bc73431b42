"""The ingest stages a run performs, as plain functions (Dagster assets call these).

register_files: scan the raw directory into raw.file_registry.
parse_new_reports: parse every content not parsed yet by this parser version, and load the
raw tables (rows of vanished files are removed, rows of unchanged files are kept).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.parse.pipeline import Limits
from nianbao.run.pool import Progress, current_caps, parse_many
from nianbao.run.quality import IncompleteReport, incomplete_reports
from nianbao.run.scan import FileEntry, scan_raw_dir
from nianbao.run.settings import Settings
from nianbao.run.spool import Spool
from nianbao.run.warehouse import (
    LoadSummary,
    cached_report_ids,
    connect_work,
    load_raw,
    read_file_registry,
    write_file_registry,
)


def register_files(settings: Settings) -> list[FileEntry]:
    con = connect_work(settings)
    try:
        previous = read_file_registry(con)  # unchanged files (size, mtime, inode) are not hashed again
        entries = scan_raw_dir(settings.raw_dir, settings.max_file_bytes, known=previous)
        write_file_registry(con, entries)
    finally:
        con.close()
    return entries


INCOMPLETE_LISTED = 50  # reports named in the parse step's summary; a query lists all


@dataclass
class ParseSummary:
    load: LoadSummary
    status_counts: dict[str, int]
    files_by_status: dict[str, int]
    seconds_parsing: float
    seconds_loading: float = 0.0
    n_incomplete: int = 0
    incomplete: list[IncompleteReport] = field(default_factory=list)  # the first INCOMPLETE_LISTED, worst first


def parse_new_reports(settings: Settings, progress: Progress | None = None) -> ParseSummary:
    import time

    con = connect_work(settings)
    try:
        entries = read_file_registry(con)
        cached = cached_report_ids(con, current_caps(settings))
        jobs, seen = [], set()
        for e in entries:
            rid = e.report_id
            if rid and rid not in seen and rid not in cached:
                jobs.append((settings.raw_dir / e.source_path, e.source_path, e.content_sha256))
            if rid:
                seen.add(rid)
        limits = Limits(max_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
        t0 = time.perf_counter()
        spool = Spool(settings.work_dir / "spool")  # rows go to disk as CSV; DuckDB loads them in bulk
        try:
            parse_many(jobs, limits, settings.max_parse_seconds, settings.worker_count, progress,
                       max_memory_mb=settings.max_parse_memory_mb, sink=spool.add)
            seconds = time.perf_counter() - t0
            load = load_raw(con, entries, spool)
        finally:
            spool.remove()
        seconds_loading = time.perf_counter() - t0 - seconds
        status_counts = dict(con.execute(
            "SELECT parse_status, count(*) FROM raw.reports GROUP BY 1 ORDER BY 1").fetchall())
        files_by_status = dict(con.execute(
            "SELECT file_status, count(*) FROM raw.source_files GROUP BY 1 ORDER BY 1").fetchall())
        n_incomplete, incomplete = incomplete_reports(con, INCOMPLETE_LISTED)
    finally:
        con.close()
    return ParseSummary(load, status_counts, files_by_status, seconds, seconds_loading, n_incomplete, incomplete)


def merge_parsed_partitions(settings: Settings):
    """Partitioned job: every parse partition wrote its Parquet files; record source_files and
    the vocabulary in the work database (dbt reads the per-report tables from Parquet)."""
    from nianbao.run.parquet import merge_partitions, partition_keys

    con = connect_work(settings)
    try:
        return merge_partitions(con, settings, read_file_registry(con), partition_keys(settings.parse_partitions))
    finally:
        con.close()
