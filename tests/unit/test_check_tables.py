"""The check tables are declared once (nianbao/checks/tables.py): the dbt docs are generated from
the declaration, and the warehouse's tables carry its columns and comments."""
from pathlib import Path

import duckdb

from nianbao.checks import tables
from nianbao.checks.expectations import CheckRun, SuiteOutcome, store_outcomes

REPO = Path(__file__).resolve().parents[2]


def test_dbt_yml_is_generated_from_the_declaration():
    assert (REPO / "dbt_project" / "models" / "marts" / "_checks.yml").read_text("utf-8") == tables.render_dbt_yml(), \
        "run: python -m nianbao.checks.tables > dbt_project/models/marts/_checks.yml"


def test_stored_tables_have_the_declared_columns_and_comments(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for schema in ("marts", "check_state"):
        con.execute(f"create schema {schema}")
    con.execute("create table marts.dim_report (report_id varchar, agency_id varchar, agency_name varchar, "
                "report_year integer, source_path varchar)")
    con.execute("create table marts.dim_rule (rule varchar, severity varchar, statement_zh varchar)")
    con.execute("""create table check_state.sides_failures (rule varchar, report_id varchar, agency_id varchar,
                   report_year integer, scope_id varchar, related_report_id varchar, related_report_year integer,
                   note varchar, left_value double, right_value double, validated_at timestamp with time zone)""")
    con.execute("""create table check_state.facts_rows (rule varchar, report_id varchar, scope_id varchar,
                   has_rule_row boolean, has_cells boolean, recorded_value double, facts_value double,
                   equal boolean, validated_at timestamp with time zone)""")
    con.execute("create table check_state.scope_labels (scope_id varchar, label_zh varchar)")
    run = CheckRun([SuiteOutcome("t3_row_total", "error", "总计 = …", evaluated=2)], 1, True, None, {}, 0.1)
    for _ in range(2):  # and again: replaced in place
        store_outcomes(con, run)
    for table in tables.TABLES:
        got = con.execute("select column_name, comment from duckdb_columns() where schema_name = 'marts' "
                          "and table_name = ? order by column_index", [table.name]).fetchall()
        assert got == [(c.name, c.description) for c in table.columns]
    kinds = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'marts' "
                             "union all select view_name, comment from duckdb_views() where schema_name = 'marts'").fetchall())
    assert kinds[tables.CHECK_RESULTS.name] == tables.CHECK_RESULTS.description
    assert kinds[tables.FAILURES.name] == tables.FAILURES.description
    assert con.execute("select rule, outcome, rows_evaluated from marts.reconciliation_check_results").fetchall() == [
        ("t3_row_total", "passed", 2)]
