"""The raw tables are declared once (nianbao/run/raw_schema.py): dbt's source and staging docs are
generated from it, the staging models select exactly its columns with its types, and the
vocabulary tables have exactly the documented columns."""
from __future__ import annotations

import re

from nianbao.run import raw_docs
from nianbao.run.raw_schema import RAW_TABLES, TABLE_DESCRIPTIONS, VOCAB_COLUMNS
from nianbao.vocabulary.dimensions import dimension_tables

FIX = "run: python -m nianbao.run.raw_docs"


def test_the_dbt_source_docs_are_generated_from_the_schema():
    assert raw_docs.SOURCES_FILE.read_text("utf-8") == raw_docs.render_sources(), FIX


def test_the_staging_docs_are_generated_from_the_schema():
    assert raw_docs.STAGING_FILE.read_text("utf-8") == raw_docs.render_staging(), FIX


def test_every_raw_table_is_described_once():
    assert set(TABLE_DESCRIPTIONS) == set(RAW_TABLES) | set(VOCAB_COLUMNS)
    assert not set(RAW_TABLES) & set(VOCAB_COLUMNS)


def test_the_vocabulary_tables_have_the_documented_columns():
    for table, rows in dimension_tables().items():
        assert [c for c, _ in VOCAB_COLUMNS[table]] == list(rows[0]), table


def test_each_staging_model_selects_the_tables_columns_with_their_types():
    for table, columns in raw_docs.table_columns().items():
        sql = (raw_docs.STAGING_DIR / f"stg_raw__{table}.sql").read_text("utf-8")
        casts = re.findall(r"cast\((\w+) as (\w+)\) as (\w+)", sql)
        assert [c for c, _, _ in casts] == [a for _, _, a in casts] == [name for name, _ in columns], table
        if table in RAW_TABLES:
            assert [t.upper() for _, t, _ in casts] == [t for _, t, _ in RAW_TABLES[table]], table
        assert f"source('raw', '{table}')" in sql


def test_the_generator_would_notice_a_change(monkeypatch):
    changed = {**RAW_TABLES, "reports": [*RAW_TABLES["reports"], ("new_column", "VARCHAR", "A new column")]}
    monkeypatch.setattr(raw_docs, "RAW_TABLES", changed)
    assert "new_column" in raw_docs.render_sources() and "new_column" in raw_docs.render_staging()
    assert raw_docs.render_sources() != raw_docs.SOURCES_FILE.read_text("utf-8")
