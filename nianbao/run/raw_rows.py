"""A parse result as rows of the raw tables (nianbao/run/raw_schema.py), one list of tuples per table."""
from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.parse.model import ParseResult
from nianbao.run.raw_schema import column_names

# Parse note code of a rejection that says nothing about the file's content (it could not be
# read, it changed during the run, its worker died): the next run parses the file again.
RETRY_NOTE = "retry_next_run"


@dataclass
class RawRows:
    """Rows for the raw tables, one list of tuples per table."""

    reports: list[tuple] = field(default_factory=list)
    report_cells: list[tuple] = field(default_factory=list)
    parse_notes: list[tuple] = field(default_factory=list)
    rule_results: list[tuple] = field(default_factory=list)
    legacy_measures: list[tuple] = field(default_factory=list)

    def extend(self, other: RawRows) -> None:
        for name in ("reports", "report_cells", "parse_notes", "rule_results", "legacy_measures"):
            getattr(self, name).extend(getattr(other, name))


def result_rows(result: ParseResult, source_path: str) -> RawRows:
    md = result.metadata
    rid = result.report_id
    rows = RawRows()
    report = {
        "report_id": rid, "content_sha256": result.content_sha256, "source_path": source_path,
        "file_format": result.file_format, "encoding": result.encoding, "title": md.title,
        "agency_name": md.agency_name, "province": md.province, "city": md.city, "county": md.county,
        "admin_level": md.admin_level, "report_year": md.report_year, "published_on": md.published_on,
        "index_number": md.index_number, "template": result.template,
        "original_script": result.original_script, "parse_status": result.parse_status,
        "rejection_reason": result.rejection_reason, "document_kind": md.document_kind,
        "parser_version": result.parser_version, "agency_name_printed": md.agency_name_printed,
        "division_code": md.division_code, "is_aggregate": md.is_aggregate, "outline_family": md.outline_family,
    }
    rows.reports.append(tuple(report[c] for c in column_names("reports")))
    rows.report_cells = [
        (rid, c.table_id, c.row_id, c.col_id, c.value, c.is_blank, c.printed_text, c.unit, c.source)
        for c in result.cells
    ]
    rows.parse_notes = [(rid, i, n.severity, n.code, n.message) for i, n in enumerate(result.notes)]
    rows.rule_results = [
        (rid, r.rule, r.scope_id, r.left_value, r.right_value, r.difference, r.passed, r.note)
        for r in result.rules
    ]
    rows.legacy_measures = [
        (rid, m.measure, m.channel, m.value, m.unit, m.printed_text, m.source) for m in result.legacy_measures
    ]
    return rows
