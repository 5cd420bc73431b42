"""Issue 4 at the dbt level: legacy measures, stated figures, cross-report rules, agency identity,
document kinds and duplicates, on a small raw warehouse built by the parser itself.

Every report below is a file parsed by nianbao.parse.pipeline (generated with tests/generator or written
here in real pre-2019 style) and loaded into the raw tables exactly as the pipeline's
batch.result_rows writes them; then `dbt build` runs once (no Dagster, no GE, no file scan).

  agency A 湖州市南浔区人民政府 (consistent series)
    2008  pre-2019 prose, title names only 南浔区人民政府 (identity must still be A)
    2018  pre-2019, family C statistics table
    2019  2019 template, generated
    2020  2019 template, generated; carried-over = 2019's carried-forward; 上一年项目数量 rolled
          forward; also as an HTML page (different bytes: a duplicate)
    2022  上半年 statistics (not an annual report)
  agency B 杭州市西湖区教育局 (broken series): 2019 → 2020, natural_person carried-over off by 3,
          licences 上一年项目数量 off by 5
  agency C 宁波市交通运输局: 2021 → 2022 (2021 template), 现行有效件数 rolled forward for 规章,
          off by 2 for 行政规范性文件
  agency D 衢州市柯城区人民政府: 2021, table 四 lost, litigation stated in prose
  agency E 宿州市人民政府: 2016 aggregate report (综合各县、区…)
"""
from __future__ import annotations

import dataclasses
import hashlib
import random
import re
from pathlib import Path

import duckdb
import pytest

from nianbao.parse.pipeline import parse_bytes
from nianbao.run.raw_rows import RawRows, result_rows
from nianbao.vocabulary.dimensions import dimension_tables
from tests.generator import random_spec, render
from tests.generator.spec import prose_figures, t2_number, t3_cols
from tests.integration.dbt_helpers import dbt_build, dict_rows, write_raw

A, B, C, D, E = "湖州市南浔区人民政府", "杭州市西湖区教育局", "宁波市交通运输局", "衢州市柯城区人民政府", "宿州市人民政府"
APPLICANTS = t3_cols()[:-1]
FLOWS = ("new_received", "carried_over_from_previous_year", "carried_forward_to_next_year")


def agency_id(name: str) -> str:
    return hashlib.md5(name.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- generated series

def _spec(seed: int, template: str, agency: str, year: int):
    spec = random_spec(random.Random(seed), template, consistent=True, show_metadata=True)
    return dataclasses.replace(spec, agency=agency, short_agency=None, report_year=year,
                               published_on=f"{year + 1}-02-15", index_number=f"NB{seed:04d}/{year + 1}-00001")


def _refresh_totals(spec) -> None:
    for row in FLOWS:
        spec.t3[(row, "total")] = sum(spec.t3[(row, c)] for c in APPLICANTS)
    spec.prose = prose_figures(spec.t3, spec.template)


def _carry_over(prev, cur, shift: dict[str, int] | None = None) -> None:
    """cur's 二、上年结转 := prev's 四、结转下年度 (+ shift), keeping cur's column balance
    (一 + 二 = （七） + 四) by moving 四 (or 一 when 四 would go negative)."""
    for col in APPLICANTS:
        carried = prev.t3[("carried_forward_to_next_year", col)] + (shift or {}).get(col, 0)
        delta = carried - cur.t3[("carried_over_from_previous_year", col)]
        cur.t3[("carried_over_from_previous_year", col)] = carried
        forward = cur.t3[("carried_forward_to_next_year", col)] + delta
        if forward < 0:
            cur.t3[("new_received", col)] += -forward
            forward = 0
        cur.t3[("carried_forward_to_next_year", col)] = forward
    _refresh_totals(cur)


def _items_roll_forward(prev, cur, off: dict[str, int] | None = None) -> None:
    for item in ("licences", "other_external_services", "penalties", "enforcement", "fees"):
        rolled = t2_number(prev.t2[(item, "prior_year_item_count")]) + t2_number(prev.t2[(item, "item_count_change")])
        cur.t2[(item, "prior_year_item_count")] = int(rolled) + (off or {}).get(item, 0)


def _in_force_roll_forward(prev, cur, off: dict[str, int] | None = None) -> None:
    for item in ("regulations", "normative_documents"):
        rolled = (t2_number(prev.t2[(item, "in_force_count")]) + t2_number(cur.t2[(item, "issued_count")])
                  - t2_number(cur.t2[(item, "repealed_count")]))
        cur.t2[(item, "in_force_count")] = int(rolled) + (off or {}).get(item, 0)


def _render(spec, fmt: str = "txt") -> bytes:
    return render(spec, layout="pipe" if fmt == "txt" else "grid", fmt=fmt, rng=random.Random(spec.seed))[1]


# --------------------------------------------------------------------------- hand-written reports

A_2008 = """南浔区人民政府2008年政府信息公开工作年度报告
一、概述
本年报由概述,主动公开政府信息情况,依申请公开政府信息和不予公开政府信息情况,收费和减免情况,因政府信息公开申请行政复议、提起行政诉讼的情况,存在的主要问题和改进措施组成。
二、主动公开政府信息的情况
2008年度共新增主动公开政府信息312条。
三、依申请公开政府信息和不予公开政府信息的情况
本单位2008年没有收到政府信息公开申请。
四、政府信息公开的收费及减免情况
无。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
没有发生因政府信息公开提起行政复议或行政诉讼的情况。
"""

A_2018 = """湖州市南浔区人民政府2018年政务信息公开年度报告
一、基本工作情况
三、回应解读情况
六、机构建设和保障经费情况
附件:政府信息公开情况统计表
统计指标 | 单位 | 统计数
(一)收到申请数 | 件 | 10
1.当面申请数 | 件 | 1
2.网络申请数 | 件 | 9
(二)申请办结数 | 件 | 9
1.同意公开答复数 | 件 | 4
2.同意部分公开答复数 | 件 | 1
3.不同意公开答复数 | 件 | 1
4.不属于本行政机关公开数 | 件 | 2
5.申请信息不存在数 | 件 | 1
四、行政复议数量 | 件 | 2
维持具体行政行为数 | 件 | 1
被依法纠错数 | 件 | 1
五、行政诉讼数量 | 件 | 1
七、依申请公开信息收取的费用 | 元 | 0
"""

A_2022_HALF = """发布机构: 湖州市南浔区人民政府
2022年上半年政府信息公开数据统计
2022年上半年,共收到政府信息公开申请20件。
"""

E_2016 = """宿州市2016年政府信息公开工作年度报告
本报告是根据《中华人民共和国政府信息公开条例》要求,综合各县、区人民政府和市政府各部门政府信息公开年度报告编制而成。
三、依申请公开政府信息情况
2016年,全市共受理政府信息公开申请1360件。
"""


def _without_table_4(text: str, sentence: str) -> str:
    """Drop table 四 (its rows up to heading 五) and put a litigation sentence in its place."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if re.match(r"^\s*四\s*、", ln))
    end = next(i for i, ln in enumerate(lines) if i > start and re.match(r"^\s*五\s*、", ln))
    return "\n".join(lines[:start + 1] + [sentence] + lines[end:])


# --------------------------------------------------------------------------- the raw warehouse

def _files() -> dict[str, bytes]:
    a19, a20 = _spec(101, "2019", A, 2019), _spec(102, "2019", A, 2020)
    _carry_over(a19, a20)
    _items_roll_forward(a19, a20)
    b19, b20 = _spec(201, "2019", B, 2019), _spec(202, "2019", B, 2020)
    _carry_over(b19, b20, shift={"natural_person": 3})
    _items_roll_forward(b19, b20, off={"licences": 5})
    c21, c22 = _spec(301, "2021", C, 2021), _spec(302, "2021", C, 2022)
    _in_force_roll_forward(c21, c22, off={"normative_documents": 2})
    d21 = _spec(401, "2021", D, 2021)
    d_text = _without_table_4(_render(d21).decode("utf-8"), "本年度发生政府信息公开行政复议3件,行政诉讼2件。")
    return {
        "a/2008.txt": A_2008.encode(), "a/2018.txt": A_2018.encode(),
        "a/2019.txt": _render(a19), "a/2020.txt": _render(a20), "a/2020.html": _render(a20, "html"),
        "a/2022-half-year.txt": A_2022_HALF.encode(),
        "b/2019.txt": _render(b19), "b/2020.txt": _render(b20),
        "c/2021.txt": _render(c21), "c/2022.txt": _render(c22),
        "d/2021.txt": d_text.encode(), "e/2016.txt": E_2016.encode(),
    }, {"a19": a19, "a20": a20, "b19": b19, "b20": b20, "c21": c21, "c22": c22}


def _build_raw(db: Path, files: dict[str, bytes]) -> dict[str, object]:
    rows = RawRows()
    results = {}
    for path, data in files.items():
        result = parse_bytes(data, path)
        results[path] = result
        rows.extend(result_rows(result, path))
    source_files = [(path, results[path].report_id, results[path].content_sha256, len(data), "parsed", None)
                    for path, data in files.items()]
    write_raw(db, {"source_files": source_files,
                   **{t: getattr(rows, t) for t in ("reports", "report_cells", "parse_notes", "rule_results",
                                                    "legacy_measures")}})
    return results


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_legacy")
    db = tmp / "nianbao.duckdb"
    files, specs = _files()
    results = _build_raw(db, files)
    stdout = dbt_build(db, tmp / "target", tmp / "logs", timeout=300)
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield {"con": con, "results": results, "specs": specs, "stdout": stdout}
    finally:
        con.close()


q = dict_rows


def rid(warehouse, path: str) -> str:
    return warehouse["results"][path].report_id


# --------------------------------------------------------------------------- the inputs parsed

def test_fixture_reports_parse_as_intended(warehouse):
    res = warehouse["results"]
    for path in ("a/2019.txt", "a/2020.txt", "a/2020.html", "b/2019.txt", "b/2020.txt", "c/2021.txt", "c/2022.txt"):
        assert res[path].parse_status == "complete", (path, res[path].rejection_reason)
    assert res["d/2021.txt"].parse_status == "partial"            # table 四 lost
    assert {r.template for p, r in res.items() if p in ("a/2008.txt", "a/2018.txt", "e/2016.txt")} == {"pre2019"}


# --------------------------------------------------------------------------- cross-year rules

def test_consistent_series_passes_carryover(warehouse):
    con = warehouse["con"]
    got = q(con, "select * from marts.fct_reconciliation where rule = 't3_cross_year_carryover' and agency_id = ?",
            agency_id(A))
    # both 2020 files (txt and its HTML page) against 2019, 6 applicant columns + total each
    assert len(got) == 2 * 7
    assert all(r["passed"] for r in got)
    assert {r["related_report_id"] for r in got} == {rid(warehouse, "a/2019.txt")}
    assert all(r["severity"] == "warn" and r["rule_scope"] == "cross_report" for r in got)


def test_broken_series_fails_carryover_naming_agency_and_years(warehouse):
    con = warehouse["con"]
    got = {r["scope_id"]: r for r in q(
        con, "select * from marts.fct_reconciliation where rule = 't3_cross_year_carryover' and agency_id = ?",
        agency_id(B))}
    failed = {s for s, r in got.items() if r["passed"] is False}
    assert failed == {"natural_person", "total"}
    bad = got["natural_person"]
    assert bad["difference"] == 3 and (bad["report_year"], bad["related_report_year"]) == (2020, 2019)
    assert B in bad["note"] and "2020" in bad["note"] and "2019" in bad["note"]


def test_table_2_item_rollforward(warehouse):
    con = warehouse["con"]
    rows = q(con, "select * from marts.fct_reconciliation where rule = 't2_2019_item_rollforward'")
    by_agency = {}
    for r in rows:
        by_agency.setdefault(r["agency_id"], {})[r["scope_id"]] = r["passed"]
    items = {"licences", "other_external_services", "penalties", "enforcement", "fees"}
    assert set(by_agency[agency_id(A)]) == items and all(by_agency[agency_id(A)].values())
    assert {s for s, ok in by_agency[agency_id(B)].items() if not ok} == {"licences"}
    bad = next(r for r in rows if r["agency_id"] == agency_id(B) and r["scope_id"] == "licences")
    assert bad["difference"] == 5 and (bad["report_year"], bad["related_report_year"]) == (2020, 2019)
    assert B in bad["note"] and bad["severity"] == "warn"
    # 2020 (2019 template) and 2021 (2021 template) are never linked
    assert not [r for r in rows if r["report_year"] > 2020]


def test_table_2_in_force_rollforward(warehouse):
    con = warehouse["con"]
    got = {r["scope_id"]: r for r in q(
        con, "select * from marts.fct_reconciliation where rule = 't2_2021_in_force_rollforward'")}
    assert set(got) == {"regulations", "normative_documents"}
    assert got["regulations"]["passed"] is True
    assert got["normative_documents"]["passed"] is False and got["normative_documents"]["difference"] == 2
    assert (got["regulations"]["report_year"], got["regulations"]["related_report_year"]) == (2022, 2021)
    assert C in got["normative_documents"]["note"]


# --------------------------------------------------------------------------- agency identity

def test_short_title_name_joins_the_agency(warehouse):
    con = warehouse["con"]
    reports = {r["source_path"]: r for r in q(con, "select * from marts.dim_report")}
    assert reports["a/2008.txt"]["agency_id"] == agency_id(A)
    assert reports["a/2008.txt"]["agency_name_printed"] == "南浔区人民政府"
    agency = q(con, "select * from marts.dim_agency where agency_id = ?", agency_id(A))[0]
    assert (agency["agency_name"], agency["province"], agency["city"], agency["county"], agency["admin_level"]) == (
        A, "浙江省", "湖州市", "南浔区", "county")
    assert agency["first_report_year"] == 2008


# --------------------------------------------------------------------------- legacy measures

def test_fct_legacy_measures(warehouse):
    con = warehouse["con"]
    got = {(r["measure"], r["channel"]): r for r in q(
        con, "select * from marts.fct_legacy_measures where report_id = ?", rid(warehouse, "a/2018.txt"))}
    assert got[("legacy_requests_total", None)]["value"] == 10
    assert got[("legacy_requests_online", "online")]["value"] == 9
    assert got[("legacy_review_upheld", None)]["value"] == 1
    r = got[("legacy_requests_total", None)]
    assert (r["agency_id"], r["report_year"], r["source"], r["unit"], r["measure_group"]) == (
        agency_id(A), 2018, "table", "件", "requests")
    assert got[("legacy_fees_collected_cny", None)]["value_cny"] == 0
    zero = {(r["measure"]): r for r in q(con, "select * from marts.fct_legacy_measures where report_id = ?",
                                         rid(warehouse, "a/2008.txt"))}
    assert zero["legacy_requests_total"]["value"] == 0 and zero["legacy_requests_total"]["source"] == "narrative"
    assert zero["legacy_proactive_new"]["value"] == 312


def test_dim_legacy_measure(warehouse):
    con = warehouse["con"]
    dims = {r["measure"]: r for r in q(con, "select * from marts.dim_legacy_measure")}
    assert len(dims) == len(dimension_tables()["vocab_legacy_measures"])
    assert (dims["legacy_requests_total"]["fact_table"], dims["legacy_requests_total"]["fact_row"],
            dims["legacy_requests_total"]["fact_col"]) == ("fct_applications", "new_received", "unspecified")
    assert dims["legacy_denied_commercial_secret"]["suggested_leaf"] == "denied_third_party_rights"
    assert dims["legacy_denied_commercial_secret"]["fact_row"] == "denied_unspecified"
    assert dims["legacy_denied_inclusive_total"]["fact_table"] is None


def test_legacy_measures_reach_the_facts_through_unspecified(warehouse):
    con = warehouse["con"]
    r18 = rid(warehouse, "a/2018.txt")
    apps = q(con, "select * from marts.fct_applications where report_id = ?", r18)
    assert [(a["applicant_type"], a["flow"], a["count"], a["source"]) for a in apps] == [
        ("unspecified", "new_received", 10, "narrative")]
    outcomes = {o["outcome"]: o["count"] for o in q(
        con, "select * from marts.fct_application_outcomes where report_id = ?", r18)}
    assert outcomes == {"granted": 4, "partially_granted": 1, "denied_unspecified": 1,
                        "unable_to_provide_unspecified": 3}
    lit = {(x["proceeding"], x["result"]): x["count"] for x in q(
        con, "select * from marts.fct_litigation where report_id = ?", r18)}
    assert lit == {("administrative_review", "upheld"): 1, ("administrative_review", "corrected"): 1}


def test_litigation_stated_in_prose_when_table_4_is_lost(warehouse):
    con = warehouse["con"]
    lit = q(con, "select * from marts.fct_litigation where report_id = ?", rid(warehouse, "d/2021.txt"))
    assert {(x["proceeding"], x["result"], x["count"], x["source"]) for x in lit} == {
        ("administrative_review", "unspecified", 3, "narrative"), ("lawsuit_unspecified", "unspecified", 2, "narrative")}
    assert q(con, "select count(*) as n from marts.fct_applications where report_id = ? and source = 'table'",
             rid(warehouse, "d/2021.txt"))[0]["n"] > 0


def test_narrative_table_consistency_on_generated_reports(warehouse):
    con = warehouse["con"]
    rows = q(con, "select * from marts.fct_reconciliation where rule = 'narrative_table_consistency' and report_id = ?",
             rid(warehouse, "a/2019.txt"))
    assert rows and all(r["passed"] for r in rows)
    assert all(r["source"] == "narrative" for r in rows)


# --------------------------------------------------------------------------- document kind, duplicates

def test_document_kind_aggregate_and_duplicates(warehouse):
    con = warehouse["con"]
    reports = {r["source_path"]: r for r in q(con, "select * from marts.dim_report")}
    assert reports["a/2022-half-year.txt"]["document_kind"] == "half_year_statistics"
    assert reports["e/2016.txt"]["is_aggregate"] is True
    assert reports["a/2019.txt"]["is_aggregate"] is False
    txt, html = reports["a/2020.txt"], reports["a/2020.html"]
    assert {txt["is_primary"], html["is_primary"]} == {True, False}
    primary, copy = (txt, html) if txt["is_primary"] else (html, txt)
    assert copy["duplicate_of_report_id"] == primary["report_id"] and primary["duplicate_of_report_id"] is None
    assert reports["a/2019.txt"]["is_primary"] is True and reports["a/2019.txt"]["duplicate_of_report_id"] is None
    # deterministic: the same choice as the mart's primary report
    mart = q(con, "select * from marts.mart_agency_year where agency_id = ? and report_year = 2020", agency_id(A))[0]
    assert mart["primary_report_id"] == primary["report_id"] and mart["n_reports"] == 2


# --------------------------------------------------------------------------- the analyst mart

def test_mart_agency_year_covers_2008_onward_with_figures_origin(warehouse):
    con = warehouse["con"]
    mart = {r["report_year"]: r for r in q(con, "select * from marts.mart_agency_year where agency_id = ?", agency_id(A))}
    assert sorted(mart) == [2008, 2018, 2019, 2020]                  # the half-year statistics stay out
    assert (mart[2008]["figures_origin"], mart[2008]["requests_received"], mart[2008]["reviews_total"],
            mart[2008]["lawsuits_total"], mart[2008]["fees_collected_cny"]) == ("legacy", 0, 0, 0, 0)
    m18 = mart[2018]
    assert (m18["figures_origin"], m18["template"], m18["requests_received"], m18["requests_processed"]) == (
        "legacy", "pre2019", 10, 9)
    assert (m18["reviews_total"], m18["reviews_corrected"], m18["lawsuits_total"]) == (2, 1, 1)
    assert m18["share_reviews_corrected"] == pytest.approx(0.5)
    assert mart[2019]["figures_origin"] == "table" and mart[2019]["n_legacy_measures"] == 0
    d = q(con, "select * from marts.mart_agency_year where agency_id = ?", agency_id(D))[0]
    assert d["figures_origin"] == "table+prose"
    assert (d["reviews_total"], d["lawsuits_total"]) == (3, 2)
    assert d["reviews_concluded"] is None and d["share_reviews_corrected"] is None   # results not stated
    e = q(con, "select * from marts.mart_agency_year where agency_id = ?", agency_id(E))[0]
    assert e["is_aggregate"] is True and e["requests_received"] == 1360 and e["figures_origin"] == "legacy"
