"""Figures stated in the prose of 2019+ reports: the 总体情况 paragraph that restates table 三
(收到…申请266件, 办结266件, 予以公开142件, 不予公开21件, 无法提供75件 …) and the litigation
sentences (行政复议7件，诉讼9件; 没有发生…行政复议或行政诉讼), format-spec §2.4.

There is one reader of stated figures, nianbao.legacy: these are the legacy measures marked
``prose_2019`` in the vocabulary, mapped onto contract cells by the vocabulary's
``legacy_crosswalk`` (the same mapping pre-2019 reports go through). Prose counts are not
reliable (format-spec §2.4): they become facts (source ``narrative``) only when the report's
own table is missing, and otherwise feed the warning rule ``narrative_table_consistency``.
"""
from __future__ import annotations

from .legacy import LegacyRead, StatedFigure, chinese_number, crosswalk, join_prose, read_prose_values
from .vocab import load



def ProseFigure(measure: str, value: float, text: str = "") -> StatedFigure:  # noqa: N802 (the old class name)
    """A figure for one contract row id (``new_received``, ``granted``, ``denied_unspecified``,
    ``administrative_review`` …), with what it is compared with taken from the crosswalk."""
    cw = next(c for c in load().legacy_crosswalk if c.row == measure and c.applies_to("2019"))
    return StatedFigure(cw.table, cw.row, cw.col, float(value), text, cw.measures[:1], cw.printed_total,
                        cw.compare_rows, cw.compare_col)

__all__ = ["ProseFigure", "StatedFigure", "chinese_number", "find_prose_figures"]


def find_prose_figures(text: str, template: str = "2019", year: int | None = None) -> list[StatedFigure]:
    """Figures a 2019+ report states in prose, mapped onto table 三 / 四 cells: first occurrence
    of each measure. ``text`` is the report's prose (lines joined by newlines)."""
    measures = {m.id for m in load().legacy_measures if m.prose_2019}
    read = LegacyRead()
    values = read_prose_values(join_prose(text.split("\n")), measures, year, read)
    return crosswalk(values, template if template != "pre2019" else "2019", read)
