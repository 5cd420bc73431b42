"""Incremental dbt builds (dbt_project/macros/report_sync.sql) equal a full build, row for row.

A raw directory of parsed reports (the files of test_dbt_legacy: cross-year series, a
duplicate with different bytes, pre-2019 and aggregate reports) is registered and parsed with
the pipeline's own ingest functions (nianbao.run.ingest: unchanged reports keep their raw rows,
re-parsed and vanished ones are replaced), and `dbt build` runs on the work database. Then one
file is added (extending a cross-year series), one changed (new bytes, a different carry-over),
one removed (the year N−1 of another series) and a byte-identical copy added; after the
second, incremental build every marts table must equal the one a first build makes from the
same raw layer in a fresh database. A third build with nothing changed rebuilds no report.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.integration.dbt_helpers import dbt_build
from tests.integration.test_dbt_legacy import B, C, _carry_over, _files, _in_force_roll_forward, _render, _spec


def _write(raw: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        (raw / path).parent.mkdir(parents=True, exist_ok=True)
        (raw / path).write_bytes(data)


def _ingest(monkeypatch, raw: Path, db: Path):
    from nianbao.run.ingest import parse_new_reports, register_files
    from nianbao.run.settings import load_settings

    monkeypatch.setenv("NIANBAO_RAW_DIR", str(raw))
    monkeypatch.setenv("NIANBAO_DB", str(db))
    monkeypatch.setenv("NIANBAO_WORKERS", "1")
    settings = load_settings()
    register_files(settings)
    return parse_new_reports(settings).load, settings.work_db_path


def _dbt_build(db: Path, target: Path) -> str:
    return dbt_build(db, target, target, timeout=600)


def _marts(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"select * from marts.{t}").fetchall())) for t in tables}


def _changed(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from intermediate.int_report_changes where is_changed").fetchall()[0][0]


def test_incremental_build_equals_full_build(tmp_path, monkeypatch):
    raw, db = tmp_path / "raw", tmp_path / "nianbao.duckdb"
    files, specs = _files()
    _write(raw, files)
    _, work_db = _ingest(monkeypatch, raw, db)
    _dbt_build(work_db, tmp_path / "target")
    n_reports = len(_marts(work_db)["dim_report"])
    assert _changed(work_db) == n_reports                      # the first build builds everything

    # add (extends C's series), change (B 2020: other bytes, carry-over now holds), remove
    # (A 2019: A 2020's carry-over loses its pair), and a byte-identical copy of B 2019
    c23 = _spec(303, "2021", C, 2023)
    _in_force_roll_forward(specs["c22"], c23)
    b20 = _spec(203, "2019", B, 2020)
    _carry_over(specs["b19"], b20)
    _write(raw, {"c/2023.txt": _render(c23), "b/2020.txt": _render(b20), "b/copy-of-2019.txt": files["b/2019.txt"]})
    (raw / "a" / "2019.txt").unlink()
    load, _ = _ingest(monkeypatch, raw, db)
    assert (load.parsed_now, load.removed) == (2, 2)
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 4                              # 2 new, 2 gone: nothing else rebuilt
    incremental = _marts(work_db)

    # the same raw layer, built from scratch
    fresh = tmp_path / "fresh" / "nianbao.duckdb"
    fresh.parent.mkdir()
    shutil.copyfile(work_db, fresh)
    with duckdb.connect(str(fresh)) as con:
        for schema in ("marts", "intermediate", "dbt_state"):
            con.execute(f"drop schema if exists {schema} cascade")
    _dbt_build(fresh, tmp_path / "fresh" / "target")
    full = _marts(fresh)

    assert set(incremental) == set(full)
    for table in sorted(full):
        assert incremental[table] == full[table], f"marts.{table} differs from a full build"
    with duckdb.connect(str(work_db), read_only=True) as con:
        comments = con.execute("select count(*) from duckdb_columns() where schema_name = 'marts' "
                               "and table_name = 'fct_reconciliation' and comment is not null").fetchall()[0][0]
        assert comments >= 10                                  # descriptions stored as DuckDB comments

    # nothing changed: no report rebuilt, same marts
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 0
    assert _marts(work_db) == incremental

