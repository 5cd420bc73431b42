"""The DuckDB side of a run: the work database, loading raw tables, and atomic publishing.

A run writes only to the work copy (settings.work_db_path). Publishing copies the finished
work database beside the published file and renames it over the published one: readers see
the old warehouse or the new one, never a half-built one, and a run killed at any point
leaves the published file untouched. Readers holding the published file open (read-only) do
not stop the rename; they keep the old file until they reconnect. docs/robustness.md tells
users the pattern.

Test hook: ``settings.test_crash_at`` (``NIANBAO_TEST_CRASH_AT=<point>``) kills the process with
SIGKILL at that point of :func:`publish` (``publish-before-copy``, ``publish-before-rename``), so
tests can show what a run killed there leaves. Unset, it does nothing.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from nianbao.parse.model import PARSER_VERSION
from nianbao.run.disk import DiskFull, ensure_space, free_bytes, is_disk_full, megabytes
from nianbao.run.locks import describe_process, lock_holder
from nianbao.run.raw_rows import reparse_condition
from nianbao.run.raw_schema import RAW_SCHEMA, RAW_TABLES, column_names, create_table_sql
from nianbao.run.scan import FileEntry
from nianbao.run.settings import Settings
from nianbao.run.storage import (
    STORAGE_VERSION,
    check_publishable,
    convert_database,
    create_database,
    is_readable_by_target,
)
from nianbao.run.verify import WarehouseDamaged, find_damage, mart_row_counts, verify_warehouse
from nianbao.vocabulary.dimensions import dimension_tables

progress_log = logging.getLogger("nianbao.progress")
PER_REPORT_TABLES = ("reports", "report_cells", "parse_notes", "rule_results", "legacy_measures")


# How long to wait for the work database while another process holds its lock.
LOCK_WAIT_SECONDS = 120.0


class WorkCopyLocked(RuntimeError):
    """Another process holds the work database's lock past the wait."""


def _connect_rw(path: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open read-write, waiting while another process holds the file's lock (a dbt or a reader
    left over from a killed run finishing): waiting is safe, deleting its file is not. Whether
    the lock is the reason is asked of the operating system (nianbao.run.locks), not read
    from DuckDB's message."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.Error as exc:
            holder = lock_holder(path)
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                raise WorkCopyLocked(
                    f"{path} is held by {describe_process(holder)}; waited {wait_seconds:.0f} s for it. "
                    "Close whatever has it open (nothing but a run should open the work copy) and run again") from exc
            time.sleep(0.5)


def connect_work(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the work database. A work copy DuckDB cannot open (a damaged
    header, a corrupt WAL, not a DuckDB file) is deleted and rebuilt from the raw files; one
    another process holds is waited for (``WorkCopyLocked`` past the wait)."""
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    path = settings.work_db_path
    try:
        if not path.exists():
            create_database(path)  # in the storage version DuckDB 1.x clients read (nianbao.run.storage)
        con = _connect_rw(path)
        if not is_readable_by_target(con):  # made by an older nianbao: converted once
            con.close()
            progress_log.info("[ingest] converting the work database to DuckDB storage version %s "
                              "(once, so that DuckDB 1.x clients can open the published file)", STORAGE_VERSION)
            convert_database(path, settings.duckdb_memory_limit)
            con = _connect_rw(path)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    except duckdb.Error as exc:
        progress_log.info("[ingest] the work copy %s cannot be opened (%s); it is rebuilt from the raw files",
                          path, str(exc).splitlines()[0][:200])
        discard_work_copy(settings)
        create_database(path)
        con = duckdb.connect(str(path))
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    # the same cap as dbt's (profiles.yml): bulk loads spill to disk rather than grow past it
    con.execute("SET memory_limit = ?", [settings.duckdb_memory_limit])
    con.execute("SET preserve_insertion_order = false")
    existing = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [RAW_SCHEMA]).fetchall()}
    for table in RAW_TABLES:
        if table not in existing or _columns(con, table) != column_names(table):
            con.execute(create_table_sql(table))
    return con


def discard_work_copy(settings: Settings) -> None:
    """Delete the work database and its WAL: the next connect_work starts it afresh (every
    file is parsed again)."""
    global _registry_memo
    for p in (settings.work_db_path, Path(f"{settings.work_db_path}.wal")):
        p.unlink(missing_ok=True)
    _registry_memo = None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position", [RAW_SCHEMA, table]).fetchall()]


def write_file_registry(con: duckdb.DuckDBPyConnection, entries: list[FileEntry]) -> None:
    global _registry_memo
    rows = [e.as_row() for e in entries]
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {RAW_SCHEMA}.file_registry")
    _insert(con, "file_registry", _frame("file_registry", rows))
    con.execute("COMMIT")
    _registry_memo = (_registry_digest(con), sorted(entries, key=lambda e: e.source_path))


# The last registry read or written in this process, keyed by a digest of the table's content:
# a run writes it (scan step) then reads it back (parse step), and building every FileEntry
# twice showed in a warm run. Entries are immutable, so sharing them is safe.
_registry_memo: tuple[tuple, list[FileEntry]] | None = None


def _registry_digest(con: duckdb.DuckDBPyConnection) -> tuple:
    return tuple(con.execute(f"SELECT count(*), bit_xor(hash(t)), sum(hash(t) >> 8) "
                             f"FROM {RAW_SCHEMA}.file_registry AS t").fetchall()[0])


def read_file_registry(con: duckdb.DuckDBPyConnection) -> list[FileEntry]:
    global _registry_memo
    digest = _registry_digest(con)
    if _registry_memo is not None and _registry_memo[0] == digest:
        return list(_registry_memo[1])
    cols = ", ".join(column_names("file_registry"))  # FileEntry's fields, in order
    entries = [FileEntry(*r) for r in con.execute(
        f"SELECT {cols} FROM {RAW_SCHEMA}.file_registry ORDER BY source_path").fetchall()]
    _registry_memo = (digest, entries)
    return list(entries)


def cached_report_ids(con: duckdb.DuckDBPyConnection, caps: dict[str, float]) -> set[str]:
    """Reports already parsed by this parser version (their rows are kept, not re-parsed).

    A rejection that says nothing about the content (file unreadable, changed during the run,
    worker died: parse note ``retry_next_run``) is not kept: the file is parsed again; nor is a
    rejection by a cap whose value ``caps`` (the run's) no longer has."""
    condition, params = reparse_condition(caps)
    return {r[0] for r in con.execute(
        f"SELECT report_id FROM {RAW_SCHEMA}.reports WHERE parser_version = ? AND report_id NOT IN "
        f"(SELECT report_id FROM {RAW_SCHEMA}.parse_notes WHERE {condition} AND report_id IS NOT NULL)",
        [PARSER_VERSION, *params]).fetchall()}


def _frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=column_names(table))


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    if df.empty:
        return
    con.register("incoming_rows", df)
    cols = ", ".join(f'"{c}"' for c in column_names(table))
    casts = ", ".join(f'CAST("{n}" AS {t})' for n, t, _ in RAW_TABLES[table])
    con.execute(f"INSERT INTO {RAW_SCHEMA}.{table} ({cols}) SELECT {casts} FROM incoming_rows")
    con.unregister("incoming_rows")


@dataclass
class LoadSummary:
    files: int
    reports: int
    parsed_now: int
    kept: int
    removed: int


# What DuckDB raises when a value does not fit its column (a cast) or a spooled row cannot be read.
UNLOADABLE = (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException)


def load_raw(con: duckdb.DuckDBPyConnection, entries: list[FileEntry], fresh) -> LoadSummary:
    """Replace the per-report rows of re-parsed and vanished reports, then rewrite source_files.

    ``fresh`` is the new rows: a RawRows, or a nianbao.run.spool.Spool (bulk-loaded by DuckDB).
    When a spooled value cannot be loaded, the reports holding one are refused (rejected, with
    the value as the reason) and the load is done again without their rows: one report's
    content never stops the run."""
    try:
        return _load_raw(con, entries, fresh)
    except UNLOADABLE:
        if not hasattr(fresh, "refuse_unloadable") or not fresh.refuse_unloadable(con):
            raise
    return _load_raw(con, entries, fresh)


def _load_raw(con: duckdb.DuckDBPyConnection, entries: list[FileEntry], fresh) -> LoadSummary:
    current = {e.report_id for e in entries if e.report_id}
    spooled = hasattr(fresh, "select_sql")
    fresh_ids = set(fresh.report_ids) if spooled else {r[0] for r in fresh.reports}
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("current_ids", pd.DataFrame({"report_id": sorted(current)}, dtype=object))
        con.register("fresh_ids", pd.DataFrame({"report_id": sorted(fresh_ids)}, dtype=object))
        # The ids to drop (vanished or re-parsed) first: a handful on a warm run, so each delete
        # is a scan against a tiny set, not an anti-join of millions of cells with every id.
        # Every per-report row has its report in raw.reports (a parse always yields the report's
        # row, and this function is the only writer, in one transaction).
        con.execute(f"""CREATE OR REPLACE TEMP TABLE nianbao_dropped_ids AS
                        SELECT report_id FROM {RAW_SCHEMA}.reports
                        WHERE report_id NOT IN (SELECT report_id FROM current_ids)""")
        removed = con.execute("SELECT count(*) FROM nianbao_dropped_ids").fetchall()[0][0]
        con.execute("INSERT INTO nianbao_dropped_ids SELECT report_id FROM fresh_ids")
        for table in PER_REPORT_TABLES:
            con.execute(f"DELETE FROM {RAW_SCHEMA}.{table} WHERE report_id IS NULL "
                        f"OR report_id IN (SELECT report_id FROM nianbao_dropped_ids)")
        con.execute("DROP TABLE nianbao_dropped_ids")
        kept = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.reports").fetchall()[0][0]
        for table in PER_REPORT_TABLES:
            if not spooled:
                _insert(con, table, _frame(table, getattr(fresh, table)))
            elif (select := fresh.select_sql(table)) is not None:
                cols = ", ".join(f'"{c}"' for c in column_names(table))
                con.execute(f"INSERT INTO {RAW_SCHEMA}.{table} ({cols}) {select}")
        write_source_files(con)
        _write_vocab(con)
        con.unregister("current_ids")
        con.unregister("fresh_ids")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    n_reports = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.reports").fetchall()[0][0]
    return LoadSummary(len(entries), n_reports, len(fresh_ids), kept, removed)


def write_source_files(con: duckdb.DuckDBPyConnection, reports: str = f"{RAW_SCHEMA}.reports") -> None:
    """Rewrite raw.source_files from raw.file_registry and the parse results in ``reports`` (a
    relation with report_id, parse_status, rejection_reason): every file's final status — parsed,
    duplicate (same bytes as the first path, in sort order, that holds them) or rejected, with
    the reason. Set-based, in DuckDB: no Python loop over the files."""
    con.execute(f"DELETE FROM {RAW_SCHEMA}.source_files")
    con.execute(f"""
        INSERT INTO {RAW_SCHEMA}.source_files (source_path, report_id, content_sha256, size_bytes, file_status, reason)
        WITH files AS (
            SELECT source_path, left(content_sha256, 16) AS report_id, content_sha256, size_bytes, reason,
                   first_value(source_path) OVER (PARTITION BY left(content_sha256, 16) ORDER BY source_path) AS first_path
            FROM {RAW_SCHEMA}.file_registry
        )
        SELECT f.source_path, f.report_id, f.content_sha256, f.size_bytes,
               CASE WHEN f.report_id IS NULL THEN 'rejected'
                    WHEN f.source_path <> f.first_path THEN 'duplicate'
                    WHEN r.report_id IS NULL OR r.parse_status = 'rejected' THEN 'rejected'
                    ELSE 'parsed' END,
               CASE WHEN f.report_id IS NULL THEN f.reason
                    WHEN f.source_path <> f.first_path THEN 'same content as ' || f.first_path
                    WHEN r.report_id IS NULL THEN 'not parsed'
                    WHEN r.parse_status = 'rejected' THEN nullif(r.rejection_reason, '')
                    END
        FROM files AS f LEFT JOIN {reports} AS r ON r.report_id = f.report_id""")


def _write_vocab(con: duckdb.DuckDBPyConnection) -> None:
    for table, rows in dimension_tables().items():
        df = pd.DataFrame(rows)
        con.register("vocab_rows", df)
        con.execute(f"CREATE OR REPLACE TABLE {RAW_SCHEMA}.{table} AS SELECT * FROM vocab_rows")
        con.unregister("vocab_rows")


def crash_point(settings: Settings, name: str) -> None:
    """Test hook (see the module docstring): SIGKILL this process at the point ``name``."""
    if settings.test_crash_at == name:
        os.kill(os.getpid(), signal.SIGKILL)


def publish(settings: Settings) -> Path:
    """Copy the finished work database next to the published one, verify the copy, and rename
    it into place.

    The copy is byte for byte, so the published file has the work database's storage version,
    one DuckDB 1.4+ clients open (nianbao.run.storage); a work database in another is refused.

    The published file is never opened: readers holding it (read-only) keep the old inode and
    see the new warehouse when they reconnect. Before the copy, the disk must hold it plus a
    margin (``DiskFull`` otherwise); the copy is read in full and its row counts checked
    (nianbao.run.verify) before the rename. A copy that fails is removed and the published file
    left as it was: ``WorkCopyDamaged`` when the work database itself is damaged (it is deleted,
    and rebuilt from the raw files by the next run), ``PublishFailed`` otherwise. A copy left by
    a publish killed half-way (``.<name>.publishing``) is removed by the next one.
    """
    con = _connect_rw(settings.work_db_path)
    try:
        con.execute("CHECKPOINT")
        check_publishable(con)
        expected_rows = mart_row_counts(con)
    finally:
        con.close()
    target = settings.db_path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.publishing"
    tmp.unlink(missing_ok=True)  # left by a killed publish: its space is needed
    ensure_space(target.parent, settings.work_db_path.stat().st_size, f"to publish the warehouse at {target}")
    crash_point(settings, "publish-before-copy")
    try:
        shutil.copyfile(settings.work_db_path, tmp)
        verify_copy(settings, tmp, expected_rows)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        crash_point(settings, "publish-before-rename")
        # A WAL beside the published file belongs to the old file (someone wrote to it); DuckDB
        # would replay it into the new one.
        Path(f"{target}.wal").unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc) and not isinstance(exc, DiskFull):
            raise DiskFull(f"the disk holding {target.parent} filled up while the warehouse was copied there "
                           f"({megabytes(free_bytes(target.parent))} free once the partial copy was removed). "
                           "Free some space and run again") from exc
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


class PublishFailed(RuntimeError):
    """The copy to publish failed verification while the work database reads whole."""


class WorkCopyDamaged(RuntimeError):
    """The work database cannot be read in full; it has been deleted (rebuilt by the next run)."""


def verify_copy(settings: Settings, copy: Path, expected_rows: dict[str, int]) -> None:
    """Verify the copy about to be published; on failure, tell a damaged work database (deleted,
    so the next run rebuilds it from the raw files) from a bad copy."""
    try:
        verify_warehouse(copy, expected_rows)
    except WarehouseDamaged as problem:
        damage = find_damage(settings.work_db_path)
        if damage is not None:
            discard_work_copy(settings)
            raise WorkCopyDamaged(
                f"the work database is damaged ({damage}); it was deleted and is rebuilt from the raw "
                "files on the next run (every file parsed again). The published warehouse is unchanged") from problem
        raise PublishFailed(f"the warehouse to publish failed verification ({problem}); "
                            "the published warehouse is unchanged") from problem
