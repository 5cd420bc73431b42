"""The five real seed reports parse to exactly what they print (shared/seeds/README.md)."""
import pytest

from nianbao.parse.pipeline import parse_bytes


def _parse(shared_dir, name):
    data = (shared_dir / "seeds" / name).read_bytes()
    return parse_bytes(data, name)


def _cells(result):
    return {(c.table_id, c.row_id, c.col_id): c for c in result.cells}


def test_seed_001_every_table_cell_as_printed_and_not_reconciled(shared_dir):
    r = _parse(shared_dir, "001_e2088ef8146a25db.txt")
    cells = _cells(r)
    assert (r.metadata.agency_name, r.metadata.report_year, r.template) == ("湖州市南浔区人民政府", 2020, "2019")
    assert r.metadata.index_number == "113305250025653474/2021-00202"
    assert r.metadata.published_on == "2021-02-18"
    assert r.parse_status == "complete"
    v = lambda t, row, col: cells[(t, row, col)].value  # noqa: E731
    assert v("t3", "new_received", "natural_person") == 259
    assert v("t3", "new_received", "commercial_enterprise") == 7
    assert v("t3", "granted", "natural_person") == 138
    assert v("t3", "unable_to_provide_not_held", "natural_person") == 62
    assert v("t3", "unable_to_provide_not_held", "total") == 65
    assert v("t3", "denied_administrative_query", "natural_person") == 8
    assert v("t3", "other_processing", "natural_person") == 0
    assert v("t3", "carried_forward_to_next_year", "natural_person") == 2
    assert v("t3", "total_processed", "total") == 266
    # table 三: 23 rows × 7 columns, table 四: 15 cells, table 二 (2019): 22 cells
    assert sum(1 for k in cells if k[0] == "t3") == 23 * 7
    assert sum(1 for k in cells if k[0] == "t4") == 15
    assert sum(1 for k in cells if k[0] == "t2") == 22
    assert v("t4", "administrative_review", "total") == 25
    assert (v("t4", "lawsuit_without_review", "corrected"), v("t4", "lawsuit_without_review", "other"),
            v("t4", "lawsuit_without_review", "pending")) == (1, 13, 1)
    assert cells[("t4", "lawsuit_without_review", "other")].printed_text == "13准予撤诉"
    assert v("t2", "licences", "item_count_change") == -89
    assert v("t2", "procurement", "procurement_total_amount") == pytest.approx(21312120.0)
    failed = {(x.rule, x.scope_id) for x in r.rules if x.passed is False}
    assert failed == {("t3_column_balance", "natural_person"), ("t3_column_balance", "total")}
    balance = next(x for x in r.rules if (x.rule, x.scope_id) == ("t3_column_balance", "total"))
    assert (balance.left_value, balance.right_value) == (267, 268)
    assert all(x.passed for x in r.rules if x.rule in ("t3_row_total", "t3_outcome_sum", "t4_group_total"))
    assert r.is_reconciled is False
    narrative = [x for x in r.rules if x.rule == "narrative_table_consistency"]
    assert narrative and all(x.passed for x in narrative)


def test_seed_002_traditional_2021_blank_cells_read_as_zero(shared_dir):
    r = _parse(shared_dir, "002_339fc4429fa30be7.txt")
    cells = _cells(r)
    assert (r.metadata.agency_name, r.metadata.report_year) == ("盘锦市营商环境建设局", 2021)
    assert (r.template, r.original_script, r.parse_status) == ("2021", "traditional", "complete")
    t3 = {k: c for k, c in cells.items() if k[0] == "t3"}
    leaf_outcomes = {k[1] for k in t3} - {"new_received", "carried_over_from_previous_year",
                                          "carried_forward_to_next_year", "total_processed"}
    assert len(leaf_outcomes) == 21
    assert {"other_no_correction_overdue", "other_fee_unpaid_overdue", "other_miscellaneous"} <= leaf_outcomes
    assert all(c.value == 0 for c in t3.values())
    blank = cells[("t3", "granted", "commercial_enterprise")]
    assert blank.is_blank and blank.value == 0
    assert sum(1 for k in cells if k[0] == "t4") == 15
    assert sum(1 for k in cells if k[0] == "t2") == 10
    assert r.is_reconciled is True


@pytest.mark.parametrize("name, agency, year, measure, value", [
    ("000_badecb0576f5d59e.txt", "衢州市营商环境建设办公室", 2020, "new_received", 1),
    ("004_062ddeea1ee84d73.txt", "常州市政务服务管理办公室", 2023, "total_processed", 9),
])
def test_tables_lost_reports_are_narrative_only_with_prose_figure(shared_dir, name, agency, year, measure, value):
    r = _parse(shared_dir, name)
    assert (r.metadata.agency_name, r.metadata.report_year) == (agency, year)
    assert r.parse_status == "narrative_only"
    narrative = [c for c in r.cells if c.source == "narrative"]
    assert [(c.row_id, c.col_id, c.value) for c in narrative] == [(measure, "unspecified", value)]
    assert r.is_reconciled is None


def test_seed_003_pre2019_report_year_from_title_zero_requests(shared_dir):
    r = _parse(shared_dir, "003_db442462a16c13eb.txt")
    assert (r.metadata.agency_name, r.metadata.report_year, r.template) == ("衢州市行政服务中心", 2014, "pre2019")
    assert r.parse_status == "narrative_only"
    assert [(c.row_id, c.value) for c in r.cells] == [("new_received", 0)]
