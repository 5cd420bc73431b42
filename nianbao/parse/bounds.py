"""Figures the warehouse can hold: a printed number past them is not read as a figure.

A count or an amount is stored as a DOUBLE in the raw tables and cast to BIGINT in the marts.
A printed number whose integer part a double cannot hold exactly (beyond 2**53, sixteen digits
and more: digits run together, a 索引号 or an ID number in a cell) has no single reading, and
one past BIGINT would stop the marts' build for every report. Such a figure is not recorded:
a table row holding one is treated as unreadable (its rules are not evaluated and the report
is partial), a figure from the prose is dropped; a parse note says which and why.
"""
from __future__ import annotations

import math

from nianbao.parse.model import Note

# The largest integer a double holds exactly (every smaller one is exact too).
MAX_FIGURE = float(2 ** 53 - 1)


def storable(value: float | None) -> bool:
    """Whether ``value`` (None: not printed) can be recorded as a figure."""
    return value is None or (math.isfinite(value) and abs(value) <= MAX_FIGURE)


def _note(what: str, value: float, dropped: str = "not recorded") -> Note:
    return Note("error", "figure_out_of_range",
                f"{what}: printed {value:g}, beyond the figures a report can state exactly "
                f"(past {MAX_FIGURE:,.0f}); {dropped}")


def drop_unstorable_rows(read) -> None:
    """Remove every row of a TableRead (nianbao.parse.tables) holding an unstorable cell and
    mark it unreadable, with a note."""
    bad = {}
    for c in read.cells:
        if not storable(c.value):
            bad.setdefault(c.row_id, c)
    if not bad:
        return
    read.cells = [c for c in read.cells if c.row_id not in bad]
    for row_id, c in bad.items():
        read.rows_read.discard(row_id)
        read.rows_unreadable.add(row_id)
        read.notes.append(_note(f"{c.table_id} {row_id}×{c.col_id}", c.value, "row not recorded"))


def storable_figures(items: list, notes: list[Note], what) -> list:
    """``items`` (objects with a ``value``) whose value is storable; a note for each dropped one.
    ``what(item)`` names an item in the note."""
    kept = []
    for item in items:
        if storable(item.value):
            kept.append(item)
        else:
            notes.append(_note(what(item), item.value))
    return kept
