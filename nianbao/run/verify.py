"""Verify a warehouse file before it is published: readable in full, and as big as the run says.

DuckDB stores a checksum with every block and checks it when the block is read from the file.
Reading every row of every column of a table therefore checks every data block the table
uses; opening the file checks its headers and catalog. ``verify_warehouse`` reads every table
of the ``marts`` schema in full that way, and checks the row counts against the run's own
figures: every mart holds as many rows as in the work database it was copied from, every
registered file has its row in ``dim_source_file``, every distinct content its row in
``dim_report``. ``find_damage`` reads every table of every schema (after a failed run: is the
work copy damaged, or did something else fail?).
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from nianbao.run.locks import lock_holder

MARTS = "marts"


class WarehouseDamaged(RuntimeError):
    """A warehouse file that cannot be read in full, or whose row counts disagree with the run."""


def base_tables(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> list[tuple[str, str]]:
    sql = "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary"
    params = []
    if schema:
        sql += " AND schema_name = ?"
        params.append(schema)
    return [tuple(r) for r in con.execute(sql + " ORDER BY 1, 2", params).fetchall()]


def _read_in_full(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """Read every value of the table (a hash of each whole row), so that DuckDB reads, and
    checks the checksum of, every block holding it. Returns the row count."""
    return con.execute(f'SELECT count(*), bit_xor(hash(t)) FROM "{schema}"."{table}" AS t').fetchall()[0][0]


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of every marts table (from the table's own count: cheap, reads no data block)."""
    return {t: con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchall()[0][0] for s, t in base_tables(con, MARTS)}


def verify_warehouse(path: Path, expected_rows: dict[str, int]) -> dict[str, int]:
    """Read every marts table of ``path`` in full and check its row counts; returns them.
    ``expected_rows`` is each mart's row count in the database ``path`` was copied from.
    Raises WarehouseDamaged, naming what failed."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseDamaged(f"{path} cannot be opened: {_first_line(exc)}") from exc
    try:
        counts = {}
        for schema, table in base_tables(con, MARTS):
            try:
                counts[table] = _read_in_full(con, schema, table)
            except duckdb.Error as exc:
                raise WarehouseDamaged(f"{schema}.{table} cannot be read in full: {_first_line(exc)}") from exc
        problems = [f"{t} has {counts.get(t, 'no')} rows, the run built {n}"
                    for t, n in sorted(expected_rows.items()) if counts.get(t) != n]
        if not counts:
            problems.append("there is no marts table")
        problems += _against_the_raw_tables(con, {t: n for t, n in counts.items() if t in expected_rows})
        if problems:
            raise WarehouseDamaged("; ".join(problems))
        return counts
    finally:
        con.close()


def _against_the_raw_tables(con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> list[str]:
    """The marts against the run's registry: a row per file, a row per distinct content."""
    problems = []
    checks = {
        "dim_source_file": ("SELECT count(*) FROM raw.file_registry", "registered files"),
        "dim_report": ("SELECT count(DISTINCT report_id) FROM raw.source_files", "distinct contents"),
    }
    for table, (sql, what) in checks.items():
        if table not in counts:
            continue  # the work database has no such mart: nothing to hold against the registry
        try:
            n = con.execute(sql).fetchall()[0][0]
        except duckdb.Error as exc:
            problems.append(f"the run's registry cannot be read: {_first_line(exc)}")
            continue
        if n != counts[table]:
            problems.append(f"marts.{table} has {counts[table]} rows for {n} {what}")
    return problems


def find_damage(path: Path) -> str | None:
    """Read every table of every schema of ``path`` in full: what cannot be read, or None
    (also when another process holds the file: that is not damage)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        if lock_holder(path) is not None:
            return None
        return f"{path} cannot be opened: {_first_line(exc)}"
    try:
        for schema, table in base_tables(con):
            try:
                _read_in_full(con, schema, table)
            except duckdb.Error as exc:
                return f"{schema}.{table} cannot be read: {_first_line(exc)}"
        return None
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
