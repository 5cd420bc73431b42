"""Parse partitions written as Parquet: the unit of work a cluster fans out.

The reports are split into ``P`` partitions by the first two hex digits of their content's
SHA-256 (``P`` a power of two up to 256, ``settings.parse_partitions``, default 16: the first
hex digit). A partition is parsed on its own — on one machine or on any worker of a cluster —
and writes one Parquet file per per-report raw table::

    <parquet dir>/file_registry.parquet             the scan, written once per run
    <parquet dir>/<table>/part-<key>.parquet        reports, report_cells, parse_notes, …

dbt reads those files as its sources (``--vars '{raw_parquet_dir: …}'``, see the macro
``raw_source``), so the per-report rows never pass through one Python process.

A partition is incremental in the same way as the single-machine path: it keeps the rows of
the reports its previous file already holds (same content hash, same parser version, no
``retry_next_run`` note), parses only new or changed content, drops the rows of vanished
files, and rewrites its file atomically (write beside, rename) only when something changed.

The parquet directory is ``settings.parquet_dir``: ``<work dir>/parquet`` by default; on a
cluster, a shared filesystem every worker mounts (``NIANBAO_PARQUET_DIR``).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from nianbao.parse.model import PARSER_VERSION
from nianbao.parse.pipeline import Limits
from nianbao.run.pool import Progress, current_caps, parse_many
from nianbao.run.raw_rows import RawRows, reparse_condition
from nianbao.run.raw_schema import RAW_TABLES, column_names
from nianbao.run.scan import FileEntry
from nianbao.run.settings import Settings
from nianbao.run.spool import Spool

REGISTRY_FILE = "file_registry.parquet"


def per_report_tables() -> tuple[str, ...]:
    from nianbao.run.warehouse import PER_REPORT_TABLES

    return PER_REPORT_TABLES


def partition_keys(count: int) -> list[str]:
    """Partition keys: ranges of the first two hex digits of the content hash, e.g. ``00-0f``."""
    width = 256 // count
    return [f"{lo:02x}-{lo + width - 1:02x}" for lo in range(0, 256, width)]


def in_partition(report_id: str, key: str) -> bool:
    lo, hi = (int(x, 16) for x in key.split("-"))
    return lo <= int(report_id[:2], 16) <= hi


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _casts(table: str, source: str) -> str:
    casts = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t, _ in RAW_TABLES[table])
    return f"SELECT {casts} FROM {source}"


def _empty(table: str) -> str:
    """A typed, empty SELECT of the table (so a partition without rows still has its schema)."""
    cols = ", ".join(f'CAST(NULL AS {t}) AS "{n}"' for n, t, _ in RAW_TABLES[table])
    return f"SELECT {cols} WHERE false"


def _copy(con: duckdb.DuckDBPyConnection, select_sql: str, dest: Path) -> None:
    """Write a query's result to ``dest`` atomically (temporary file, then rename)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    con.execute(f"COPY ({select_sql}) TO {_sql_str(tmp)} (FORMAT parquet, COMPRESSION zstd)").fetchall()
    os.replace(tmp, dest)


def write_registry(settings: Settings, entries: list[FileEntry]) -> Path:
    """The scan, as Parquet, for the partitions to read (wherever they run)."""
    dest = settings.parquet_dir / REGISTRY_FILE
    df = pd.DataFrame.from_records([e.as_row() for e in entries],
                                   columns=column_names("file_registry"))
    with duckdb.connect() as con:
        con.register("incoming", df)
        _copy(con, _casts("file_registry", "incoming"), dest)
    return dest


def read_registry(settings: Settings) -> list[FileEntry]:
    path = settings.parquet_dir / REGISTRY_FILE
    with duckdb.connect() as con:
        cols = ", ".join(column_names("file_registry"))  # FileEntry's fields, in order
        return [FileEntry(*r) for r in con.execute(
            f"SELECT {cols} FROM read_parquet({_sql_str(path)}) "
            "ORDER BY source_path").fetchall()]


def part_path(settings: Settings, table: str, key: str) -> Path:
    return settings.parquet_dir / table / f"part-{key}.parquet"


@dataclass
class PartitionSummary:
    key: str
    reports: int  # distinct contents in the partition after this run
    parsed_now: int
    kept: int
    removed: int
    rewritten: bool
    seconds_parsing: float
    seconds_writing: float
    rows: dict[str, int]


def parse_partition(settings: Settings, key: str, progress: Progress | None = None) -> PartitionSummary:
    """Parse the partition's new or changed content and rewrite its Parquet files."""
    tables = per_report_tables()
    entries = read_registry(settings)
    jobs, current = [], {}
    for e in entries:  # sorted by path: the first path holding a content parses it
        rid = e.report_id
        if rid and in_partition(rid, key) and rid not in current:
            current[rid] = e
    old = part_path(settings, "reports", key)
    previous: set[str] = set()
    cached: set[str] = set()
    if old.exists() and all(part_path(settings, t, key).exists() for t in tables):
        with duckdb.connect() as con:
            previous = {r[0] for r in con.execute(
                f"SELECT report_id FROM read_parquet({_sql_str(old)})").fetchall()}
            notes = part_path(settings, "parse_notes", key)
            condition, params = reparse_condition(current_caps(settings))
            cached = {r[0] for r in con.execute(
                f"SELECT report_id FROM read_parquet({_sql_str(old)}) WHERE parser_version = ? AND report_id NOT IN "
                f"(SELECT report_id FROM read_parquet({_sql_str(notes)}) WHERE {condition} AND report_id IS NOT NULL)",
                [PARSER_VERSION, *params]).fetchall()}
    keep = cached & current.keys()
    jobs = [(settings.raw_dir / e.source_path, e.source_path, e.content_sha256)
            for rid, e in current.items() if rid not in keep]
    removed = len(previous - current.keys())
    if not jobs and keep == previous and all(part_path(settings, t, key).exists() for t in tables):
        return PartitionSummary(key, len(current), 0, len(keep), 0, False, 0.0, 0.0, {})
    limits = Limits(max_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
    t0 = time.perf_counter()
    spool = Spool(settings.parquet_dir / f".spool-{key}-{os.getpid()}")
    try:
        # the pool forks before this process opens any DuckDB connection
        parse_many(jobs, limits, settings.max_parse_seconds, settings.worker_count, progress,
                   max_memory_mb=getattr(settings, "max_parse_memory_mb", 0), sink=spool.add)
        t1 = time.perf_counter()
        rows = write_partition(settings, key, spool, keep)
    finally:
        spool.remove()
    return PartitionSummary(key, len(current), len(jobs), len(keep), removed, True, t1 - t0,
                            time.perf_counter() - t1, rows)


def write_partition(settings: Settings, key: str, fresh, keep: set[str]) -> dict[str, int]:
    """Rewrite the partition's files: kept rows of the previous files plus the fresh rows
    (a nianbao.run.spool.Spool, or a RawRows). A spooled value that cannot be loaded refuses
    its report (nianbao.run.warehouse.load_raw does the same) instead of failing the partition."""
    from nianbao.run.warehouse import UNLOADABLE

    try:
        return _write_partition(settings, key, fresh, keep)
    except UNLOADABLE:
        with duckdb.connect() as con:
            if not hasattr(fresh, "refuse_unloadable") or not fresh.refuse_unloadable(con):
                raise
    return _write_partition(settings, key, fresh, keep)


def _write_partition(settings: Settings, key: str, fresh, keep: set[str]) -> dict[str, int]:
    counts = {}
    with duckdb.connect() as con:
        con.register("keep_ids", pd.DataFrame({"report_id": sorted(keep)}, dtype=object))
        for table in per_report_tables():
            old = part_path(settings, table, key)
            parts = [_empty(table)]
            if keep and old.exists():
                parts.append(_casts(table, f"read_parquet({_sql_str(old)}) "
                                           "WHERE report_id IN (SELECT report_id FROM keep_ids)"))
            if isinstance(fresh, RawRows):
                df = pd.DataFrame.from_records(getattr(fresh, table), columns=column_names(table))
                con.register(f"fresh_{table}", df)
                parts.append(_casts(table, f"fresh_{table}"))
            elif (select := fresh.select_sql(table)) is not None:
                parts.append(select)
            _copy(con, " UNION ALL ".join(parts), old)
            counts[table] = con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(old)})").fetchall()[0][0]
    return counts


def remove_stale_parts(settings: Settings, keys: list[str]) -> None:
    """Files of partitions that no longer exist (the partition count changed)."""
    wanted = {f"part-{k}.parquet" for k in keys}
    for table in per_report_tables():
        folder = settings.parquet_dir / table
        if folder.is_dir():
            for f in folder.glob("part-*.parquet"):
                if f.name not in wanted:
                    f.unlink()


def parquet_glob(settings: Settings, table: str) -> str:
    return str(settings.parquet_dir / table / "*.parquet")


@dataclass
class MergeSummary:
    files: int
    reports: int
    status_counts: dict[str, int]
    files_by_status: dict[str, int]


class MissingPartition(RuntimeError):
    pass


def merge_partitions(con: duckdb.DuckDBPyConnection, settings: Settings, entries: list[FileEntry],
                     keys: list[str]) -> MergeSummary:
    """After every partition ran: write the small tables into the work database.

    source_files (every file's final status, from the partitions' reports) and the vocabulary
    tables go into DuckDB; the per-report tables stay in Parquet, where dbt reads them, and
    their DuckDB copies are emptied (a later single-machine run parses again from scratch).
    """
    from nianbao.run.warehouse import _write_vocab, write_source_files

    remove_stale_parts(settings, keys)
    missing = [k for k in keys if not all(part_path(settings, t, k).exists() for t in per_report_tables())]
    if missing:
        raise MissingPartition(f"parse partitions not written yet: {', '.join(missing)}")
    reports = f"read_parquet({_sql_str(Path(parquet_glob(settings, 'reports')))})"
    parsed = {r[0] for r in con.execute(f"SELECT report_id FROM {reports}").fetchall()}
    absent = {e.report_id for e in entries if e.report_id} - parsed
    if absent:
        raise MissingPartition(f"{len(absent)} registered contents have no parse result "
                               f"(e.g. {sorted(absent)[0]}): run every parse partition of this scan")
    con.execute("BEGIN TRANSACTION")
    try:
        for table in per_report_tables():
            con.execute(f"DELETE FROM raw.{table}")
        write_source_files(con, reports)
        _write_vocab(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    status_counts = dict(con.execute(
        f"SELECT parse_status, count(*) FROM {reports} WHERE report_id IN "
        f"(SELECT report_id FROM raw.source_files) GROUP BY 1 ORDER BY 1").fetchall())
    files_by_status = dict(con.execute(
        "SELECT file_status, count(*) FROM raw.source_files GROUP BY 1 ORDER BY 1").fetchall())
    return MergeSummary(len(entries), len(parsed), status_counts, files_by_status)
