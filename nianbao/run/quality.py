"""Which reports did not parse completely, and why: for the parse step's summary and metadata."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

# Worst first: rejected reports have no figures at all, partial ones miss a few.
STATUS_ORDER = ("rejected", "metadata_only", "narrative_only", "partial")

# The query a user can run on the published warehouse for the whole list.
MARTS_QUERY = ("select parse_status, agency_name, report_year, source_path, rejection_reason "
               "from marts.dim_report where parse_status <> 'complete' order by all")


@dataclass(frozen=True)
class IncompleteReport:
    parse_status: str
    agency_name: str | None
    report_year: int | None
    source_path: str
    reason: str | None


def incomplete_reports(con: duckdb.DuckDBPyConnection, limit: int,
                       reports: str = "raw.reports", notes: str = "raw.parse_notes",
                       source_files: str = "raw.source_files") -> tuple[int, list[IncompleteReport]]:
    """(how many reports are not complete, up to ``limit`` of them: each status its share, worst first).

    The path is the content's current first path (a report is not parsed again when only its
    path changes); the reason is the report's rejection_reason or, without one, its first error
    or warning note."""
    order = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUS_ORDER))
    statuses = con.execute(f"SELECT count(*), count(DISTINCT parse_status) FROM {reports} "
                           "WHERE parse_status <> 'complete'").fetchall()[0]
    total, per_status = statuses[0], max(1, int(limit) // max(1, statuses[1]))  # every status gets its share
    rows = con.execute(f"""
        WITH paths AS (
            SELECT report_id, min(source_path) AS source_path FROM {source_files}
            WHERE report_id IS NOT NULL GROUP BY report_id
        ),
        problems AS (
            SELECT report_id, arg_min(message, (severity <> 'error')::INTEGER * 1000000 + seq) AS first_problem
            FROM {notes} WHERE severity IN ('error', 'warning') GROUP BY report_id
        ),
        listed AS (
            SELECT r.parse_status, r.agency_name, r.report_year, coalesce(p.source_path, r.source_path) AS source_path,
                   coalesce(nullif(r.rejection_reason, ''), n.first_problem) AS reason,
                   CASE r.parse_status {order} ELSE {len(STATUS_ORDER)} END AS status_rank
            FROM {reports} AS r
            LEFT JOIN paths AS p ON p.report_id = r.report_id
            LEFT JOIN problems AS n ON n.report_id = r.report_id
            WHERE r.parse_status <> 'complete'
            QUALIFY row_number() OVER (PARTITION BY r.parse_status
                                       ORDER BY r.agency_name NULLS LAST, r.report_year, 4) <= {per_status}
        )
        SELECT parse_status, agency_name, report_year, source_path, reason FROM listed
        ORDER BY status_rank, agency_name NULLS LAST, report_year, source_path
        LIMIT {int(limit)}""").fetchall()
    return total, [IncompleteReport(*row) for row in rows]


def markdown_table(total: int, reports: list[IncompleteReport]) -> str:
    """The list as a Markdown table (Dagster shows it on the asset), with the query for the rest."""
    if not total:
        return "Every report parsed completely."
    def cell(value) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
    lines = ["| status | agency | year | path | why |", "|---|---|---|---|---|"]
    lines += [f"| {cell(r.parse_status)} | {cell(r.agency_name)} | {cell(r.report_year)} | `{cell(r.source_path)}` "
              f"| {cell(r.reason)} |" for r in reports]
    if total > len(reports):
        lines.append(f"\n{total - len(reports)} more; all of them, in the published warehouse: `{MARTS_QUERY}`")
    return "\n".join(lines)
