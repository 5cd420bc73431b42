"""What the dbt integration tests share: a raw layer written from rows, a `dbt build` of it in a
subprocess, and query results as dicts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from nianbao.run.raw_schema import RAW_TABLES, column_names, create_table_sql
from nianbao.vocabulary.dimensions import dimension_tables

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"


def write_raw(db: Path, rows: dict[str, list[tuple]]) -> None:
    """Every raw table (empty unless ``rows`` has rows for it) and the vocabulary tables."""
    con = duckdb.connect(str(db))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for table in RAW_TABLES:
            con.execute(create_table_sql(table))
        for table, values in rows.items():
            cols = column_names(table)
            if values:
                con.executemany(
                    f"INSERT INTO raw.{table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)
        for name, records in dimension_tables().items():
            df = pd.DataFrame(records)  # noqa: F841 — referenced by name in the SQL below
            con.execute(f"CREATE OR REPLACE TABLE raw.{name} AS SELECT * FROM df")
    finally:
        con.close()


def dbt_build(db: Path, target: Path, log_dir: Path, timeout: int) -> str:
    """`dbt build` of the project on ``db`` (its stdout); fails the test with dbt's output."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(DBT_PROJECT),
           "--profiles-dir", str(DBT_PROJECT), "--target-path", str(target), "--log-path", str(log_dir),
           "--vars", json.dumps({"nianbao_db": str(db)})]
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    return proc.stdout


def dict_rows(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
