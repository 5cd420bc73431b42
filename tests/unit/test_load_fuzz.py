"""One report's content never stops the load: metadata and figures of every odd kind go through
the parser process's checks, the spool and the real load (load_raw) into DuckDB.

Each example loads three reports: two ordinary ones and one whose values are drawn from dates
that do not exist, years and numbers past every integer type, NaN and infinities, text in
numeric fields, NUL bytes and lone surrogates. The load must never raise; the two ordinary
reports load unchanged; the odd one loads with exactly its values, or is rejected with the
value named as the reason.
"""
from __future__ import annotations

import datetime
import hashlib
import math

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.parse.model import Cell, Metadata, ParseResult, RuleResult
from nianbao.run.pool import encoded_rows, storable_rows
from nianbao.run.raw_rows import result_rows
from nianbao.run.raw_schema import RAW_SCHEMA, RAW_TABLES
from nianbao.run.scan import FileEntry
from nianbao.run.settings import Settings
from nianbao.run.spool import Spool
from nianbao.run.warehouse import connect_work, load_raw, write_file_registry

_odd_text = st.text(alphabet=st.sampled_from(list('ab,"\n\r\t 件\\\'\x00零\ud800\udfff')), max_size=8)
_impossible_dates = st.sampled_from(["2024-02-30", "2023-04-31", "2023-13-01", "0000-01-01", "2024-2-3",
                                     "二〇二三年", "", "2024-02-29", "1999-12-31"])
_dates = (st.none() | st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat)
          | st.dates() | _impossible_dates | _odd_text)
_numbers = (st.none() | st.integers(min_value=-2 ** 70, max_value=2 ** 70) | st.floats()
            | st.sampled_from([math.nan, math.inf, -math.inf, 1e300, 2.0 ** 53, 2.0 ** 53 + 2, 9.3e18])
            | st.booleans() | _odd_text)
_years = st.none() | st.integers(min_value=-2 ** 40, max_value=2 ** 40) | st.sampled_from(["二〇二三", "2023"]) | st.floats()


def _result(name: str, md: Metadata, value=12.0, left=12.0, status="complete") -> ParseResult:
    sha = hashlib.sha256(name.encode()).hexdigest()
    r = ParseResult(sha[:16], sha, file_format="text", metadata=md, template="2021", parse_status=status)
    r.cells = [Cell("t3", "new_received", "natural_person", value), Cell("t3", "new_received", "total", 12.0)]
    r.rules = [RuleResult("t3_row_total", "new_received", left, 12.0, left == 12.0 if isinstance(left, float) else None)]
    r.note("info", "reader", "ok")
    return r


def _ordinary(name: str) -> ParseResult:
    return _result(name, Metadata(title=f"{name} 2023年政府信息公开工作年度报告", agency_name="某某县人民政府",
                                  report_year=2023, published_on="2024-01-20"))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """One work database for the module: each load replaces the previous example's reports
    (they are no longer registered), as a run replaces vanished files' rows."""
    root = tmp_path_factory.mktemp("load-fuzz")
    settings = Settings(raw_dir=root / "raw", db_path=root / "data" / "w.duckdb")
    con = connect_work(settings)
    yield settings, con
    con.close()


def _load(work, results: list[ParseResult], validated: bool = True):
    """What a run does with parse results: rows (checked in the parser process unless
    ``validated`` is false), encoded for the spool, loaded by load_raw."""
    settings, con = work
    entries = [FileEntry(f"{r.report_id}.txt", 1, r.content_sha256) for r in results]
    write_file_registry(con, entries)
    spool = Spool(settings.work_dir / "spool")
    for r, e in zip(results, entries):
        rows = storable_rows(r, e.source_path) if validated else result_rows(r, e.source_path)
        spool.add(encoded_rows(rows, e.source_path))
    try:
        load_raw(con, entries, spool)
    finally:
        spool.remove()
    reports = {row[0]: row for row in con.execute(
        f"SELECT report_id, parse_status, rejection_reason, report_year, published_on, title "
        f"FROM {RAW_SCHEMA}.reports").fetchall()}
    cells = con.execute(f"SELECT report_id, value FROM {RAW_SCHEMA}.report_cells "
                        "WHERE col_id = 'natural_person'").fetchall()
    return reports, dict(cells)


def _check(work, fields: dict, value, validated: bool) -> None:
    odd = _result("odd", Metadata(**fields), value=value)
    a, b = _ordinary("a"), _ordinary("b")
    reports, cells = _load(work, [a, odd, b], validated)
    assert set(reports) == {a.report_id, odd.report_id, b.report_id}  # every report accounted for
    for r in (a, b):
        assert reports[r.report_id][1:] == ("complete", None, 2023, datetime.date(2024, 1, 20), r.metadata.title)
        assert cells[r.report_id] == 12.0
    _, status, reason, year, published, title = reports[odd.report_id]
    if status == "rejected":
        assert "cannot store" in reason, reason
        assert odd.report_id not in cells
        return
    assert status == "complete"
    if not validated:
        return  # DuckDB's own cast took the value ('2023' for a year): the parser's checks would not have
    # loaded: exactly the values the parser produced, nothing "fixed"
    assert year == fields.get("report_year")
    expected_date = fields.get("published_on")
    assert published == (datetime.date.fromisoformat(expected_date) if isinstance(expected_date, str)
                         else expected_date)
    assert title == fields.get("title")
    assert cells.get(odd.report_id) == value


@settings(max_examples=30, deadline=None)
@given(st.fixed_dictionaries({"report_year": _years, "published_on": _dates, "title": st.none() | _odd_text,
                              "agency_name": st.none() | _odd_text}), _numbers)
def test_odd_values_never_stop_the_load(work, fields, value):
    _check(work, fields, value, validated=True)


@settings(max_examples=30, deadline=None)
@given(st.fixed_dictionaries({"report_year": _years, "published_on": _dates}), _numbers)
def test_the_load_refuses_what_the_parser_checks_let_through(work, fields, value):
    """The last safety net alone (the parser process's checks skipped): a value DuckDB cannot
    cast rejects its report, not the load."""
    _check(work, fields, value, validated=False)


@pytest.mark.parametrize("fields, value, named, duckdb_takes_it", [
    ({"published_on": "2024-02-30"}, 1.0, "published_on", False),
    ({"published_on": "2023-04-31"}, 1.0, "published_on", False),
    ({"report_year": 2 ** 40}, 1.0, "report_year", False),
    ({"report_year": "二〇二三"}, 1.0, "report_year", False),
    ({}, "十二", "report_cells.value", False),
    # DuckDB holds these as DOUBLEs (the marts' BIGINT cast would fail): only the parser's check refuses them
    ({}, 1e20, "report_cells.value", True),
    ({}, math.nan, "report_cells.value", True),
])
@pytest.mark.parametrize("validated", [True, False])
def test_each_kind_of_odd_value_rejects_its_report_naming_it(work, fields, value, named, duckdb_takes_it, validated):
    odd = _result("odd", Metadata(**fields), value=value)
    reports, _ = _load(work, [_ordinary("a"), odd], validated)
    status, reason = reports[odd.report_id][1:3]
    if not validated and duckdb_takes_it:
        assert status == "complete"
        return
    assert status == "rejected" and named in reason, reason


def test_every_column_type_of_the_raw_schema_has_a_check():
    """unstorable() knows every column type of the schema, so a new typed column is not forgotten."""
    from nianbao.run.raw_rows import _ACCEPTS

    types = {t for cols in RAW_TABLES.values() for _, t, _ in cols}
    assert types - {"VARCHAR"} <= set(_ACCEPTS)


def test_a_parse_partition_refuses_an_unloadable_report_too(tmp_path):
    """The partitioned job writes Parquet instead of loading DuckDB: the same refusal."""
    from nianbao.run.parquet import part_path, write_partition

    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "data" / "w.duckdb")
    odd, a = _result("odd", Metadata(published_on="2024-02-30")), _ordinary("a")
    spool = Spool(tmp_path / "spool")
    for r in (odd, a):
        spool.add(encoded_rows(result_rows(r, f"{r.report_id}.txt"), f"{r.report_id}.txt"))  # unchecked
    counts = write_partition(settings, "00-ff", spool, set())
    with duckdb.connect() as con:
        got = dict(con.execute("SELECT report_id, parse_status FROM read_parquet(?)",
                               [str(part_path(settings, "reports", "00-ff"))]).fetchall())
        cell_ids = {r[0] for r in con.execute("SELECT report_id FROM read_parquet(?)",
                                              [str(part_path(settings, "report_cells", "00-ff"))]).fetchall()}
    assert got == {odd.report_id: "rejected", a.report_id: "complete"}
    assert cell_ids == {a.report_id} and counts["reports"] == 2
