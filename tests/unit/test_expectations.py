"""The aggregates the reconciliation suites validate, on a tiny hand-made marts schema."""
from __future__ import annotations

import duckdb
import pytest

from nianbao.checks.expectations import _facts_rows, _facts_side, all_aggregates
from nianbao.vocabulary.loader import load


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("create schema marts")
    c.execute("""create table marts.fct_reconciliation (rule varchar, report_id varchar, agency_id varchar,
                 report_year integer, scope_id varchar, left_value double, right_value double, passed boolean)""")
    c.execute("""create table marts.fct_litigation (report_id varchar, proceeding varchar, result varchar,
                 "count" bigint, source varchar)""")
    c.execute("""create table marts.fct_applications (report_id varchar, applicant_type varchar, flow varchar,
                 "count" bigint, source varchar)""")
    c.execute("""create table marts.fct_application_outcomes (report_id varchar, applicant_type varchar,
                 outcome varchar, "count" bigint, source varchar)""")
    # report A: reviews 2 + 3 = 5, recorded as 5 (agrees); report B: facts 1 + 1 = 2 but the
    # rule row recorded 3 (a cell lost between the parse and the marts); report C: a narrative cell only
    c.execute("""insert into marts.fct_litigation values
                 ('A', 'administrative_review', 'upheld', 2, 'table'), ('A', 'administrative_review', 'corrected', 3, 'table'),
                 ('B', 'administrative_review', 'upheld', 1, 'table'), ('B', 'administrative_review', 'other', 1, 'table'),
                 ('C', 'administrative_review', 'upheld', 9, 'narrative')""")
    c.execute("""insert into marts.fct_reconciliation values
                 ('t4_group_total', 'A', 'x', 2023, 'administrative_review', 5, 5, true),
                 ('t4_group_total', 'B', 'y', 2023, 'administrative_review', 3, 3, true),
                 ('t4_group_total', 'D', 'z', 2024, 'administrative_review', 4, 1, false)""")
    return c


def test_facts_mismatch_is_counted_per_rule_and_scope(con):
    sides, facts = all_aggregates(con, load().rules)
    row = facts[(facts["rule"] == "t4_group_total") & (facts["scope_id"] == "administrative_review")]
    # A agrees, B's recorded 3 differs from the facts' 2, D has no table facts (recorded 1 vs 0)
    assert row[["n_rows", "n_mismatched"]].values.tolist() == [[3, 2]]


def test_sides_unequal_counted_per_year(con):
    sides, _ = all_aggregates(con, load().rules)
    t4 = sides[sides["rule"] == "t4_group_total"].set_index("report_year")
    assert t4.loc[2023, "n_unequal"] == 0 and t4.loc[2023, "n_rows"] == 2
    assert t4.loc[2024, "n_unequal"] == 1


@pytest.fixture
def kept(con):
    """The same marts plus what the kept facts verdicts are keyed on: dbt's report fingerprints
    (int_report_changes) and build signature."""
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_report_changes (report_id varchar, fingerprint ubigint, is_current boolean)")
    con.execute("insert into intermediate.int_report_changes values ('A', 1, true), ('B', 1, true), ('D', 1, true)")
    con.execute("create schema dbt_state")
    con.execute("create table dbt_state.build_signature as select 'sig-1' as signature")
    return con


def _t4(facts):
    row = facts[(facts["rule"] == "t4_group_total") & (facts["scope_id"] == "administrative_review")]
    return row[["n_rows", "n_mismatched"]].values.tolist()


def _stateless(con):
    """What a warehouse without the state would compute: every report compared now."""
    con.execute("alter table dbt_state.build_signature rename to hidden_signature")
    try:
        return all_aggregates(con, load().rules)[1]
    finally:
        con.execute("alter table dbt_state.hidden_signature rename to build_signature")


def test_facts_verdicts_are_kept_and_only_changed_reports_compared_again(kept):
    rules = load().rules
    facts_sides = [fs for fs in map(_facts_side, rules) if fs is not None]
    assert _t4(all_aggregates(kept, rules)[1]) == [[3, 2]]
    assert _facts_rows(kept, facts_sides)[1] == 0  # nothing changed: nothing compared again

    # B is re-parsed (its fingerprint changes) and its lost cell is back: only B is compared again
    kept.execute("update intermediate.int_report_changes set fingerprint = 2 where report_id = 'B'")
    kept.execute("update marts.fct_litigation set \"count\" = 2 where report_id = 'B' and result = 'other'")
    assert _facts_rows(kept, facts_sides)[1] == 1
    assert _t4(all_aggregates(kept, rules)[1]) == [[3, 1]] == _t4(_stateless(kept))

    # a cell altered behind the state's back (same fingerprint, same dbt code) is not seen ...
    kept.execute("update marts.fct_litigation set \"count\" = 7 where report_id = 'A' and result = 'upheld'")
    assert _t4(all_aggregates(kept, rules)[1]) == [[3, 1]]
    # ... until the dbt code changes (every model rebuilt): everything is compared again
    kept.execute("update dbt_state.build_signature set signature = 'sig-2'")
    assert _facts_rows(kept, facts_sides)[1] == 3
    assert _t4(all_aggregates(kept, rules)[1]) == [[3, 2]] == _t4(_stateless(kept))


def test_removed_report_leaves_the_kept_verdicts(kept):
    rules = load().rules
    all_aggregates(kept, rules)
    kept.execute("update intermediate.int_report_changes set is_current = false where report_id = 'D'")
    kept.execute("delete from marts.fct_reconciliation where report_id = 'D'")
    assert _t4(all_aggregates(kept, rules)[1]) == [[2, 1]] == _t4(_stateless(kept))
    assert kept.execute("select count(*) from check_state.facts_rows where report_id = 'D'").fetchall() == [(0,)]
