"""Nothing read is lost (issue 15 item 8): the seed reports and generated reports (tables in
several layouts, tables lost so that prose gives the figures, pre-2019 prose with the traps of
format-spec §3.4) through `nianbao run`; every cell the parser recorded reaches exactly one fact
row with its value, report by report (tests/cells_reached.py), a total stated only in prose
reaches mart_agency_year, and the pre-2019 reports' figures reach it as their prose states them."""
from __future__ import annotations

import random
import shutil

import duckdb
import pytest

from orchestration.cli import main
from tests.cells_reached import unreached_cells
from tests.conftest import SHARED
from tests.generator import random_case
from tests.legacy_reports import random_legacy_case

SEED_001 = "001_e2088ef8146a25db.txt"
SEED_004 = "004_062ddeea1ee84d73.txt"  # 處理依申請公開9件: only a processed total, in prose
LEGACY = "某某县人民政府\n某某县2015年政府信息公开工作年度报告\n一、概述\n本年度共受理政府信息公开申请12件，" \
         "其中同意公开8件，同意部分公开2件，不予公开2件。共答复12件。收取费用0元。\n" \
         "二、行政复议、行政诉讼情况\n本年度发生政府信息公开行政复议1件，行政诉讼0件。\n"


LEGACY_EXPECTED: dict[str, dict] = {}  # generated pre-2019 report -> what the marts must say


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    seeds = SHARED / "seeds"
    assert seeds.is_dir(), f"{seeds} not found: the shared folder must sit beside the project"
    for p in sorted(seeds.glob("*.txt")):
        shutil.copyfile(p, raw / p.name)
    rng = random.Random(15)
    for i in range(6):  # tables in any layout, and tables lost (figures from prose)
        for perturbations in (None, ("missing_tables",)):
            name, data = random_case(rng, ("txt", "html"), perturbations=perturbations,
                                     max_perturbations=1 if perturbations else 3).render()
            (raw / f"gen{i:02d}-{len(perturbations or ())}-{name}").write_bytes(data)
    (raw / "legacy-2015.txt").write_text(LEGACY, "utf-8")
    legacy_rng = random.Random(1915)
    for i in range(24):  # pre-2019 prose, every family, traps in any combination
        case = random_legacy_case(legacy_rng)
        (raw / f"legacy-gen-{i:02d}.txt").write_text(case.render(), "utf-8")
        LEGACY_EXPECTED[f"legacy-gen-{i:02d}.txt"] = case.expected()
    text = (seeds / SEED_001).read_text("utf-8")  # table 四 lost, its totals stated in prose
    start, end = text.index("四、政府信息公开行政复议、行政诉讼情况"), text.index("五、存在的主要问题及改进情况")
    (raw / "001-table4-in-prose.txt").write_text(
        text[:start] + "四、政府信息公开行政复议、行政诉讼情况\n本年度发生政府信息公开行政复议25件,行政诉讼16件。\n"
        + text[end:], "utf-8")
    db = tmp_path_factory.mktemp("data") / "nianbao.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
    try:
        assert main(["run", "--raw-dir", str(raw), "--db", str(db)]) == 0
    finally:
        mp.undo()
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def test_every_recorded_cell_reaches_one_fact(warehouse):
    kinds = dict(warehouse.execute("""
        select source || ':' || table_id, count(*) from raw.report_cells group by all""").fetchall())
    # the corpus exercises what it must: table cells of 二/三/四, prose figures, legacy measures
    assert {"table:t2", "table:t3", "table:t4", "narrative:t3", "narrative:t4"} <= kinds.keys(), kinds
    assert warehouse.execute("select count(*) from raw.legacy_measures").fetchone()[0] > 0
    assert unreached_cells(warehouse) == {}


def test_a_total_stated_only_in_prose_reaches_mart_agency_year(warehouse):
    row = warehouse.execute("""
        select m.requests_processed, m.requests_processed_printed, t.source
        from marts.mart_agency_year m
        join marts.dim_report r on r.report_id = m.primary_report_id
        join marts.fct_table_totals t on t.report_id = r.report_id and t.row_id = 'total_processed'
        where r.source_path = ?""", [SEED_004]).fetchall()
    assert row == [(None, 9, "narrative")]


def test_printed_processed_total_is_the_printed_cell(warehouse):
    # every report whose table 三 printed its （七）总计: the mart column is that cell, whatever
    # the outcome rows add up to
    pairs = warehouse.execute("""
        select m.requests_processed_printed, t.count
        from marts.mart_agency_year m
        join marts.fct_table_totals t
          on t.report_id = m.primary_report_id and t.table_id = 't3'
         and t.row_id = 'total_processed' and t.col_id = 'total'
        where t.count is not null""").fetchall()
    assert pairs and all(a == b for a, b in pairs)


def test_pre_2019_prose_figures_reach_the_marts_as_stated(warehouse):
    """Every value of tests/legacy_reports.py's expected(): the figure the prose states, and no
    value where it states none (a combined 予以公开及部分公开 is neither category; a cumulative or
    last year's count is not this year's; 未发生…被纠错 is no zero)."""
    from tests.legacy_reports import EXPECTED_FIELDS

    cols = ", ".join(f"m.{f}" for f in EXPECTED_FIELDS[2:])
    got = {row[0]: dict(zip(EXPECTED_FIELDS, row[1:])) for row in warehouse.execute(f"""
        select r.source_path, a.agency_name, r.report_year, {cols}
        from marts.dim_report r
        join marts.dim_agency a using (agency_id)
        join marts.mart_agency_year m on m.primary_report_id = r.report_id
        where r.source_path like 'legacy-gen-%'""").fetchall()}
    assert set(got) == set(LEGACY_EXPECTED)
    wrong = {(name, f): (got[name][f], want) for name, exp in LEGACY_EXPECTED.items() for f, want in exp.items()
             if got[name][f] != want}
    assert wrong == {}
