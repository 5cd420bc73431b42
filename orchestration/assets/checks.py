"""Great Expectations suites for the reconciliation rules, surfaced as Dagster asset checks.

One asset runs every suite (GE imports once) and writes the verdicts into the warehouse; each
rule of the vocabulary is one asset check on it. A failing rule is a finding about the data:
the check fails (error or warn as the rule's severity says) but the run goes on. A rule no
report gives anything to compare for is not evaluated: its check is left out of the run's
results, so the UI shows it skipped rather than a green "passed".
"""

import logging

import dagster as dg
import duckdb

from nianbao.checks.expectations import (
    FAILURES_TABLE,
    RESULTS_TABLE,
    CheckRun,
    SuiteOutcome,
    run_suites,
    store_outcomes,
)
from nianbao.checks.findings import failures_query, first_failures
from nianbao.checks.tables import CHECK_RESULTS, FAILURES
from nianbao.vocabulary.loader import load
from orchestration.resources import NianbaoResource

progress_log = logging.getLogger("nianbao.progress")
VALIDATION_KEY = dg.AssetKey(["reconciliation_validation"])
LISTED = 20  # failing rows shown in a check's metadata


def _check_specs() -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(
        name=rule.id, asset=VALIDATION_KEY,
        description=f"{rule.statement_zh} ({rule.severity}). Great Expectations: left side = right side for every "
                    "report and scope the parse could evaluate. Skipped when no report gives the figures it compares.")
        for rule in load().rules]


def _column_schema(table) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(c.name, c.type.lower(), description=c.description)
                                   for c in table.columns])


def _failures_table(rows: list[dict]) -> dg.TableMetadataValue:
    columns = [("agency_name", "string"), ("report_year", "int"), ("source_path", "string"),
               ("scope", "string"), ("left_value", "float"), ("right_value", "float")]
    records = [dg.TableRecord({
        "agency_name": r["agency_name"] or "(agency not read)", "report_year": r["report_year"],
        "source_path": r["source_path"] or "", "scope": f"{r['scope_label_zh'] or ''} ({r['scope_id']})",
        "left_value": r["left_value"], "right_value": r["right_value"]}) for r in rows]
    return dg.MetadataValue.table(records, schema=dg.TableSchema(columns=[dg.TableColumn(n, t) for n, t in columns]))


def _docs_link(settings, page: str | None) -> dict:
    if not page:
        return {}
    path = settings.data_docs_dir / page
    return {"data_docs_page": dg.MetadataValue.path(str(path)), "data_docs_url": dg.MetadataValue.url(path.as_uri())}


def _check_result(o: SuiteOutcome, con: duckdb.DuckDBPyConnection, settings) -> dg.AssetCheckResult:
    metadata = {
        "rows_evaluated": o.evaluated, "rows_failed": o.failed, "reports_failed": o.reports_failed,
        "rows_validated_now": dg.MetadataValue.int(o.validated_now),
        "facts_checked": o.facts_checked, "facts_mismatched": o.facts_mismatched,
        "expectations": dg.MetadataValue.json(o.expectations),
        **_docs_link(settings, o.data_docs_page),
    }
    if o.failed:
        metadata["first_failing_reports"] = _failures_table(first_failures(con, LISTED, rule=o.rule))
        metadata["all_failures_query"] = dg.MetadataValue.md(f"```sql\n{failures_query(rule=o.rule)}\n```")
    if o.success:
        text = f"{o.evaluated} rows of {o.rule} agree"
    else:
        text = f"{o.reports_failed} report(s) fail {o.rule} ({o.failed} of {o.evaluated} rows)"
        if o.facts_mismatched:
            text += f"; {o.facts_mismatched} recorded sides differ from the facts' sums"
    kept = o.evaluated - o.validated_now
    if kept > 0:
        text += f"; {o.validated_now} rows validated in this run, {kept} keep an earlier run's verdict"
    return dg.AssetCheckResult(
        check_name=o.rule, asset_key=VALIDATION_KEY, passed=o.success,
        severity=dg.AssetCheckSeverity.ERROR if o.severity == "error" else dg.AssetCheckSeverity.WARN,
        description=f"{text}. {o.statement_zh}", metadata=metadata)


def build_validation_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[dg.AssetSpec(
            VALIDATION_KEY, deps=upstream, group_name="checks", kinds={"python", "duckdb"},
            description=f"Great Expectations validates every reconciliation rule of the vocabulary over the rows it "
                        f"compares and stores the verdicts: {RESULTS_TABLE} (one row per rule) and {FAILURES_TABLE} "
                        f"(every failing row, with agency, year and file). Builds GE's Data Docs for the run.",
            metadata={"dagster/column_schema": _column_schema(CHECK_RESULTS),
                      "failures_columns": _column_schema(FAILURES)})],
        check_specs=_check_specs(), can_subset=True, name="reconciliation_validation")
    def reconciliation_validation(context: dg.AssetExecutionContext, nianbao: NianbaoResource):
        settings = nianbao.settings()
        progress_log.info("[checks] running the rule suites")
        run = run_suites(str(settings.work_db_path), settings.work_data_docs_dir, settings.duckdb_memory_limit)
        with duckdb.connect(str(settings.work_db_path)) as con:
            store_outcomes(con, run)
            yield from _results(context, run, con, settings)

    return reconciliation_validation


def _results(context, run: CheckRun, con, settings):
    failing = {o.rule: o.reports_failed for o in run.outcomes if not o.success}
    idle = [o.rule for o in run.outcomes if o.outcome == "not_evaluated"]
    progress_log.info("[checks] %d rules validated by Great Expectations in %.1f s (%s); reports failing: %s",
                      len(run.outcomes) - len(idle), run.seconds,
                      "every report" if run.everything else f"{run.reports_validated} new or changed reports",
                      failing or "none")
    if VALIDATION_KEY in context.selected_asset_keys:
        yield dg.MaterializeResult(asset_key=VALIDATION_KEY, metadata={
            "rules": len(run.outcomes),
            "reports_failing_by_rule": dg.MetadataValue.json(failing),
            "rules_not_evaluated": dg.MetadataValue.json(idle),
            "reports_validated_now": "all" if run.everything else run.reports_validated,
            "data_docs": dg.MetadataValue.path(str(settings.data_docs_dir / "index.html")),
            "failures_query": dg.MetadataValue.md(f"```sql\n{failures_query()}\n```"),
        })
    selected = {key.name for key in context.selected_asset_check_keys}
    for o in run.outcomes:
        if o.rule not in selected:
            continue
        if o.outcome == "not_evaluated":
            # no result: Dagster shows the check skipped for this run
            context.log.info(f"check {o.rule}: nothing to evaluate (no report gives the figures it compares)")
            continue
        yield _check_result(o, con, settings)
