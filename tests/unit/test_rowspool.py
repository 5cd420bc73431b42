"""Parse results spooled as CSV: the fast per-table encoders write what the csv module writes,
and DuckDB reads back exactly the rows that went in (nulls, empty strings, quotes, floats)."""
from __future__ import annotations

import math

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.run.raw_rows import RawRows
from nianbao.run.spool import _FAST_ENCODERS, Spool, csv_text, encode_rows

_text = st.text(alphabet=st.sampled_from('ab,"\n\r\t 件（）“”\\\'\x00'[:-1] + "零"), max_size=12)
_maybe_text = st.none() | _text
_value = st.none() | st.floats(allow_nan=False) | st.sampled_from([0.0, -0.0, 1e-7, 123456789.125, math.inf])
_flag = st.none() | st.booleans()
_cell = st.tuples(_text, _text, _text, _text, _value, _flag, _maybe_text, _maybe_text, _text)
_rule = st.tuples(_text, _text, _text, _value, _value, _value, _flag, _maybe_text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_cell, max_size=6), st.lists(_rule, max_size=6))
def test_fast_encoders_write_what_the_csv_module_writes(cells, rules):
    assert _FAST_ENCODERS["report_cells"](cells) == csv_text(cells)
    assert _FAST_ENCODERS["rule_results"](rules) == csv_text(rules)


def test_an_unexpected_type_falls_back_to_the_csv_module():
    rows = RawRows(report_cells=[(None, "t3", "granted", "total", 3, False, None, None, "table")],
                   rule_results=[("r1", "t3_row_total", "granted", 1, 1.0, 0.0, True, None)])
    encoded = encode_rows(rows)  # None id and int values: not what the fast encoders take
    assert encoded.data["report_cells"] == csv_text(rows.report_cells).encode()
    assert encoded.data["rule_results"] == csv_text(rows.rule_results).encode()


def test_duckdb_reads_back_the_rows_that_went_in(tmp_path):
    cells = [
        ("r1", "t3", "granted", "natural_person", 12.0, False, None, None, "table"),
        ("r1", "t3", "total", "total", None, True, "", "件", "table"),
        ("r1", "t2", 'say "hi", then\nstop', "x", -0.0, None, '13准予撤诉 "a",b', None, "narrative"),
        ("r2", "t4", "review", "total", 1e-7, False, None, "万元", "table"),
    ]
    rules = [("r1", "t3_row_total", "granted", 12.0, 12.0, 0.0, True, None),
             ("r2", "t4_total", "review", None, 3.0, None, None, 'rows not read: "x"')]
    spool = Spool(tmp_path / "spool")
    spool.add(RawRows(report_cells=cells[:2], rule_results=rules[:1]))
    spool.add(encode_rows(RawRows(report_cells=cells[2:], rule_results=rules[1:])))
    con = duckdb.connect()
    assert con.execute(spool.select_sql("report_cells")).fetchall() == cells
    assert con.execute(spool.select_sql("rule_results")).fetchall() == rules
