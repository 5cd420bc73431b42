"""A table row's printed values read against the cells the template expects.

A row of table 三 has 7 cells (six applicant columns and 总计), table 四's data row 15 (three
groups of four results and 总计); in both, each group's last cell is the printed total of the
others. Flattened text loses the cell boundaries in three ways, and the totals are what lets a
reader put them back:

* **run together** — fewer tokens than cells, digits without separators (``713000074`` =
  71|3|0|0|0|0|74; ``200 000121``): cut the tokens further, never across a separator;
* **Word line breaks** — more tokens than cells, a number broken over two lines (``1`` /
  ``62`` = 162): join neighbouring tokens, never cut one;
* **blank cells dropped** — fewer tokens than cells, each one a whole cell: the row prints its
  non-empty cells only, its total last (``46 0 46``; a row of zeros prints a single ``0``).

A reading is taken only when it is the only one that satisfies the printed totals. When several
do but agree on a group's total, the total is certain and the cells are not; when none does,
the row is unreadable. A wrong number is worse than a missing one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

# Digit runs longer than this are not cut further: the candidate splits explode and a unique
# answer becomes unlikely anyway.
MAX_SPLIT_DIGITS = 24
# A row with more readings than this is not read at all: agreement among the first few says
# nothing about the rest.
MAX_READINGS = 16

CELLS, TOTAL, UNREADABLE = "cells", "total", "unreadable"


@dataclass(frozen=True)
class GroupReading:
    """One group of a row: every cell (``values``), only its printed total, or nothing."""

    kind: str  # CELLS | TOTAL | UNREADABLE
    values: tuple[int, ...] = ()  # CELLS: the group's cells, its total last
    total: int | None = None  # CELLS and TOTAL


@dataclass(frozen=True)
class RowReading:
    groups: tuple[GroupReading, ...]
    how: str  # exact | run_together | word_breaks | blanks_dropped | ambiguous | unreadable
    sum_short: bool = False  # blanks dropped, and the cells printed add up to less than the total


def split_digits(tokens: tuple[str, ...], groups: tuple[int, ...], joins: bool = False,
                 cap: int = MAX_READINGS) -> list[tuple[int, ...]]:
    """The readings of digit tokens as ``sum(groups)`` numbers in which each group's last number
    is the sum of the others (no leading zeros), at most ``cap`` of them.

    ``joins=False``: every token boundary is a cell boundary, and tokens may be cut further (run
    together). ``joins=True``: cells end only at token boundaries, and neighbouring tokens may
    be joined (Word line breaks)."""
    return list(_split(tuple(tokens), tuple(groups), joins, cap))


@lru_cache(maxsize=1 << 12)
def _split(tokens: tuple[str, ...], groups: tuple[int, ...], joins: bool, cap: int) -> tuple[tuple[int, ...], ...]:
    digits = "".join(tokens)
    width, n = sum(groups), len(digits)
    if not digits.isdigit() or not digits.isascii() or n < width or (not joins and n > MAX_SPLIT_DIGITS):
        return ()
    ends = list(accumulate(len(t) for t in tokens))  # token boundaries
    is_end = [False] * (n + 1)
    for e in ends:
        is_end[e] = True
    # the first token boundary at or after each position (a cut-mode part may not cross it)
    next_end = [n] * (n + 1)
    nxt = n
    for pos in range(n, -1, -1):
        if is_end[pos]:
            nxt = pos
        next_end[pos] = nxt
    later = [sum(groups[g + 1:]) for g in range(len(groups))]

    def part_ends(pos: int, max_end: int):
        """Where a part starting at ``pos`` may end (ascending), up to ``max_end``."""
        if digits[pos] == "0":  # no leading zeros: "0" is a part of its own
            if (pos + 1 <= max_end) and (not joins or is_end[pos + 1]):
                yield pos + 1
            return
        stop = max_end if joins else min(max_end, next_end[pos + 1] if pos + 1 <= n else n)
        for end in range(pos + 1, stop + 1):
            if not joins or is_end[end]:
                yield end

    def fits(pos: int, end: int) -> bool:
        """May a part span [pos, end)?"""
        if end - pos > 1 and digits[pos] == "0":
            return False
        if joins:
            return is_end[end]
        return next_end[pos + 1] >= end if pos + 1 <= n else True

    memo: dict[tuple[int, int, int, int], int] = {}

    def count(g: int, pos: int, left: int, acc: int) -> int:
        """Completions (capped) with ``left`` addends of group g to go."""
        if g == len(groups):
            return 1 if pos == n else 0
        key = (g, pos, left, acc)
        found = memo.get(key)
        if found is not None:
            return found
        res = 0
        if left == 0:
            total = str(acc)
            end = pos + len(total)
            if digits.startswith(total, pos) and fits(pos, end):
                res = count(g + 1, end, groups[g + 1] - 1 if g + 1 < len(groups) else 0, 0)
        elif pos < n:
            # this addend, `left - 1` more, the total and every later part: one digit each at least
            for end in part_ends(pos, n - left - later[g]):
                part_sum = acc + int(digits[pos:end])
                if end + left - 1 + len(str(part_sum)) + later[g] > n:
                    break  # a longer addend leaves no room for the total either
                res += count(g, end, left - 1, part_sum)
                if res >= cap:
                    break
        memo[key] = res = min(res, cap)
        return res

    if count(0, 0, groups[0] - 1, 0) == 0:
        return ()
    out: list[tuple[int, ...]] = []

    def walk(g: int, pos: int, left: int, acc: int, values: list[int]) -> None:
        if len(out) >= cap or count(g, pos, left, acc) == 0:
            return
        if g == len(groups):
            out.append(tuple(values))
            return
        if left == 0:
            total = str(acc)
            walk(g + 1, pos + len(total), groups[g + 1] - 1 if g + 1 < len(groups) else 0, 0, values + [acc])
            return
        for end in part_ends(pos, n - left - later[g]):
            piece = int(digits[pos:end])
            walk(g, end, left - 1, acc + piece, values + [piece])
            if len(out) >= cap:
                return

    walk(0, 0, groups[0] - 1, 0, [])
    return tuple(out)


def _blanks_dropped(values: tuple[int, ...], size: int, short_ok: bool) -> GroupReading | None:
    """One group printed without its blank cells (its total last), or None if it cannot be.
    ``short_ok``: cells adding up to less than the total still give the total (a row of table
    三 stands alone; table 四's groups are told apart only by their totals adding up)."""
    if not values or len(values) > size:
        return None
    if len(values) == size:
        *cells, total = values
        return GroupReading(CELLS, values, total) if sum(cells) == total else None
    *cells, total = values
    if total == 0 and not any(cells):
        return GroupReading(CELLS, (0,) * size, 0)  # only zeros printed: every cell is 0
    if cells and (sum(cells) == total or (short_ok and sum(cells) < total)):
        return GroupReading(TOTAL, total=total)
    return None


def read_row(tokens: tuple[str, ...], groups: tuple[int, ...], drops_blanks: bool = False) -> RowReading:
    """Digit tokens of a row read against ``groups`` by the printed totals.

    More tokens than cells: only joins (Word line breaks). Fewer: cuts (run together), and, in a
    table that prints its rows without their blank cells (``drops_blanks``), that reading too; a
    group is read only as far as every possible reading agrees. In such a table a row whose
    printed cells add up to less than its total (a cell lost in printing) still gives its
    printed total."""
    width = sum(groups)
    if len(tokens) == width:
        return RowReading(tuple(_exact_groups(tuple(int(t) for t in tokens), groups)), "exact")
    joins = len(tokens) > width
    readings = split_digits(tokens, groups, joins=joins, cap=MAX_READINGS + 1)
    if len(readings) > MAX_READINGS:
        return RowReading(tuple(GroupReading(UNREADABLE) for _ in groups), "unreadable")
    cut = [tuple(_exact_groups(r, groups)) for r in readings]
    dropped = None if joins or not drops_blanks or any(len(t) > 1 and t[0] == "0" for t in tokens) else \
        _read_blanks_dropped(tuple(int(t) for t in tokens), groups)
    candidates = cut + ([dropped] if dropped is not None else [])
    if not candidates:
        return RowReading(tuple(GroupReading(UNREADABLE) for _ in groups), "unreadable")
    merged = tuple(_agree([c[g] for c in candidates]) for g in range(len(groups)))
    if len(candidates) > 1:
        how = "ambiguous"
    elif dropped is not None:
        how = "blanks_dropped"
    else:
        how = "word_breaks" if joins else "run_together"
    short = (dropped is not None and len(groups) == 1 and merged[0].kind == TOTAL
             and sum(int(t) for t in tokens[:-1]) < int(tokens[-1]))
    return RowReading(merged, how, short)


def _exact_groups(values: tuple[int, ...], groups: tuple[int, ...]) -> tuple[GroupReading, ...]:
    out, pos = [], 0
    for size in groups:
        out.append(GroupReading(CELLS, values[pos:pos + size], values[pos + size - 1]))
        pos += size
    return tuple(out)


def _agree(readings: list[GroupReading]) -> GroupReading:
    """What every reading of one group agrees on: all its cells, only its total, or nothing."""
    first = readings[0]
    if first.kind == CELLS and all(r.kind == CELLS and r.values == first.values for r in readings):
        return first
    if first.kind != UNREADABLE and all(r.kind != UNREADABLE and r.total == first.total for r in readings):
        return GroupReading(TOTAL, total=first.total)
    return GroupReading(UNREADABLE)


def _read_blanks_dropped(values: tuple[int, ...], groups: tuple[int, ...]) -> tuple[GroupReading, ...] | None:
    """The row's values split into its groups, each printed without its blank cells (table 四:
    3 8 0 1 12 | 0 1 0 1 2 | 1 0 1); None unless exactly one split fits."""
    found: list[tuple[GroupReading, ...]] = []

    def walk(g: int, pos: int, acc: tuple[GroupReading, ...]) -> None:
        if len(found) > 1:
            return
        if g == len(groups):
            if pos == len(values):
                found.append(acc)
            return
        rest = len(groups) - g - 1
        for end in range(pos + 1, min(len(values) - rest, pos + groups[g]) + 1):
            group = _blanks_dropped(values[pos:end], groups[g], len(groups) == 1)
            if group is not None:
                walk(g + 1, end, acc + (group,))

    walk(0, 0, ())
    return found[0] if len(found) == 1 else None


def plain_split(digits: str, parts: int) -> tuple[int, ...] | None:
    """The one way to read a run of digits as ``parts`` numbers without leading zeros (a row
    with no printed total: ``000`` = 0|0|0, ``007`` = 0|0|7), or None."""
    found: list[tuple[int, ...]] = []

    def walk(pos: int, left: int, acc: tuple[int, ...]) -> None:
        if len(found) > 1:
            return
        if left == 0:
            if pos == len(digits):
                found.append(acc)
            return
        ends = [pos + 1] if digits[pos:pos + 1] == "0" else range(pos + 1, len(digits) - left + 2)
        for end in ends:
            if end <= len(digits):
                walk(end, left - 1, acc + (int(digits[pos:end]),))

    if digits.isdigit() and digits.isascii() and parts <= len(digits) <= MAX_SPLIT_DIGITS:
        walk(0, parts, ())
    return found[0] if len(found) == 1 else None
