"""The two tables the reconciliation checks publish in schema marts, declared once.

Their columns and descriptions are data here; the dbt docs read them from
``dbt_project/models/marts/_checks.yml`` (generated: ``python -m nianbao.checks.tables >
dbt_project/models/marts/_checks.yml``, kept current by a test) and the warehouse from the DuckDB
comments written with the tables (``comment_statements``).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        return f"marts.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


CHECK_RESULTS = Table(
    "reconciliation_check_results",
    "Great Expectations' verdict on each reconciliation rule (勾稽关系) of the vocabulary, for the whole "
    "warehouse: one row per rule. A rule's suite states it as an expectation over the rows the rule compares "
    "(ExpectColumnPairValuesToBeEqual on the two sides, per report and scope) and a second one that the "
    "recorded sides equal the sums of the fact cells. Rows of reports unchanged since an earlier run keep the "
    "verdict GE gave them then (how many rows a run validated is in its Dagster metadata). Written by the "
    "reconciliation_validation step (nianbao.checks).",
    (
        Column("rule", "VARCHAR", "Rule id (dim_rule.rule, vocabulary.yaml)"),
        Column("severity", "VARCHAR", "error: a report failing it is not reconciled (dim_report.is_reconciled); "
                                      "warn: a finding that does not change is_reconciled"),
        Column("statement_zh", "VARCHAR", "The rule in Chinese (勾稽关系)"),
        Column("success", "BOOLEAN", "True when no evaluated row fails the rule and every recorded side agrees "
                                     "with the facts (also true when nothing was evaluated: see outcome)"),
        Column("outcome", "VARCHAR", "passed, failed, or not_evaluated (no report printed what the rule compares)"),
        Column("rows_evaluated", "BIGINT", "Rows of fct_reconciliation the rule compares (both sides read)"),
        Column("rows_failed", "BIGINT", "Rows whose two sides GE found unequal"),
        Column("reports_failed", "BIGINT", "Distinct reports with a failing row"),
        Column("facts_checked", "BIGINT", "Rows whose leaf-only side was compared with the sum of the fact cells"),
        Column("facts_mismatched", "BIGINT", "Of those, rows whose recorded side differs from the facts' sum "
                                             "(a cell lost or altered between the parse and the marts)"),
        Column("expectations", "VARCHAR", "JSON list of the rule's expectations: suite, expectation type, "
                                          "columns compared, success"),
    ),
)

FAILURES = Table(
    "reconciliation_failures",
    "Every rule row Great Expectations found failing, named: one row per failing report × rule × scope (× related "
    "report for the cross-year rules). expectation = sides_equal: the report's two sides differ (the report "
    "fails the rule, as printed); facts_agree: the side recorded in fct_reconciliation differs from the sum of "
    "the fact cells (a pipeline fault, never expected). A view over the verdicts the reconciliation_validation "
    "step keeps in schema check_state, joined with dim_report for names.",
    (
        Column("rule", "VARCHAR", "Rule id (dim_rule.rule)"),
        Column("severity", "VARCHAR", "error or warn (see reconciliation_check_results.severity)"),
        Column("expectation", "VARCHAR", "sides_equal (left_value = right_value) or facts_agree "
                                         "(left_value = recorded side, right_value = the facts' sum)"),
        Column("report_id", "VARCHAR", "The failing report (dim_report.report_id)"),
        Column("agency_id", "VARCHAR", "Its agency (dim_agency.agency_id)"),
        Column("agency_name", "VARCHAR", "The agency's name (发布机关)"),
        Column("report_year", "INTEGER", "The year the report covers (年度)"),
        Column("source_path", "VARCHAR", "The report's file, relative to the raw directory (dim_report.source_path)"),
        Column("scope_id", "VARCHAR", "What the rule compared: the column (applicant type), row (flow or outcome), "
                                      "proceeding or item, by vocabulary id"),
        Column("scope_label_zh", "VARCHAR", "The scope's Chinese label (e.g. 自然人, 行政复议)"),
        Column("left_value", "DOUBLE", "The rule's left side as the report printed it (sides_equal) or as "
                                       "recorded (facts_agree)"),
        Column("right_value", "DOUBLE", "The rule's right side (sides_equal) or the sum of the fact cells "
                                        "(facts_agree)"),
        Column("difference", "DOUBLE", "left_value − right_value"),
        Column("statement_zh", "VARCHAR", "The rule in Chinese"),
        Column("related_report_id", "VARCHAR", "Cross-year rules: the previous year's report compared with"),
        Column("related_report_year", "INTEGER", "Cross-year rules: that report's year"),
        Column("related_source_path", "VARCHAR", "Cross-year rules: that report's file"),
        Column("note", "VARCHAR", "fct_reconciliation.note: what was compared, in words, where the rule gives one"),
        Column("validated_at", "TIMESTAMP WITH TIME ZONE", "When Great Expectations validated the row (the run "
                                                           "that found it failing; rows of unchanged reports "
                                                           "keep their first verdict)"),
    ),
)

TABLES = (CHECK_RESULTS, FAILURES)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_statement(table: Table, select_sql: str) -> str:
    """``create or replace table`` for ``table`` from a query giving its columns in order (cast to
    the declared types, so the published schema is this module's whatever the query infers)."""
    casts = ", ".join(f"cast({c.name} as {c.type}) as {c.name}" for c in table.columns)
    return f"create or replace table {table.qualified} as select {casts} from ({select_sql})"


def comment_statements(table: Table, kind: str = "table") -> list[str]:
    return [f"comment on {kind} {table.qualified} is {_quote(table.description)}"] + [
        f"comment on column {table.qualified}.{c.name} is {_quote(c.description)}" for c in table.columns]


def render_dbt_yml() -> str:
    """The dbt source declaring both tables (schema marts), so dbt docs describe them."""
    doc = {"version": 2, "sources": [{
        "name": "checks",
        "schema": "marts",
        "description": "Written after dbt by the reconciliation checks (nianbao/checks/tables.py; "
                       "generated file, do not edit by hand).",
        "tables": [{"name": t.name, "description": t.description,
                    "columns": [{"name": c.name, "description": c.description, "data_type": c.type.lower()}
                                for c in t.columns]} for t in TABLES],
    }]}
    return ("# Generated by `python -m nianbao.checks.tables > dbt_project/models/marts/_checks.yml`; do not edit.\n"
            + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110))


if __name__ == "__main__":
    sys.stdout.write(render_dbt_yml())
