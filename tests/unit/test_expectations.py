"""The aggregates the reconciliation suites validate, on a tiny hand-made marts schema."""
from __future__ import annotations

import duckdb
import pytest

from nianbao.expectations import all_aggregates
from nianbao.vocab import load


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
