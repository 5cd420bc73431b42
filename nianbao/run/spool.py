"""Parse results in bulk: rows encoded as CSV in the parser processes, loaded by DuckDB's reader.

At 100,000 reports a run produces millions of cell rows. Sending them to the run's process as
Python tuples and building DataFrames from them (unpickling, ``DataFrame.from_records``, DuckDB
scanning Python strings) cost that one process more than parsing the report costs a core, and
held gigabytes in memory at the end (docs/scaling.md). Instead each parser process
encodes its file's rows as CSV (``encode_rows``), the run appends the bytes to one spool file
per table on disk (``Spool``), and DuckDB loads each spool in one multi-threaded
``read_csv`` (``Spool.select_sql``): the run's own process does no per-row work, and memory
stays flat however many reports there are.

Encoding: ``csv.QUOTE_NONNUMERIC`` quotes every string; a null is written as an unquoted empty
field, which ``read_csv(..., allow_quoted_nulls=false)`` reads as NULL while ``""`` stays an
empty string. Every column is read as VARCHAR and cast to the raw schema's type, so floats
(written with ``repr``), booleans and dates round-trip exactly.
"""
from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field, fields
from pathlib import Path

from nianbao.run.raw_rows import RawRows
from nianbao.run.raw_schema import RAW_TABLES


class _Null:
    """Written by the csv module as an unquoted empty field (it counts as a number)."""

    __slots__ = ()

    def __float__(self) -> float:
        return 0.0

    def __str__(self) -> str:
        return ""


_NULL = _Null()


def row_tables() -> list[str]:
    return [f.name for f in fields(RawRows)]


@dataclass
class EncodedRows:
    """One or more files' rows: the report ids, and each table's rows as CSV bytes."""

    report_ids: list[str] = field(default_factory=list)
    data: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def encode_rows(rows) -> EncodedRows:
    out = EncodedRows(report_ids=[r[0] for r in rows.reports])
    for table in row_tables():
        items = getattr(rows, table)
        if not items:
            continue
        out.data[table] = _table_text(table, items).encode("utf-8")
        out.counts[table] = len(items)
    return out


def _table_text(table: str, items) -> str:
    fast = _FAST_ENCODERS.get(table)
    if fast is not None:
        try:
            return fast(items)
        except (AttributeError, TypeError, ValueError):
            pass  # e.g. an id that is None, a value that is not a float
    return csv_text(items)


def csv_text(items) -> str:
    """Rows as CSV text in this module's encoding (the csv module's writer)."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerows([[_NULL if v is None else v for v in row] for row in items])
    return buf.getvalue()


# The two tables with many rows per report (~170 cells and ~40 rule results) are written by one
# f-string per row instead of the csv module: a third of the cost, in every parser process.
# The text is the same as csv_text's, byte for byte (tests/unit/test_rowspool.py): every string
# quoted with its quotes doubled, a null empty and unquoted, a number by repr. A row with a
# value of an unexpected type (an id that is None) makes the table go through csv_text.

def _cells_text(items) -> str:
    return "".join([
        f'"{rid.replace(_QUOTE, _QUOTES)}","{table.replace(_QUOTE, _QUOTES)}","{row.replace(_QUOTE, _QUOTES)}",'
        f'"{col.replace(_QUOTE, _QUOTES)}",{"" if value is None else float.__repr__(value)},'
        f'{"" if blank is None else bool.__repr__(blank)},'
        f'{"" if printed is None else _QUOTE + printed.replace(_QUOTE, _QUOTES) + _QUOTE},'
        f'{"" if unit is None else _QUOTE + unit.replace(_QUOTE, _QUOTES) + _QUOTE},"{source.replace(_QUOTE, _QUOTES)}"\n'
        for rid, table, row, col, value, blank, printed, unit, source in items
    ])


def _rules_text(items) -> str:
    return "".join([
        f'"{rid.replace(_QUOTE, _QUOTES)}","{rule.replace(_QUOTE, _QUOTES)}","{scope.replace(_QUOTE, _QUOTES)}",'
        f'{"" if left is None else float.__repr__(left)},{"" if right is None else float.__repr__(right)},'
        f'{"" if difference is None else float.__repr__(difference)},{"" if passed is None else bool.__repr__(passed)},'
        f'{"" if note is None else _QUOTE + note.replace(_QUOTE, _QUOTES) + _QUOTE}\n'
        for rid, rule, scope, left, right, difference, passed, note in items
    ])


_QUOTE, _QUOTES = '"', '""'
_FAST_ENCODERS = {"report_cells": _cells_text, "rule_results": _rules_text}


class Spool:
    """Per-table CSV spool files receiving parse results; read back by DuckDB in bulk."""

    def __init__(self, folder: Path):
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.report_ids: list[str] = []
        self.counts: dict[str, int] = {}
        self.refused: dict[str, str] = {}  # report id -> why its rows cannot be loaded (refuse_unloadable)
        self._files: dict[str, object] = {}

    def add(self, rows) -> None:
        """Take one result (EncodedRows, or RawRows encoded here)."""
        if not isinstance(rows, EncodedRows):
            rows = encode_rows(rows)
        self.report_ids.extend(rows.report_ids)
        for table, data in rows.data.items():
            fh = self._files.get(table)
            if fh is None:
                fh = self._files[table] = open(self.path(table), "ab")
            fh.write(data)
            self.counts[table] = self.counts.get(table, 0) + rows.counts.get(table, 0)

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.csv"

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()

    def _read_sql(self, table: str) -> str:
        """read_csv of the table's spool file, every column as text."""
        columns = ", ".join(f"'{n}': 'VARCHAR'" for n, _, _ in RAW_TABLES[table])
        return (f"read_csv({_literal(str(self.path(table)))}, columns = {{{columns}}}, header = false, "
                "delim = ',', quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false, "
                "auto_detect = false)")

    def select_sql(self, table: str) -> str | None:
        """A SELECT of the table's spooled rows, typed as the raw schema says; None when empty.
        Rows of refused reports are left out; each of them is one ``rejected`` row of reports."""
        self.close()
        if not self.counts.get(table):
            return None
        cols = RAW_TABLES[table]
        casts = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t, _ in cols)
        select = f"SELECT {casts} FROM {self._read_sql(table)}"
        if not self.refused:
            return select
        ids = ", ".join(_literal(r) for r in sorted(self.refused))
        select += f' WHERE "report_id" NOT IN ({ids})'
        if table != "reports":
            return select
        refused = ", ".join(f"({_literal(r)}, {_literal(why)})" for r, why in sorted(self.refused.items()))
        rejected = {"parse_status": "'rejected'", "rejection_reason": "refused.reason"}
        kept = ", ".join(rejected.get(n, f'TRY_CAST(spooled."{n}" AS {t})') + f' AS "{n}"' for n, t, _ in cols)
        return (f"{select} UNION ALL SELECT {kept} FROM {self._read_sql(table)} AS spooled "
                f"JOIN (VALUES {refused}) AS refused(report_id, reason) USING (report_id)")

    def refuse_unloadable(self, con) -> dict[str, str]:
        """Find the reports with a spooled value DuckDB cannot cast to its column's type, and
        leave their rows out of every later select_sql (their report row stays, rejected with
        the value as the reason). Returns them (report id -> reason); the last safety net after
        the parser's own checks (nianbao.run.raw_rows.unstorable)."""
        self.close()
        for table, count in self.counts.items():
            if not count:
                continue
            typed = [(n, t) for n, t, _ in RAW_TABLES[table] if t != "VARCHAR"]
            if not typed:
                continue
            failed = " OR ".join(f'("{n}" IS NOT NULL AND TRY_CAST("{n}" AS {t}) IS NULL)' for n, t in typed)
            what = ", ".join(f"""CASE WHEN "{n}" IS NOT NULL AND TRY_CAST("{n}" AS {t}) IS NULL
                                 THEN '{table}.{n} = ' || left("{n}", 80) END""" for n, t in typed)
            for rid, values in con.execute(
                    f'SELECT "report_id", concat_ws(\', \', {what}) FROM {self._read_sql(table)} '
                    f"WHERE {failed}").fetchall():
                self.refused.setdefault(rid, "a value the warehouse cannot store "
                                             f"({values}); the report is not loaded")
        return dict(self.refused)

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
