"""The summary ``nianbao run`` prints, read from the published warehouse: files and reports by
status (each status defined), rejected files by name and reason, the rules that fail — error
rules apart from warnings — and the first failing reports by name, then the query that lists
them all, and where the warehouse, the run report and the Data Docs are."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from nianbao.checks.findings import failures_query, first_failing_reports
from nianbao.checks.tables import CHECK_RESULTS
from nianbao.parse.model import PARSE_STATUSES
from nianbao.run.settings import Settings

FILE_STATUSES = {
    "parsed": "read; its content is a report below",
    "duplicate": "the same bytes as another file (read once)",
    "rejected": "not read, or read but not an annual report",
}
LISTED_FILES = 10
LISTED_FAILURES = 5


@dataclass
class Summary:
    text: str
    findings: int  # rejected files + reports failing an error rule (--strict exits 4 when > 0)


def _n(value: int) -> str:
    return f"{value:,}"


def _status_lines(counts: dict[str, int], definitions: dict[str, str]) -> list[str]:
    width = max(map(len, definitions))
    num = max(len(_n(v)) for v in [*counts.values(), 0])
    return [f"    {status:<{width}}  {_n(counts.get(status, 0)):>{num}}  {text}" for status, text in definitions.items()]


def _value(v) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def summarise(settings: Settings, seconds: float) -> Summary:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        files = dict(con.execute("select file_status, count(*) from marts.dim_source_file group by 1").fetchall())
        reports = dict(con.execute("select parse_status, count(*) from marts.dim_report group by 1").fetchall())
        rejected = con.execute("""select source_path, coalesce(reason, 'no reason recorded') from marts.dim_source_file
                                  where file_status = 'rejected' order by source_path""").fetchall()
        rules = con.execute(f"""select rule, severity, outcome, reports_failed, statement_zh
                                from {CHECK_RESULTS.qualified} order by severity, reports_failed desc, rule""").fetchall()
        failing_error = con.execute("""select count(distinct report_id) from marts.reconciliation_failures
                                       where severity = 'error'""").fetchall()[0][0]
        first = first_failing_reports(con, LISTED_FAILURES, severity="error") if failing_error else []
    lines = [f"\nnianbao run finished in {seconds:.1f} s",
             f"  files seen: {_n(sum(files.values()))}"]
    lines += _status_lines(files, FILE_STATUSES)
    for path, reason in rejected[:LISTED_FILES]:
        lines.append(f"      rejected: {path} — {reason}")
    if len(rejected) > LISTED_FILES:
        lines.append(f"      … and {len(rejected) - LISTED_FILES} more: select source_path, reason from "
                     "marts.dim_source_file where file_status = 'rejected'")
    lines.append(f"  reports (distinct contents): {_n(sum(reports.values()))}")
    lines += _status_lines(reports, PARSE_STATUSES)
    for severity, title in (("error", "error rules (a report failing one is not reconciled)"),
                            ("warn", "warning rules (findings; the report stays reconciled)")):
        mine = [r for r in rules if r[1] == severity]
        evaluated = [r for r in mine if r[2] != "not_evaluated"]
        failing = [r for r in evaluated if r[2] == "failed"]
        head = f"  {title}: {len(evaluated)} checked, {len(failing)} failing"
        if severity == "error":
            head += f" — {_n(failing_error)} report(s) fail one"
        lines.append(head)
        for rule, _, _, n_reports, statement in failing:
            lines.append(f"    {rule:<30} {_n(n_reports):>7} report(s)  {statement}")
        idle = [r[0] for r in mine if r[2] == "not_evaluated"]
        if idle:
            lines.append(f"    not evaluated (no report gives their figures): {', '.join(idle)}")
    if first:
        lines.append(f"  first reports failing an error rule (of {_n(failing_error)}):")
        for report in first:
            lines.append(f"    {report['agency_name'] or '(agency not read)'} {report['report_year'] or '(year not read)'}"
                         f"  {report['source_path']}")
            for rule in dict.fromkeys(f["rule"] for f in report["failures"]):
                sides = [f"{f['scope_label_zh'] or f['scope_id']} {_value(f['left_value'])} ≠ {_value(f['right_value'])}"
                         for f in report["failures"] if f["rule"] == rule]
                shown = "; ".join(sides[:4]) + (f"; … {len(sides) - 4} more" if len(sides) > 4 else "")
                lines.append(f"      {rule}: {shown}")
        lines.append("    all of them (and the warnings: drop the severity condition):")
        lines += ["      " + line for line in failures_query(severity="error").splitlines()]
    lines.append(f"  warehouse:   {settings.db_path}")
    if settings.report_path.exists():
        lines.append(f"  run report:  {settings.report_path}")
    if (settings.data_docs_dir / "index.html").exists():
        lines.append(f"  Great Expectations Data Docs: {settings.data_docs_dir / 'index.html'}")
    lines.append("  query it read-only: duckdb.connect(path, read_only=True); tables in schema marts")
    return Summary("\n".join(lines), files.get("rejected", 0) + failing_error)
