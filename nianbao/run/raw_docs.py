"""dbt's docs of the raw tables, generated from nianbao/run/raw_schema.py:

    python -m nianbao.run.raw_docs      # rewrite dbt_project/models/staging/{_raw__sources,_staging}.yml

``_raw__sources.yml`` declares the source ``raw`` (every table and column); ``_staging.yml`` documents
the staging models ``stg_raw__<table>``, one per raw table, with the same column docs.
tests/unit/test_raw_docs.py fails when either file differs from what this renders.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from nianbao.run.raw_schema import RAW_SCHEMA, RAW_TABLES, TABLE_DESCRIPTIONS, VOCAB_COLUMNS
from nianbao.run.settings import DBT_PROJECT_DIR

STAGING_DIR = DBT_PROJECT_DIR / "models" / "staging"
SOURCES_FILE = STAGING_DIR / "_raw__sources.yml"
STAGING_FILE = STAGING_DIR / "_staging.yml"
HEADER = "# Generated from nianbao/run/raw_schema.py by `python -m nianbao.run.raw_docs`; do not edit by hand.\n"
SOURCE_DESCRIPTION = ("Tables written by a run: the parse step's (nianbao.run.raw_schema) and the vocabulary tables "
                      "(nianbao.vocabulary.dimensions.dimension_tables). Dagster publishes them as assets keyed "
                      "['raw', '<table>'].")


def table_columns() -> dict[str, list[tuple[str, str]]]:
    """Every raw table's (column, description), in DDL order."""
    columns = {t: [(name, doc) for name, _, doc in cols] for t, cols in RAW_TABLES.items()}
    return columns | VOCAB_COLUMNS


def _columns(table: str) -> list[dict]:
    return [{"name": name, "description": doc} for name, doc in table_columns()[table]]


def _materialization(model: Path) -> str:
    found = re.search(r"materialized\s*=\s*'(\w+)'", model.read_text("utf-8")) if model.exists() else None
    return found.group(1) if found else "ephemeral"  # the staging folder's default (dbt_project.yml)


def _staging_description(table: str) -> str:
    if _materialization(STAGING_DIR / f"stg_raw__{table}.sql") == "view":
        kind = "Staging view"
    else:
        kind = "Staging model (ephemeral, a CTE inlined where it is used)"
    return f"{kind} of {RAW_SCHEMA}.{table}. {TABLE_DESCRIPTIONS[table]}"


def _dump(doc: dict) -> str:
    return HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def render_sources() -> str:
    tables = [{"name": t, "description": TABLE_DESCRIPTIONS[t], "columns": _columns(t)} for t in table_columns()]
    return _dump({"version": 2, "sources": [
        {"name": RAW_SCHEMA, "schema": RAW_SCHEMA, "description": SOURCE_DESCRIPTION, "tables": tables}]})


def render_staging() -> str:
    return _dump({"version": 2, "models": [
        {"name": f"stg_raw__{t}", "description": _staging_description(t), "columns": _columns(t)}
        for t in table_columns()]})


def main() -> int:
    SOURCES_FILE.write_text(render_sources(), encoding="utf-8")
    STAGING_FILE.write_text(render_staging(), encoding="utf-8")
    print(f"wrote {SOURCES_FILE} and {STAGING_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
