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
from tests.integration.test_dbt_legacy import A, B, C, _carry_over, _files, _in_force_roll_forward, _render, _spec


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


def _marts(db: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, list]:
    """Every table of ``schemas`` as sorted row reprs (int_report_changes, the run's own
    bookkeeping, left out)."""
    names = ", ".join(f"'{schema}'" for schema in schemas)
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [(schema, t) for schema, t in con.execute(
            f"select schema_name, table_name from duckdb_tables() where schema_name in ({names}) "
            "and table_name <> 'int_report_changes' order by 1, 2").fetchall()]
        return {f"{schema}.{t}": sorted(map(repr, con.execute(f"select * from {schema}.{t}").fetchall()))
                for schema, t in tables}


def _built_tables(db: Path) -> dict[str, list]:
    return _marts(db, ("marts", "intermediate"))


def _changed(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from intermediate.int_report_changes where is_changed").fetchall()[0][0]


def _assert_equals_full_build(work_db: Path, tmp: Path) -> dict[str, list]:
    """Every marts and intermediate table of ``work_db`` (just built incrementally) equals, row for
    row and column for column, the one a first build makes from the same raw layer in a fresh
    database. Returns the incremental tables."""
    incremental = _built_tables(work_db)
    fresh = tmp / "nianbao.duckdb"
    tmp.mkdir()
    shutil.copyfile(work_db, fresh)
    with duckdb.connect(str(fresh)) as con:
        for schema in ("marts", "intermediate", "dbt_state"):
            con.execute(f"drop schema if exists {schema} cascade")
    _dbt_build(fresh, tmp / "target")
    full = _built_tables(fresh)
    assert set(incremental) == set(full)
    for table in sorted(full):
        assert incremental[table] == full[table], f"{table} differs from a full build"
    return incremental


def _report_ids(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select source_path, report_id from marts.dim_report").fetchall())


def _reparse_as(db: Path, report_id: str, agency: str | None) -> None:
    """What a new parser version reading another agency off the same bytes writes: the report's
    raw row with that agency (None: no agency read) and another parser_version (so the next
    ingest parses it again, with the current parser, and it moves back)."""
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.reports set agency_name = ?, agency_qualified_name = ?, agency_name_printed = ?, "
                    "parser_version = parser_version || '+next' where report_id = ?",
                    [agency, agency, agency, report_id])


def test_incremental_build_equals_full_build(tmp_path, monkeypatch):
    raw, db = tmp_path / "raw", tmp_path / "nianbao.duckdb"
    files, specs = _files()
    _write(raw, files)
    _, work_db = _ingest(monkeypatch, raw, db)
    _dbt_build(work_db, tmp_path / "target")
    n_reports = len(_marts(work_db)["marts.dim_report"])
    assert _changed(work_db) == n_reports                      # the first build builds everything

    # 1. add (extends C's series), change (B 2020: other bytes, carry-over now holds), remove
    # (A 2019: A 2020's carry-over loses its pair), a byte-identical copy of B 2019, and an
    # unreadable file (a rejected report, no agency); untouched agencies' files renamed (E 2016)
    # and copied (D 2021): their dim_report paths change, not their fingerprints
    c23 = _spec(303, "2021", C, 2023)
    _in_force_roll_forward(specs["c22"], c23)
    b20 = _spec(203, "2019", B, 2020)
    _carry_over(specs["b19"], b20)
    _write(raw, {"c/2023.txt": _render(c23), "b/2020.txt": _render(b20), "b/copy-of-2019.txt": files["b/2019.txt"],
                 "x/not-a-report.txt": "关于做好信息报送工作的通知\n请各单位按时报送。".encode(),
                 "d/copy-of-2021.txt": files["d/2021.txt"]})
    (raw / "a" / "2019.txt").unlink()
    (raw / "e" / "2016.txt").rename(raw / "e" / "2016 renamed.txt")
    load, _ = _ingest(monkeypatch, raw, db)
    assert (load.parsed_now, load.removed) == (3, 2)
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 5                              # 3 new, 2 gone: nothing else rebuilt
    incremental = _assert_equals_full_build(work_db, tmp_path / "fresh-1")
    with duckdb.connect(str(work_db), read_only=True) as con:
        comments = con.execute("select count(*) from duckdb_columns() where schema_name = 'marts' "
                               "and table_name = 'fct_reconciliation' and comment is not null").fetchall()[0][0]
        assert comments >= 10                                  # descriptions stored as DuckDB comments
        paths = dict(con.execute("select source_path, n_source_files from marts.dim_report").fetchall())
    assert paths["e/2016 renamed.txt"] == 1 and paths["d/2021.txt"] == 2 and paths["b/2019.txt"] == 2

    # 2. the primary of A 2020's two files (an HTML page and its text) removed: the other, unchanged,
    # becomes primary; the rejected file and B 2019's copy removed; and a new parser reading of two
    # unchanged files: D 2021 now read as C's (it moves between agencies and joins C 2021's
    # duplicate group) and E 2016 with no agency
    ids = _report_ids(work_db)
    with duckdb.connect(str(work_db), read_only=True) as con:
        (a20_primary,), = con.execute("select source_path from marts.dim_report where report_year = 2020 "
                                      "and agency_name = ? and is_primary", [A]).fetchall()
    for path in (a20_primary, "x/not-a-report.txt", "b/copy-of-2019.txt"):
        (raw / path).unlink()
    load, _ = _ingest(monkeypatch, raw, db)
    assert (load.parsed_now, load.removed) == (0, 2)
    _reparse_as(work_db, ids["d/2021.txt"], C)
    _reparse_as(work_db, ids["e/2016 renamed.txt"], None)
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 4
    _assert_equals_full_build(work_db, tmp_path / "fresh-2")
    with duckdb.connect(str(work_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_report where agency_id is null").fetchall()[0][0] == 1
        assert con.execute("select count(*) from marts.dim_report where duplicate_of_report_id is not null "
                           "and agency_name = ?", [C]).fetchall()[0][0] == 1

    # 3. the current parser reads both again (they move back)
    load, _ = _ingest(monkeypatch, raw, db)
    assert load.parsed_now == 2
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 2
    incremental = _assert_equals_full_build(work_db, tmp_path / "fresh-3")

    # nothing changed: no report rebuilt, same tables
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 0
    assert _built_tables(work_db) == incremental
