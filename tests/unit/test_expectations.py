"""Great Expectations decides the reconciliation verdicts, on a tiny hand-made warehouse: the rows
each rule compares go to GE, GE's unexpected rows become the named failures, verdicts of unchanged
reports are kept between runs, and a rule with nothing to compare says so."""
from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from nianbao.checks.expectations import run_suites, store_outcomes
from nianbao.checks.tables import CHECK_RESULTS, FAILURES


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    c = duckdb.connect(str(path))
    c.execute("create schema marts")
    c.execute("""create table marts.fct_reconciliation (rule varchar, report_id varchar, agency_id varchar,
                 report_year integer, scope_id varchar, left_value double, right_value double, passed boolean,
                 related_report_id varchar, related_report_year integer, note varchar)""")
    c.execute("""create table marts.fct_litigation (report_id varchar, proceeding varchar, result varchar,
                 "count" bigint, source varchar)""")
    c.execute("""create table marts.fct_applications (report_id varchar, applicant_type varchar, flow varchar,
                 "count" bigint, source varchar)""")
    c.execute("""create table marts.fct_application_outcomes (report_id varchar, applicant_type varchar,
                 outcome varchar, "count" bigint, source varchar)""")
    c.execute("""create table marts.dim_report as select * from (values
                 ('A', 'x', '甲市人民政府', 2023, 'a/甲.txt'), ('B', 'y', '乙县人民政府', 2023, 'b/乙.html'),
                 ('D', 'z', '丁区司法局', 2024, 'd/丁.pdf'), ('E', 'z', '丁区司法局', 2023, 'd/丁2023.pdf'))
                 as t(report_id, agency_id, agency_name, report_year, source_path)""")
    c.execute("""create table marts.dim_rule as select * from (values
                 ('t4_group_total', 'error', '总计 = …'), ('t3_cross_year_carryover', 'warn', '上年结转 = …'),
                 ('legacy_fee_sum', 'warn', '收取费用总数 = …'))
                 as t(rule, severity, statement_zh)""")
    # A: reviews 2 + 3 = 5, recorded 5 (agrees). B: the facts hold 1 + 1 = 2 but the rule row recorded
    # 3 = 3 (a cell lost between the parse and the marts). D: printed total 4, results 1 (the report
    # fails; its results side agrees with its one fact cell)
    c.execute("""insert into marts.fct_litigation values
                 ('A', 'administrative_review', 'upheld', 2, 'table'), ('A', 'administrative_review', 'corrected', 3, 'table'),
                 ('B', 'administrative_review', 'upheld', 1, 'table'), ('B', 'administrative_review', 'other', 1, 'table'),
                 ('D', 'administrative_review', 'upheld', 1, 'table')""")
    c.execute("""insert into marts.fct_reconciliation values
                 ('t4_group_total', 'A', 'x', 2023, 'administrative_review', 5, 5, true, null, null, null),
                 ('t4_group_total', 'B', 'y', 2023, 'administrative_review', 3, 3, true, null, null, null),
                 ('t4_group_total', 'D', 'z', 2024, 'administrative_review', 4, 1, false, null, null, null),
                 ('t4_group_total', 'E', 'z', 2023, 'lawsuit_without_review', null, 2, null, null, null, null),
                 ('t3_cross_year_carryover', 'D', 'z', 2024, 'total', 7, 6, false, 'E', 2023, '丁区司法局: 7 vs 6')""")
    c.close()
    return path


def _results(path) -> dict[str, dict]:
    with duckdb.connect(str(path), read_only=True) as c:
        cur = c.execute(f"select * from {CHECK_RESULTS.qualified}")
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names, r)) for r in cur.fetchall()}


def _failures(path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(f"""select expectation, rule, agency_name, report_year, source_path, scope_id, scope_label_zh,
                                    left_value, right_value, related_source_path
                             from {FAILURES.qualified} order by rule, expectation""").fetchall()


def _validated_now(run, rule):
    return next(o.validated_now for o in run.outcomes if o.rule == rule)


def _check(path, docs=None, memory_limit=None):
    run = run_suites(str(path), docs, memory_limit)
    with duckdb.connect(str(path)) as c:
        store_outcomes(c, run)
    return run


def test_ge_verdicts_become_named_failures(db, tmp_path):
    run = _check(db, tmp_path / "docs")
    assert _failures(db) == [
        ("sides_equal", "t3_cross_year_carryover", "丁区司法局", 2024, "d/丁.pdf", "total", "总计", 7.0, 6.0, "d/丁2023.pdf"),
        # B's recorded results side 3 is not the facts' 1 + 1
        ("facts_agree", "t4_group_total", "乙县人民政府", 2023, "b/乙.html", "administrative_review", "行政复议", 3.0, 2.0, None),
        ("sides_equal", "t4_group_total", "丁区司法局", 2024, "d/丁.pdf", "administrative_review", "行政复议", 4.0, 1.0, None),
    ]
    results = _results(db)
    t4 = results["t4_group_total"]
    # E's row was not evaluated by the parse (a side not printed): not compared
    assert (t4["rows_evaluated"], t4["rows_failed"], t4["reports_failed"], t4["outcome"]) == (3, 1, 1, "failed")
    assert (t4["facts_checked"], t4["facts_mismatched"]) == (3, 1)
    assert {e["suite"] for e in json.loads(t4["expectations"])} == {"t4_group_total", "t4_group_total-facts_agree"}
    # the rule's Data Docs page is GE's page of this run's validation
    outcome = next(o for o in run.outcomes if o.rule == "t4_group_total")
    page = tmp_path / "docs" / outcome.data_docs_page
    assert page.exists() and "unexpected" in page.read_text("utf-8")
    assert run.docs_pages["index"] == "index.html" and (tmp_path / "docs" / "index.html").exists()


def test_the_checks_run_under_duckdbs_memory_cap(db, tmp_path):
    """A first run stages every rule row in DuckDB temp tables, which must spill to disk under
    NIANBAO_DUCKDB_MEMORY_LIMIT (docs/scaling.md): the verdicts are the same."""
    unlimited = tmp_path / "unlimited.duckdb"
    shutil.copy(db, unlimited)
    _check(unlimited)
    _check(db, memory_limit="32MB")
    assert _failures(db) == _failures(unlimited) != []


def test_a_rule_with_nothing_to_compare_is_not_evaluated(db):
    _check(db)
    fee = _results(db)["legacy_fee_sum"]
    assert (fee["outcome"], fee["rows_evaluated"], fee["success"]) == ("not_evaluated", 0, True)
    assert fee["expectations"] == "[]"


def test_the_verdict_is_great_expectations_not_the_parse(db):
    """A row the parse marked passed whose sides differ fails: GE compares the sides itself. Sides
    equal to the parse's tolerance (0.1 + 0.2 against 0.3) agree."""
    with duckdb.connect(str(db)) as c:
        c.execute("""insert into marts.fct_reconciliation values
                     ('legacy_fee_sum', 'A', 'x', 2023, 'legacy_fees_collected_cny', 9, 8, true, null, null, null),
                     ('legacy_fee_sum', 'B', 'y', 2023, 'legacy_fees_collected_cny', 0.3, 0.1 + 0.2, true, null, null, null)""")
    _check(db)
    fee = [f for f in _failures(db) if f[1] == "legacy_fee_sum"]
    assert [(f[2], f[7], f[8]) for f in fee] == [("甲市人民政府", 9.0, 8.0)]


def test_verdicts_of_unchanged_reports_are_kept_and_changed_ones_validated_again(db):
    with duckdb.connect(str(db)) as c:
        c.execute("create schema intermediate")
        c.execute("create table intermediate.int_report_changes (report_id varchar, fingerprint ubigint, is_current boolean)")
        c.execute("insert into intermediate.int_report_changes values ('A', 1, true), ('B', 1, true), ('D', 1, true), ('E', 1, true)")
        c.execute("create schema dbt_state")
        c.execute("create table dbt_state.build_signature as select 'sig-1' as signature")
    first = _check(db)
    assert first.everything and _validated_now(first, "t4_group_total") == 3

    again = _check(db)  # nothing changed: GE validates nothing, the verdicts stay
    assert not again.everything and again.reports_validated == 0
    assert _validated_now(again, "t4_group_total") == 0
    assert len(_failures(db)) == 3

    # D is re-parsed and now balances: only D (and the cross-year row naming it) is validated again
    with duckdb.connect(str(db)) as c:
        c.execute("update intermediate.int_report_changes set fingerprint = 2 where report_id = 'D'")
        c.execute("update marts.fct_reconciliation set right_value = 4, passed = true where report_id = 'D' and rule = 't4_group_total'")
        c.execute("update marts.fct_litigation set \"count\" = 4 where report_id = 'D'")
    third = _check(db)
    assert third.reports_validated == 1
    assert _validated_now(third, "t4_group_total") == 1
    assert [f[:3] for f in _failures(db)] == [("sides_equal", "t3_cross_year_carryover", "丁区司法局"),
                                             ("facts_agree", "t4_group_total", "乙县人民政府")]

    # a value altered behind the fingerprints' back is not seen ... until the dbt code changes
    with duckdb.connect(str(db)) as c:
        c.execute("update marts.fct_reconciliation set left_value = 6 where report_id = 'A'")
    _check(db)
    assert not any(f[2] == "甲市人民政府" for f in _failures(db))
    with duckdb.connect(str(db)) as c:
        c.execute("update dbt_state.build_signature set signature = 'sig-2'")
    assert _check(db).everything
    assert ("sides_equal", "t4_group_total", "甲市人民政府") in [f[:3] for f in _failures(db)]


def test_a_removed_report_leaves_no_failure(db):
    with duckdb.connect(str(db)) as c:
        c.execute("create schema intermediate")
        c.execute("create table intermediate.int_report_changes (report_id varchar, fingerprint ubigint, is_current boolean)")
        c.execute("insert into intermediate.int_report_changes values ('A', 1, true), ('B', 1, true), ('D', 1, true), ('E', 1, true)")
    _check(db)
    with duckdb.connect(str(db)) as c:
        c.execute("update intermediate.int_report_changes set is_current = false where report_id = 'E'")
        c.execute("delete from marts.fct_reconciliation where report_id = 'E' or related_report_id = 'E'")
    _check(db)
    assert not any(f[1] == "t3_cross_year_carryover" for f in _failures(db))
