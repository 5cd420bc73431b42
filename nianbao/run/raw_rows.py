"""A parse result as rows of the raw tables (nianbao/run/raw_schema.py), one list of tuples per table."""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field, fields
from functools import cache
from operator import itemgetter

from nianbao.parse.bounds import MAX_FIGURE, storable
from nianbao.parse.model import CAP_NOTE, ParseResult, cap_code
from nianbao.run.raw_schema import RAW_TABLES, column_names

# Parse note code of a rejection that says nothing about the file's content (it could not be
# read, it changed during the run, its worker died): the next run parses the file again.
RETRY_NOTE = "retry_next_run"


def reparse_condition(caps: dict[str, float]) -> tuple[str, list]:
    """A SQL condition on a parse note's ``code`` (with its parameters) that marks its report
    to be parsed again although its content and the parser are unchanged: rejected for a reason
    outside the content, or by a cap (nianbao.parse.model.cap_code) whose value is not ``caps``'s."""
    current = [cap_code(name, value) for name, value in caps.items()]
    return (f"(code = ? OR (code LIKE ? AND code NOT IN ({', '.join('?' * len(current))})))",
            [RETRY_NOTE, f"{CAP_NOTE}:%", *current])


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
        "agency_qualified_name": md.agency_qualified_name,
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


# What each column type of the raw schema accepts (None is always accepted: a null). A value
# outside it would fail the load's CAST, or the marts' (counts and amounts become BIGINT).
def _integer(bits: int):
    low, high = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    return lambda v: type(v) is int and low <= v <= high


def _double(v) -> bool:
    return (type(v) is float and math.isfinite(v)) or (type(v) is int and -2 ** 63 <= v < 2 ** 63)


def _date(v) -> bool:
    if type(v) is datetime.date:
        return True
    try:
        return type(v) is str and len(v) == 10 and datetime.date.fromisoformat(v).isoformat() == v
    except ValueError:
        return False


_ACCEPTS = {"INTEGER": _integer(32), "BIGINT": _integer(64), "DOUBLE": _double,
            "BOOLEAN": lambda v: type(v) is bool, "DATE": _date}
# Figures (not computed values such as a rule's difference) must also be exact in a double
# (nianbao.parse.bounds): the marts cast them to BIGINT.
_FIGURES = {("report_cells", "value"), ("legacy_measures", "value")}
_NONE = type(None)


@cache
def _typed_columns(table: str) -> tuple:
    """(index, column, check, DuckDB type) of the table's columns that are not text and hold
    what a report printed: the report row's (metadata) and the figures. The other typed
    columns (flags, sequence numbers, a rule's sums of checked figures) are the parser's own;
    the load's last safety net (Spool.refuse_unloadable) still covers them."""
    out = []
    for i, (name, typ, _) in enumerate(RAW_TABLES[table]):
        if typ in _ACCEPTS and (table == "reports" or (table, name) in _FIGURES):
            check = _ACCEPTS[typ]
            if (table, name) in _FIGURES:
                check = (lambda base: lambda v: base(v) and storable(float(v)))(check)
            out.append((i, name, check, typ))
    return tuple(out)


def _all_accepted(values: list, check, typ: str, figure: bool) -> bool:
    """Whether every value passes ``check``; a column of floats (the cells' and rules' many
    values) is judged by builtins over the whole column instead of a call per value."""
    if typ == "DOUBLE" and set(map(type, values)) <= {float, _NONE}:
        numbers = list(filter(None, values))  # (zeros too: they pass)
        if not numbers:
            return True
        total = sum(numbers)  # NaN, or infinities of both signs, make it NaN
        if total != total:
            return False
        limit = MAX_FIGURE if figure else 1.7976931348623157e308
        return -limit <= min(numbers) and max(numbers) <= limit
    if typ == "BOOLEAN" and set(map(type, values)) <= {bool, _NONE}:
        return True
    return all(v is None or check(v) for v in values)


def unstorable(rows: RawRows) -> str | None:
    """The first value of ``rows`` the raw tables cannot hold, as ``table.column = value``;
    None when every value fits its column's type."""
    for f in fields(rows):
        items = getattr(rows, f.name)
        if not items:
            continue
        for i, name, check, typ in _typed_columns(f.name):
            values = list(map(itemgetter(i), items))
            if not _all_accepted(values, check, typ, (f.name, name) in _FIGURES):
                bad = next(v for v in values if v is not None and not check(v))
                return f"{f.name}.{name} = {bad!r:.80}"
    return None
