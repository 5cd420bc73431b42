"""dbt models end to end on a tiny hand-written warehouse.

Builds a temporary DuckDB file with the raw tables (nianbao.run.raw_schema) and the vocabulary
tables (nianbao.vocabulary.dimensions.dimension_tables), fills them with a handful of reports, runs
`dbt build` on dbt_project/ as a subprocess and checks real values in the marts.

The fixture:
  agency A (宁波市交通运输局)
    R2020   2020, complete, 2019 template; every per-report rule passes; file also present
            as a byte-identical duplicate under a second path.
    R2021   2021, complete, 2021 template; t3_column_balance fails for natural_person and
            total; carried-over matches 2020's carried-forward for natural_person but not for
            commercial_enterprise nor total; prose restates table 三 (must not double count).
    R2021B  2021, partial, a second report of A for 2021 with only a prose figure.
  agency B (杭州市西湖区人民政府)
    RNARR   2021, narrative_only: figures from prose only.
  no agency
    RREJ    rejected (a 工作总结, not an annual report).
  plus an unreadable file (no report_id).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pytest

from nianbao.run.raw_schema import column_names
from nianbao.vocabulary.dimensions import dimension_tables
from tests.integration.dbt_helpers import dbt_build, dict_rows, write_raw

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO.parent / "shared" / "docs" / "warehouse-contract.md"

R2020, R2021, R2021B, RNARR, RREJ = (
    "a2020000000000aa", "a2021000000000bb", "a2021000000000cc", "b2021000000000dd", "c0000000000000ee",
)
AGENCY_A, AGENCY_B = "宁波市交通运输局", "杭州市西湖区人民政府"
AGENCY_A_2020 = "宁波交通运输局"  # the name A's 2020 report printed
NP, CE = "natural_person", "commercial_enterprise"

# Columns every contract table must have (the contract lists "key columns (at least)").
CONTRACT_COLUMNS = {
    "dim_source_file": ["source_path", "report_id", "size_bytes", "file_status", "reason"],
    "dim_report": ["report_id", "source_path", "content_sha256", "agency_id", "report_year", "title",
                   "published_on", "index_number", "template", "original_script", "parse_status",
                   "rejection_reason", "is_reconciled"],
    "dim_agency": ["agency_id", "agency_name", "province", "city", "county", "admin_level"],
    "dim_applicant_type": ["applicant_type", "label_zh", "applicant_group"],
    "dim_outcome": ["outcome", "outcome_category", "label_zh", "sort_order"],
    "dim_proceeding_result": ["proceeding", "result", "proceeding_label_zh", "result_label_zh"],
    "fct_applications": ["report_id", "agency_id", "report_year", "source", "applicant_type", "flow", "count"],
    "fct_application_outcomes": ["report_id", "agency_id", "report_year", "source", "applicant_type",
                                 "outcome", "count"],
    "fct_litigation": ["report_id", "agency_id", "report_year", "source", "proceeding", "result", "count"],
    "fct_proactive_disclosure": ["report_id", "agency_id", "report_year", "source", "item", "measure",
                                 "value", "unit", "printed_text"],
    "fct_reconciliation": ["report_id", "agency_id", "report_year", "rule", "scope_id", "left_value",
                           "right_value", "difference", "passed", "severity"],
    "mart_agency_year": ["agency_id", "report_year", "n_reports", "figures_source", "requests_received",
                         "requests_carried_over", "requests_carried_forward", "requests_processed",
                         "requests_granted", "requests_partially_granted", "requests_denied",
                         "requests_unable_to_provide", "requests_not_processed", "requests_other_outcome",
                         "reviews_total", "reviews_corrected", "lawsuits_total", "lawsuits_corrected",
                         "share_granted_full_or_partial", "share_reviews_corrected",
                         "share_lawsuits_corrected"],
}


def agency_id(name: str) -> str:
    return hashlib.md5(name.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- fixture rows

def _report(report_id, path, fmt, agency, province, city, county, level, year, template, status,
            reason=None, kind="annual_report", printed=None):
    return {"agency_qualified_name": agency,
            **_report_row(report_id, path, fmt, printed or agency, province, city, county, level, year, template,
                          status, reason, kind)}


def _report_row(report_id, path, fmt, agency, province, city, county, level, year, template, status, reason, kind):
    return {
        "report_id": report_id, "content_sha256": report_id * 4, "source_path": path,
        "file_format": fmt, "encoding": "utf-8" if fmt in ("text", "html") else None,
        "title": f"{agency or ''}{year}年政府信息公开工作年度报告", "agency_name": agency,
        "province": province, "city": city, "county": county, "admin_level": level,
        "report_year": year, "published_on": f"{year + 1}-01-20" if year else None,
        "index_number": f"IDX/{year}-001" if year else None, "template": template,
        "original_script": "simplified", "parse_status": status, "rejection_reason": reason,
        "document_kind": kind, "parser_version": "test",
    }


REPORTS = [
    # 2020's report printed a shorter form of A's name: same body, same agency_id
    _report(R2020, "a/2020.html", "html", AGENCY_A, "浙江省", "宁波市", None, "city", 2020, "2019", "complete",
            printed=AGENCY_A_2020),
    _report(R2021, "a/2021.pdf", "pdf", AGENCY_A, "浙江省", "宁波市", None, "city", 2021, "2021", "complete"),
    _report(R2021B, "a/2021-repost.txt", "text", AGENCY_A, "浙江省", "宁波市", None, "city", 2021, "2021",
            "partial", "table 三 missing"),
    _report(RNARR, "b/narrative.txt", "text", AGENCY_B, "浙江省", "杭州市", "西湖区", "county", 2021, "2021",
            "narrative_only", "tables missing"),
    _report(RREJ, "c/summary.docx", "docx", None, None, None, None, None, None, "unknown", "rejected",
            "not an annual report: 政务公开工作总结", kind="work_summary"),
]

SOURCE_FILES = [
    ("a/2020.html", R2020, R2020 * 4, 1000, "parsed", None),
    ("b/copy-of-2020.html", R2020, R2020 * 4, 1000, "duplicate", "same bytes as a/2020.html"),
    ("a/2021.pdf", R2021, R2021 * 4, 2000, "parsed", None),
    ("a/2021-repost.txt", R2021B, R2021B * 4, 300, "parsed", None),
    ("b/narrative.txt", RNARR, RNARR * 4, 500, "parsed", None),
    ("c/summary.docx", RREJ, RREJ * 4, 700, "rejected", "not an annual report"),
    ("c/broken.pdf", None, None, 10, "rejected", "could not be read: truncated PDF"),
]


def _t3(report, row, values: dict, source="table"):
    """values: col_id -> number (None = blank printed total, 0 with blank=True via 'blank')."""
    out = []
    for col, v in values.items():
        if v == "blank":
            out.append((report, "t3", row, col, 0.0, True, None, "件", source))
        else:
            out.append((report, "t3", row, col, None if v is None else float(v), v is None, None, "件", source))
    return out


def _t4(report, proceeding, upheld, corrected, other, pending, total, other_text=None):
    rows = []
    for col, v in (("upheld", upheld), ("corrected", corrected), ("other", other), ("pending", pending),
                   ("total", total)):
        text = other_text if col == "other" else None
        rows.append((report, "t4", proceeding, col, None if v is None else float(v), v is None, text, "件",
                     "table"))
    return rows


CELLS = (
    # R2020: balance holds per column: np 10+1 = 9+2, ce 2+0 = 2+0, total 12+1 = 11+2
    _t3(R2020, "new_received", {NP: 10, CE: 2, "total": 12})
    + _t3(R2020, "carried_over_from_previous_year", {NP: 1, CE: 0, "total": 1})
    + _t3(R2020, "granted", {NP: 5, CE: 1, "total": 6})
    + _t3(R2020, "partially_granted", {NP: 2, CE: 0, "total": 2})
    + _t3(R2020, "denied_state_secret", {NP: 1, CE: 0, "total": 1})
    + _t3(R2020, "unable_to_provide_not_held", {NP: 1, CE: 1, "total": 2})
    + _t3(R2020, "other_processing", {NP: "blank", CE: "blank", "total": None})
    + _t3(R2020, "total_processed", {NP: 9, CE: 2, "total": 11})
    + _t3(R2020, "carried_forward_to_next_year", {NP: 2, CE: 0, "total": 2})
    + _t4(R2020, "administrative_review", 2, 1, 0, 1, 4)
    + _t4(R2020, "lawsuit_without_review", 1, 0, 0, 0, 1)
    + _t4(R2020, "lawsuit_after_review", 0, 0, 0, 0, None)
    + [
        (R2020, "t2", "regulations", "newly_made_count", 3.0, False, None, "件", "table"),
        (R2020, "t2", "fees", "prior_year_item_count", 5.0, False, None, "项", "table"),
        (R2020, "t2", "procurement", "procurement_total_amount", 2131.212, False, "2131.212万元", "万元", "table"),
    ]
    # R2021: carried over np 2 (= 2020 forward np 2), ce 1 (≠ 0), total 3 (≠ 2)
    + _t3(R2021, "new_received", {NP: 20, CE: 3, "total": 23})
    + _t3(R2021, "carried_over_from_previous_year", {NP: 2, CE: 1, "total": 3})
    + _t3(R2021, "granted", {NP: 12, CE: 2, "total": 14})
    + _t3(R2021, "not_processed_duplicate", {NP: 2, CE: 0, "total": 2})
    + _t3(R2021, "other_fee_unpaid_overdue", {NP: 1, CE: 0, "total": 1})
    + _t3(R2021, "total_processed", {NP: 15, CE: 2, "total": 17})
    + _t3(R2021, "carried_forward_to_next_year", {NP: 6, CE: 2, "total": 8})
    + _t4(R2021, "administrative_review", 0, 2, 1, 0, 3, other_text="1准予撤诉")
    # prose restating table 三: must not reach the facts (the table wins)
    + _t3(R2021, "new_received", {"unspecified": 23}, source="narrative")
    + _t3(R2021, "total_processed", {"unspecified": 17}, source="narrative")
    + _t3(R2021, "granted", {"unspecified": 14}, source="narrative")
    # R2021B: a second 2021 report of agency A, prose only
    + _t3(R2021B, "new_received", {"unspecified": 99}, source="narrative")
    # RNARR: narrative-only report
    + _t3(RNARR, "new_received", {"unspecified": 50}, source="narrative")
    + _t3(RNARR, "total_processed", {"unspecified": 45}, source="narrative")
    + _t3(RNARR, "granted", {"unspecified": 30}, source="narrative")
    + _t3(RNARR, "partially_granted", {"unspecified": 5}, source="narrative")
    + _t3(RNARR, "denied_unspecified", {"unspecified": 10}, source="narrative")
)


def _rule(report, rule, scope, left, right, passed, note=None):
    diff = None if left is None or right is None else left - right
    return (report, rule, scope, left, right, diff, passed, note)


RULE_RESULTS = [
    _rule(R2020, "t3_column_balance", NP, 11, 11, True),
    _rule(R2020, "t3_column_balance", CE, 2, 2, True),
    _rule(R2020, "t3_column_balance", "total", 13, 13, True),
    _rule(R2020, "t4_group_total", "administrative_review", 4, 4, True),
    _rule(R2020, "t4_group_total", "lawsuit_after_review", None, 0, None, "printed total blank"),
    _rule(R2021, "t3_column_balance", NP, 22, 21, False),
    _rule(R2021, "t3_column_balance", CE, 4, 4, True),
    _rule(R2021, "t3_column_balance", "total", 26, 25, False),
    _rule(R2021, "t3_outcome_sum", "total", 17, 17, True),
    _rule(R2021, "narrative_table_consistency", "total_processed", 17, 17, True),
]

PARSE_NOTES = [
    (R2020, 1, "info", "blank_printed_total", "（六）其他处理 总计 printed blank: not evaluated"),
    (R2021, 1, "warning", "cell_text", "1准予撤诉: number 1 recorded, text kept"),
    (None, 1, "error", "unreadable", "c/broken.pdf could not be read"),
]


def _build_raw(db: Path) -> None:
    write_raw(db, {
        "reports": [tuple(r.get(c) for c in column_names("reports")) for r in REPORTS],
        "source_files": SOURCE_FILES,
        "report_cells": CELLS,
        "rule_results": RULE_RESULTS,
        "parse_notes": PARSE_NOTES,
    })


# --------------------------------------------------------------------------- the build

@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt")
    db = tmp / "nianbao.duckdb"
    _build_raw(db)
    stdout = dbt_build(db, tmp / "target", tmp / "logs", timeout=300)
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield {"con": con, "stdout": stdout, "target": tmp / "target"}
    finally:
        con.close()


rows = dict_rows


def one(con, sql, *params):
    result = con.execute(sql, list(params)).fetchall()
    assert len(result) == 1, result
    return result[0][0] if len(result[0]) == 1 else result[0]


# --------------------------------------------------------------------------- the interface

def test_contract_tables_and_columns_exist(warehouse):
    con = warehouse["con"]
    actual: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    ).fetchall():
        actual.setdefault(table, set()).add(column)
    for table, columns in CONTRACT_COLUMNS.items():
        assert table in actual, f"marts.{table} missing"
        missing = set(columns) - actual[table]
        assert not missing, f"marts.{table} lacks {sorted(missing)}"


def test_contract_document_tables_exist(warehouse):
    """Cross-check against the contract document itself, when it is present."""
    if not CONTRACT.exists():
        pytest.skip("shared contract document not available")
    text = CONTRACT.read_text("utf-8")
    named = set(re.findall(r"`marts\.([a-z_]+)`", text))
    assert {"dim_report", "fct_reconciliation", "mart_agency_year"} <= named
    tables = {t for (t,) in warehouse["con"].execute(
        "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    assert named <= tables, named - tables
    # The dimension table of the contract: | `marts.x` | grain | `col` (…), `col`… |
    for line in text.splitlines():
        m = re.match(r"\|\s*`marts\.(dim_[a-z_]+)`\s*\|[^|]*\|(.*)\|\s*$", line)
        if not m:
            continue
        cols = re.findall(r"`([a-z_0-9]+)`", re.sub(r"\([^)]*\)", "", m.group(2)))
        have = {c for (c,) in warehouse["con"].execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [m.group(1)]).fetchall()}
        assert set(cols) <= have, (m.group(1), set(cols) - have)


def test_every_mart_column_is_documented(warehouse):
    manifest = json.loads((warehouse["target"] / "manifest.json").read_text("utf-8"))
    documented = {
        n["name"]: {c for c, v in n["columns"].items() if v.get("description")}
        for n in manifest["nodes"].values() if n["resource_type"] == "model"
    }
    descriptions = {n["name"]: n.get("description") for n in manifest["nodes"].values()
                    if n["resource_type"] == "model"}
    con = warehouse["con"]
    for schema in ("marts", "intermediate", "staging"):
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = ?", [schema]
        ).fetchall():
            assert descriptions.get(table), f"{table} has no description"
            assert column in documented.get(table, set()), f"{schema}.{table}.{column} undocumented"
    for name, desc in descriptions.items():
        assert "One row per" in desc or "one row per" in desc, f"{name}: grain not stated"


def test_counts_are_bigint(warehouse):
    con = warehouse["con"]
    for table in ("fct_applications", "fct_application_outcomes", "fct_litigation"):
        assert one(con, "select data_type from information_schema.columns where table_schema = 'marts' "
                        "and table_name = ? and column_name = 'count'", table) == "BIGINT"
    for column in ("requests_received", "requests_processed", "reviews_total", "n_reports"):
        assert one(con, "select data_type from information_schema.columns where table_schema = 'marts' "
                        "and table_name = 'mart_agency_year' and column_name = ?", column) == "BIGINT"


# --------------------------------------------------------------------------- dimensions

def test_dim_source_file_lists_every_file(warehouse):
    con = warehouse["con"]
    assert one(con, "select count(*) from marts.dim_source_file") == len(SOURCE_FILES)
    dup = rows(con, "select * from marts.dim_source_file where source_path = 'b/copy-of-2020.html'")[0]
    assert dup["file_status"] == "duplicate" and dup["report_id"] == R2020 and dup["is_first_path"] is False
    broken = rows(con, "select * from marts.dim_source_file where source_path = 'c/broken.pdf'")[0]
    assert broken["report_id"] is None and broken["file_status"] == "rejected"


def test_dim_report(warehouse):
    con = warehouse["con"]
    reports = {r["report_id"]: r for r in rows(con, "select * from marts.dim_report")}
    assert set(reports) == {R2020, R2021, R2021B, RNARR, RREJ}
    assert reports[R2020]["agency_id"] == agency_id(AGENCY_A) == reports[R2021]["agency_id"]
    assert (reports[R2020]["agency_name"], reports[R2020]["agency_qualified_name"]) == (AGENCY_A_2020, AGENCY_A)
    assert reports[R2020]["n_source_files"] == 2
    assert reports[R2020]["is_reconciled"] is True
    assert reports[R2021]["is_reconciled"] is False          # t3_column_balance failed
    assert reports[R2021]["n_rules_failed"] == 2
    assert reports[R2021]["n_warnings_failed"] == 2          # cross-year: ce and total
    assert reports[RNARR]["is_reconciled"] is None           # nothing to check
    assert reports[RREJ]["is_reconciled"] is None
    assert reports[RREJ]["parse_status"] == "rejected" and reports[RREJ]["agency_id"] is None
    assert reports[RREJ]["document_kind"] == "work_summary"
    assert reports[R2021]["file_format"] == "pdf"


def test_dim_agency(warehouse):
    con = warehouse["con"]
    agencies = {r["agency_id"]: r for r in rows(con, "select * from marts.dim_agency")}
    assert set(agencies) == {agency_id(AGENCY_A), agency_id(AGENCY_B)}
    a = agencies[agency_id(AGENCY_A)]
    # the name printed in the latest report, and the qualified name its id comes from
    assert (a["agency_name"], a["province"], a["city"], a["admin_level"]) == (AGENCY_A, "浙江省", "宁波市", "city")
    assert a["agency_qualified_name"] == AGENCY_A
    assert agencies[agency_id(AGENCY_B)]["county"] == "西湖区"


def test_vocabulary_dimensions(warehouse):
    con = warehouse["con"]
    vocab = dimension_tables()
    assert one(con, "select count(*) from marts.dim_outcome") == len(vocab["vocab_outcomes"])
    assert one(con, "select count(*) from marts.dim_applicant_type") == len(vocab["vocab_applicant_types"])
    assert one(con, "select count(*) from marts.dim_proceeding_result") == len(vocab["vocab_proceeding_results"])
    assert one(con, "select outcome_category from marts.dim_outcome where outcome = 'other_fee_unpaid_overdue'") \
        == "other"


# --------------------------------------------------------------------------- facts

def test_facts_hold_leaf_cells_only(warehouse):
    con = warehouse["con"]
    for table in ("fct_applications", "fct_application_outcomes"):
        assert one(con, f"select count(*) from marts.{table} where applicant_type = 'total'") == 0
    assert one(con, "select count(*) from marts.fct_application_outcomes where outcome = 'total_processed'") == 0
    assert one(con, "select count(*) from marts.fct_litigation where result = 'total'") == 0
    # R2020: 3 flows × 2 columns; 5 outcome rows × 2 columns; 3 proceedings × 4 results
    assert one(con, "select count(*) from marts.fct_applications where report_id = ?", R2020) == 6
    assert one(con, "select count(*) from marts.fct_application_outcomes where report_id = ?", R2020) == 10
    assert one(con, "select count(*) from marts.fct_litigation where report_id = ?", R2020) == 12
    assert one(con, "select sum(count) from marts.fct_applications where report_id = ? and flow = 'new_received'",
               R2020) == 12
    blank = rows(con, "select * from marts.fct_application_outcomes where report_id = ? and outcome = "
                      "'other_processing' and applicant_type = ?", R2020, NP)[0]
    assert blank["count"] == 0 and blank["is_blank"] is True and blank["source"] == "table"


def test_fact_rows_carry_report_agency_year_source(warehouse):
    con = warehouse["con"]
    for table in ("fct_applications", "fct_application_outcomes", "fct_litigation", "fct_proactive_disclosure"):
        r = rows(con, f"select * from marts.{table} where report_id = ? limit 1", R2020)[0]
        assert (r["agency_id"], r["report_year"], r["source"]) == (agency_id(AGENCY_A), 2020, "table")


def test_prose_does_not_double_count_a_table(warehouse):
    con = warehouse["con"]
    assert one(con, "select count(*) from marts.fct_applications where report_id = ? and source = 'narrative'",
               R2021) == 0
    assert one(con, "select sum(count) from marts.fct_applications where report_id = ? and flow = 'new_received'",
               R2021) == 23
    assert one(con, "select sum(count) from marts.fct_application_outcomes where report_id = ? "
                    "and outcome = 'granted'", R2021) == 14


def test_narrative_only_report(warehouse):
    con = warehouse["con"]
    apps = rows(con, "select * from marts.fct_applications where report_id = ?", RNARR)
    assert [(a["applicant_type"], a["flow"], a["count"], a["source"]) for a in apps] == [
        ("unspecified", "new_received", 50, "narrative")]
    outcomes = dict(con.execute("select outcome, count from marts.fct_application_outcomes where report_id = ?",
                                [RNARR]).fetchall())
    assert outcomes == {"granted": 30, "partially_granted": 5, "denied_unspecified": 10}


def test_rejected_report_has_no_facts(warehouse):
    con = warehouse["con"]
    for table in ("fct_applications", "fct_application_outcomes", "fct_litigation", "fct_proactive_disclosure",
                  "fct_reconciliation"):
        assert one(con, f"select count(*) from marts.{table} where report_id = ?", RREJ) == 0


def test_litigation_and_disclosure_values(warehouse):
    con = warehouse["con"]
    other = rows(con, "select * from marts.fct_litigation where report_id = ? and proceeding = "
                      "'administrative_review' and result = 'other'", R2021)[0]
    assert other["count"] == 1 and other["printed_text"] == "1准予撤诉"
    amount = rows(con, "select * from marts.fct_proactive_disclosure where report_id = ? and item = 'procurement'",
                  R2020)[0]
    assert amount["value"] == pytest.approx(2131.212) and amount["unit"] == "万元"
    assert amount["value_cny"] == pytest.approx(21312120)
    assert amount["printed_text"] == "2131.212万元"


# --------------------------------------------------------------------------- reconciliation

def test_per_report_rules_are_carried(warehouse):
    con = warehouse["con"]
    failed = rows(con, "select * from marts.fct_reconciliation where report_id = ? and rule = 't3_column_balance' "
                       "and passed = false order by scope_id", R2021)
    assert [(f["scope_id"], f["difference"], f["severity"]) for f in failed] == [
        (NP, 1.0, "error"), ("total", 1.0, "error")]
    blank = rows(con, "select * from marts.fct_reconciliation where report_id = ? and scope_id = "
                      "'lawsuit_after_review'", R2020)[0]
    assert blank["passed"] is None and blank["note"] == "printed total blank"
    assert one(con, "select severity from marts.fct_reconciliation where rule = 'narrative_table_consistency'") \
        == "warn"


def test_cross_year_carryover(warehouse):
    con = warehouse["con"]
    cross = {r["scope_id"]: r for r in rows(
        con, "select * from marts.fct_reconciliation where rule = 't3_cross_year_carryover'")}
    assert set(cross) == {NP, CE, "total"}                    # R2021B has no carry-over cells
    assert cross[NP]["passed"] is True
    assert cross[CE]["passed"] is False and cross[CE]["difference"] == 1.0
    assert cross["total"]["passed"] is False
    t = cross["total"]
    assert (t["left_value"], t["right_value"]) == (3.0, 2.0)
    assert (t["report_id"], t["report_year"], t["related_report_id"], t["related_report_year"]) == (
        R2021, 2021, R2020, 2020)
    assert t["agency_id"] == agency_id(AGENCY_A) and t["severity"] == "warn"
    assert AGENCY_A in t["note"] and "2021" in t["note"] and "2020" in t["note"]


def test_data_findings_fail_no_dbt_test(warehouse):
    """Failing rules are data findings, checked in one place: Great Expectations
    (nianbao/checks). The build with failing rows has no failing or warning dbt test."""
    con, out = warehouse["con"], warehouse["stdout"]
    assert one(con, "select count(*) from marts.fct_reconciliation where passed = false") > 0
    assert not re.search(r"^.*\b(FAIL|WARN) \d+ ", out, re.M), out[-3000:]


# --------------------------------------------------------------------------- analyst mart

def test_mart_agency_year(warehouse):
    con = warehouse["con"]
    mart = {(r["agency_id"], r["report_year"]): r for r in rows(con, "select * from marts.mart_agency_year")}
    assert set(mart) == {(agency_id(AGENCY_A), 2020), (agency_id(AGENCY_A), 2021), (agency_id(AGENCY_B), 2021)}

    a20 = mart[(agency_id(AGENCY_A), 2020)]
    assert (a20["requests_received"], a20["requests_carried_over"], a20["requests_carried_forward"]) == (12, 1, 2)
    assert a20["requests_processed"] == 11
    assert (a20["requests_granted"], a20["requests_partially_granted"], a20["requests_denied"],
            a20["requests_unable_to_provide"], a20["requests_not_processed"], a20["requests_other_outcome"]) == (
        6, 2, 1, 2, None, 0)
    assert a20["share_granted_full_or_partial"] == pytest.approx(8 / 11)
    assert (a20["reviews_total"], a20["reviews_corrected"], a20["reviews_concluded"]) == (4, 1, 3)
    assert a20["share_reviews_corrected"] == pytest.approx(1 / 3)
    assert (a20["lawsuits_total"], a20["lawsuits_corrected"]) == (1, 0)
    assert a20["share_lawsuits_corrected"] == 0
    assert a20["figures_source"] == "table" and a20["n_reports"] == 1 and a20["is_reconciled"] is True
    assert a20["agency_name"] == AGENCY_A

    a21 = mart[(agency_id(AGENCY_A), 2021)]
    assert a21["n_reports"] == 2 and a21["primary_report_id"] == R2021   # complete beats partial
    assert a21["requests_received"] == 23                                 # not 23 + 99
    assert a21["is_reconciled"] is False and a21["figures_source"] == "table"

    b21 = mart[(agency_id(AGENCY_B), 2021)]
    assert b21["figures_source"] == "narrative"
    assert (b21["requests_received"], b21["requests_processed"], b21["requests_granted"]) == (50, 45, 30)
    assert b21["reviews_total"] is None and b21["share_reviews_corrected"] is None
