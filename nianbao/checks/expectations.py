"""The reconciliation checks of a run: Great Expectations validates every rule of the vocabulary
over the rows it compares, and the verdicts become two tables of schema marts.

``run_suites`` validates (nianbao/checks/suites.py) the rows DuckDB computes for each rule
(nianbao/checks/rows.py) — all of them on a first run, those of new or changed reports after
that, the other rows keeping the verdict GE gave them — builds GE's Data Docs for this run, and
``store_outcomes`` writes ``marts.reconciliation_check_results`` (one row per rule) and
``marts.reconciliation_failures`` (every failing row, named), declared in
nianbao/checks/tables.py.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from nianbao.checks.rows import FAILURES_SQL, KeptVerdicts, counts
from nianbao.checks.tables import CHECK_RESULTS, FAILURES, comment_statements, create_statement
from nianbao.vocabulary.loader import load

RESULTS_TABLE = CHECK_RESULTS.qualified
FAILURES_TABLE = FAILURES.qualified


@dataclass
class SuiteOutcome:
    """One rule's verdict over the whole warehouse after this run."""

    rule: str
    severity: str
    statement_zh: str
    evaluated: int = 0  # rule rows the rule compares
    failed: int = 0  # of those, rows GE found unequal (this run or kept)
    reports_failed: int = 0
    validated_now: int = 0  # rows GE validated in this run
    facts_checked: int = 0
    facts_mismatched: int = 0
    facts_validated_now: int = 0
    expectations: list[dict] = field(default_factory=list)
    data_docs_page: str | None = None  # relative to the Data Docs folder

    @property
    def success(self) -> bool:
        return self.failed == 0 and self.facts_mismatched == 0

    @property
    def outcome(self) -> str:
        if self.evaluated == 0 and self.facts_checked == 0:
            return "not_evaluated"
        return "passed" if self.success else "failed"


@dataclass
class CheckRun:
    outcomes: list[SuiteOutcome]
    reports_validated: int  # reports whose rows GE validated in this run
    everything: bool  # a first run (or the rules, dbt code or suites changed): every row validated
    docs_dir: Path | None
    docs_pages: dict[str, str]  # suite -> page, "index" -> index.html (relative to docs_dir)
    seconds: float


def run_suites(db_path: str, docs_dir: Path | None = None, memory_limit: str | None = None) -> CheckRun:
    """Validate every rule of the vocabulary against the warehouse at db_path (a read-write
    connection: the verdicts are kept in schema check_state), building GE's Data Docs for this
    run in docs_dir. ``memory_limit`` caps DuckDB (NIANBAO_DUCKDB_MEMORY_LIMIT): a first run
    stages every rule row of the warehouse in temp tables, which spill to disk beyond it."""
    from nianbao.checks.suites import Validator, facts_suite_name, suites_signature

    started = time.perf_counter()
    rules = load().rules
    with duckdb.connect(db_path) as con:
        if memory_limit:
            con.execute("SET memory_limit = ?", [memory_limit])
        kept = KeptVerdicts(con, rules, suites_signature())
        kept.open()
        ok = False
        try:
            run_name = "all-reports" if kept.everything else f"{kept.todo_reports}-new-or-changed-reports"
            validator = Validator(rules, docs_dir, run_name)
            validations = {}
            for rule_id, frame in kept.sides_frames().items():
                v = validator.validate(rule_id, frame)
                kept.record_sides(v.failing_row_ids)
                validations[v.suite] = v
            failing_facts = []
            for rule_id, frame in kept.facts_frames().items():
                v = validator.validate(rule_id, frame, facts=True)
                failing_facts.append(v.failing_row_ids)
                validations[v.suite] = v
            kept.record_facts(np.concatenate(failing_facts) if failing_facts else np.empty(0, dtype="int64"))
            totals = counts(con, rules)
            ok = True
        finally:
            kept.close(ok)
    pages = validator.build_docs()
    outcomes = []
    for rule in rules:
        c = totals[rule.id]
        out = SuiteOutcome(rule.id, rule.severity, rule.statement_zh, evaluated=c["rows_evaluated"],
                           failed=c["rows_failed"], reports_failed=c["reports_failed"],
                           facts_checked=c["facts_checked"], facts_mismatched=c["facts_mismatched"],
                           data_docs_page=pages.get(rule.id))
        for suite, check, columns, failed in ((rule.id, "sides_equal", ("left_value", "right_value"), out.failed),
                                              (facts_suite_name(rule.id), "facts_agree",
                                               ("recorded_value", "facts_value"), out.facts_mismatched)):
            v = validations.get(suite)
            if check == "sides_equal":
                out.validated_now = v.rows if v else 0
            else:
                out.facts_validated_now = v.rows if v else 0
            if v or (check == "sides_equal" and out.evaluated) or (check == "facts_agree" and out.facts_checked):
                out.expectations.append({"suite": suite, "expectation": "expect_column_pair_values_to_be_equal",
                                         "columns": list(columns), "success": failed == 0})
        outcomes.append(out)
    return CheckRun(outcomes=outcomes, reports_validated=kept.todo_reports, everything=kept.everything,
                    docs_dir=docs_dir, docs_pages=pages, seconds=time.perf_counter() - started)


def store_outcomes(con: duckdb.DuckDBPyConnection, run: CheckRun) -> None:
    """Write reconciliation_check_results (a table: one row per rule) and reconciliation_failures
    (a view over the kept failures), with their comments."""
    summary = pd.DataFrame([{
        "rule": o.rule, "severity": o.severity, "statement_zh": o.statement_zh, "success": o.success,
        "outcome": o.outcome, "rows_evaluated": o.evaluated, "rows_failed": o.failed,
        "reports_failed": o.reports_failed, "facts_checked": o.facts_checked,
        "facts_mismatched": o.facts_mismatched, "expectations": json.dumps(o.expectations, ensure_ascii=False),
    } for o in run.outcomes], columns=CHECK_RESULTS.column_names)
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists marts")
        con.register("summary_df", summary)
        con.execute(create_statement(CHECK_RESULTS, "select * from summary_df order by rule"))
        if con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = ?",
                       [FAILURES.name]).fetchall()[0][0]:
            con.execute(f"drop table {FAILURES.qualified}")  # a table before this version
        con.execute(f"create or replace view {FAILURES.qualified} ({', '.join(FAILURES.column_names)}) as {FAILURES_SQL}")
        con.execute(";\n".join(comment_statements(CHECK_RESULTS) + comment_statements(FAILURES, "view")))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("summary_df")
