"""Export the marts of the published warehouse as Parquet files, for tools that prefer files.

One file per marts table or view, ``<table>.parquet``, with the table's and its columns' descriptions in
the Parquet key-value metadata (``description``, ``column_descriptions`` as JSON), and
``_manifest.json`` listing every table with its row count, description and columns. Everything
is read in one read-only transaction of the published file, so the files are one consistent
snapshot even while a run publishes a new warehouse. Each file is written beside its final
name and renamed into place: a reader never sees half a file.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MANIFEST = "_manifest.json"
SCHEMA = "marts"


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    path: Path


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_parquet(db_path: Path, out_dir: Path) -> list[ExportedTable]:
    if not db_path.is_file():
        raise FileNotFoundError(f"no warehouse at {db_path}: run `nianbao run` first (or pass --db)")
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _previous_tables(out_dir)
    exported: list[ExportedTable] = []
    manifest_tables = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute("BEGIN TRANSACTION")  # one snapshot for every table
        tables = con.execute("SELECT table_name, coalesce(comment, '') FROM duckdb_tables() WHERE schema_name = $1 "
                             "UNION ALL SELECT view_name, coalesce(comment, '') FROM duckdb_views() "
                             "WHERE schema_name = $1 AND NOT internal ORDER BY 1", [SCHEMA]).fetchall()
        for table, description in tables:
            columns = con.execute(
                "SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns() "
                "WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [SCHEMA, table]).fetchall()
            column_descriptions = json.dumps({c: d for c, _, d in columns}, ensure_ascii=False)
            target = out_dir / f"{table}.parquet"
            tmp = out_dir / f".{table}.parquet.writing"
            rows = con.execute(f"""COPY (SELECT * FROM {SCHEMA}."{table}") TO {_literal(str(tmp))}
                                   (FORMAT parquet, COMPRESSION zstd,
                                    KV_METADATA {{description: {_literal(description)},
                                                  column_descriptions: {_literal(column_descriptions)}}})""").fetchall()[0][0]
            os.replace(tmp, target)
            exported.append(ExportedTable(table, rows, target))
            manifest_tables.append({"table": table, "file": target.name, "rows": rows, "description": description,
                                    "columns": [{"name": c, "type": t, "description": d} for c, t, d in columns]})
        con.execute("COMMIT")
    for gone in previous - {t.table for t in exported}:  # a table the marts no longer have
        (out_dir / f"{gone}.parquet").unlink(missing_ok=True)
    manifest = {"warehouse": str(db_path), "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "schema": SCHEMA, "tables": manifest_tables}
    tmp = out_dir / f".{MANIFEST}.writing"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST)
    return exported


def _previous_tables(out_dir: Path) -> set[str]:
    """Tables a previous export into ``out_dir`` wrote (from its manifest; other files are not ours)."""
    try:
        return {t["table"] for t in json.loads((out_dir / MANIFEST).read_text("utf-8"))["tables"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
