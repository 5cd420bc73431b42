"""What a correct reader can take from a table row as it is printed (independent of the parser).

A row of table 三 has one group of 7 cells, table 四's data row three groups of 5; each group's
last cell is the printed total of the others. When the printed tokens do not number the cells
(digits run together, numbers broken by Word, blank cells dropped), a reader may only take what
every reading that satisfies the printed totals agrees on (format-spec §2, issue 15):

* more tokens than cells: neighbouring tokens joined (a number broken over two lines);
* fewer: tokens cut further (never across a separator) — and, where the report prints its rows
  without their blank cells, the tokens as whole cells with the total last;
* per group: every cell when all readings agree, only the total when they agree on it, else
  nothing. The parser's documented limits apply: no cutting of rows of more than
  ``MAX_DIGITS`` digits, and a row with more than ``MAX_READINGS`` readings is not read.

``row_reading(tokens, groups, drops_blanks)`` → per group ``("cells", values)``,
``("total", total)`` or ``("unreadable", None)``. Written apart from nianbao.parse.row_values on
purpose: the round-trip tests compare the two.
"""
from __future__ import annotations

MAX_DIGITS = 24  # nianbao.parse.row_values.MAX_SPLIT_DIGITS
MAX_READINGS = 16  # nianbao.parse.row_values.MAX_READINGS

Reading = tuple[tuple[str, object], ...]


def _valid_number(text: str) -> bool:
    return text.isdigit() and (text == "0" or text[0] != "0")


def _groups_hold(values: list[int], groups: tuple[int, ...]) -> bool:
    pos = 0
    for g in groups:
        if sum(values[pos:pos + g - 1]) != values[pos + g - 1]:
            return False
        pos += g
    return True


def _readings(tokens: tuple[str, ...], groups: tuple[int, ...], joins: bool, limit: int) -> list[tuple[int, ...]]:
    """Readings of the tokens as sum(groups) numbers, each group's last the sum of the others.

    joins: a number spans whole neighbouring tokens; else: a number lies inside one token.
    Depth-first over the numbers, with a memo of the states from which no reading follows."""
    digits = "".join(tokens)
    starts, pos = set(), 0
    for t in tokens:
        starts.add(pos)
        pos += len(t)
    edges = starts | {len(digits)}  # positions between tokens, and both ends

    def can_end(a: int, b: int) -> bool:
        piece = digits[a:b]
        if not _valid_number(piece):
            return False
        if joins:
            return b in edges
        return not any(a < e < b for e in edges)

    dead: set[tuple[int, int, int, int]] = set()
    out: list[tuple[int, ...]] = []

    def walk(g: int, k: int, pos: int, acc: int, values: list[int]) -> bool:
        """k: the index of the number within group g. True if a reading was found below."""
        if len(out) >= limit:
            return True
        if g == len(groups):
            if pos == len(digits):
                out.append(tuple(values))
                return True
            return False
        state = (g, k, pos, acc)
        if state in dead:
            return False
        found = False
        if k == groups[g] - 1:  # the group's total: its digits are fixed by the sum
            text = str(acc)
            if digits.startswith(text, pos) and can_end(pos, pos + len(text)):
                found = walk(g + 1, 0, pos + len(text), 0, values + [acc])
        else:
            later = sum(groups[g + 1:])
            for end in range(pos + 1, len(digits) + 1):
                value = int(digits[pos:end])
                # the addends still to come, the total (at least as long as the sum so far) and
                # one digit for each later number must fit in what is left
                if len(digits) - end < groups[g] - 2 - k + len(str(acc + value)) + later:
                    break
                if can_end(pos, end):
                    found |= walk(g, k + 1, end, acc + value, values + [value])
                if len(out) >= limit:
                    return True
        if not found:
            dead.add(state)
        return found

    walk(0, 0, 0, 0, [])
    return out


def joined_readings(tokens: tuple[str, ...], groups: tuple[int, ...], limit: int) -> list[tuple[int, ...]]:
    """Readings that join neighbouring tokens (tokens > cells)."""
    return _readings(tokens, groups, True, limit)


def cut_readings(tokens: tuple[str, ...], groups: tuple[int, ...], limit: int) -> list[tuple[int, ...]]:
    """Readings that cut tokens into more numbers (tokens < cells), never across a token."""
    if len("".join(tokens)) > MAX_DIGITS:
        return []
    return _readings(tokens, groups, False, limit)


def _dropped_group(values: list[int], size: int, alone: bool):
    """One group printed without its blank cells; None when it cannot be."""
    if len(values) == size:
        return ("cells", tuple(values)) if sum(values[:-1]) == values[-1] else None
    if not any(values):
        return ("cells", (0,) * size)
    head, total = values[:-1], values[-1]
    if head and (sum(head) == total or (alone and sum(head) < total)):
        return ("total", total)
    return None


def dropped_reading(tokens: tuple[str, ...], groups: tuple[int, ...]) -> Reading | None:
    """The tokens as whole cells of groups printed without their blank cells, if exactly one
    division into the groups fits."""
    if any(not _valid_number(t) for t in tokens):
        return None
    values = [int(t) for t in tokens]
    found = []

    def sizes(g: int, left: int):
        if g == len(groups):
            if left == 0:
                yield ()
            return
        for k in range(1, min(groups[g], left) + 1):
            for rest in sizes(g + 1, left - k):
                yield (k, *rest)

    for split in sizes(0, len(values)):
        pos, reading = 0, []
        for k, size in zip(split, groups):
            r = _dropped_group(values[pos:pos + k], size, len(groups) == 1)
            if r is None:
                break
            reading.append(r)
            pos += k
        else:
            found.append(tuple(reading))
    return found[0] if len(found) == 1 else None


def row_reading(tokens: tuple[str, ...], groups: tuple[int, ...], drops_blanks: bool = False) -> Reading:
    width = sum(groups)
    if len(tokens) == width:
        values, out, pos = [int(t) for t in tokens], [], 0
        for g in groups:
            out.append(("cells", tuple(values[pos:pos + g])))
            pos += g
        return tuple(out)
    readings: list[Reading] = []
    if len(tokens) > width:
        found = joined_readings(tokens, groups, MAX_READINGS + 1)
    else:
        found = cut_readings(tokens, groups, MAX_READINGS + 1)
    if len(found) > MAX_READINGS:
        return tuple(("unreadable", None) for _ in groups)
    for values in found:
        pos, r = 0, []
        for g in groups:
            r.append(("cells", tuple(values[pos:pos + g])))
            pos += g
        readings.append(tuple(r))
    if drops_blanks and len(tokens) < width:
        dropped = dropped_reading(tokens, groups)
        if dropped is not None:
            readings.append(dropped)
    out = []
    for g in range(len(groups)):
        mine = [r[g] for r in readings]
        if mine and all(m[0] == "cells" for m in mine) and len({m[1] for m in mine}) == 1:
            out.append(mine[0])
        elif mine and len({m[1][-1] if m[0] == "cells" else m[1] for m in mine}) == 1:
            first = mine[0]
            out.append(("total", first[1][-1] if first[0] == "cells" else first[1]))
        else:
            out.append(("unreadable", None))
    return tuple(out)


def drops_blanks_evidence(rows: list[tuple[str, ...]], width: int) -> bool:
    """A table prints rows without their blank cells when a third of its rows, three at least,
    print fewer whole numbers than cells with the last the sum of the others."""
    n = 0
    for tokens in rows:
        if 0 < len(tokens) < width and all(_valid_number(t) for t in tokens):
            values = [int(t) for t in tokens]
            n += sum(values[:-1]) == values[-1]
    return n >= 3 and 3 * n >= len(rows)
