"""Literal pre-filters for regular expressions: skip a regex scan that cannot match.

Python's regex engine has no fast scan for a pattern that starts with an alternation or an
optional part, so running dozens of vocabulary patterns over every report is slow although
most of them find nothing. ``required_literals(pattern)`` reads the pattern's syntax tree and
returns strings that every match must contain: when a text lacks them, the scan is skipped —
exactly the same result, found with a few ``str in str`` tests (C ``memchr``-speed).
"""
from __future__ import annotations

import re

from nianbao.parse.fast.regex_syntax import constants as C
from nianbao.parse.fast.regex_syntax import parser as P

Needs = tuple[tuple[str, ...], ...]  # all of these groups, one string of each group

_MAX_NEEDS = 3


def required_literals(pattern: str | re.Pattern) -> Needs:
    """Groups of strings such that every match of ``pattern`` contains, for every group, at least
    one of its strings. ``()`` when nothing is required (then nothing can be skipped)."""
    if isinstance(pattern, re.Pattern):
        flags, pattern = pattern.flags, pattern.pattern
    else:
        flags = 0
    tree = P.parse(pattern, flags)
    if tree.state.flags & re.IGNORECASE:
        return ()
    needs = _conj(tree.data)
    if needs is None:
        return ()
    # the most selective groups first: long strings, few alternatives
    needs = sorted(set(needs), key=lambda g: (-min(map(len, g)), len(g)))
    return tuple(needs[:_MAX_NEEDS])


def may_match(needs: Needs, text: str) -> bool:
    """False when ``text`` lacks a required literal (so the pattern cannot match in it)."""
    for group in needs:
        for s in group:
            if s in text:
                break
        else:
            return False
    return True


def _conj(items) -> list[tuple[str, ...]] | None:
    """Required groups of a sequence of items (None: the sequence uses something this reader
    does not understand, e.g. a case-insensitive group — then nothing is claimed)."""
    out: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(("".join(run),))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        flush()  # a run of literals is a substring of every match; anything else ends it
        if op is C.IN:
            if all(o is C.LITERAL for o, _ in av):
                out.append(tuple(sorted({chr(v) for _, v in av})))
        elif op is C.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & re.IGNORECASE:
                return None
            inner = _conj(sub.data)
            if inner is None:
                return None
            out.extend(inner)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            inner = _conj(sub.data)
            if inner is None:
                return None
            if lo >= 1:
                out.extend(inner)
        elif op is C.BRANCH:
            union: set[str] = set()
            complete = True
            for alt in av[1]:
                inner = _conj(alt.data)
                if inner is None:
                    return None
                if not inner:
                    complete = False  # an alternative requires nothing: the branch requires nothing
                    continue
                best = min(inner, key=lambda g: (-min(map(len, g)), len(g)))
                union.update(best)
            if complete and union:
                out.append(tuple(sorted(union)))
        elif op in (C.ASSERT, C.ASSERT_NOT):
            # zero-width, and a look-behind may see text outside the scanned span: no claim,
            # but a case-insensitive group inside still voids everything
            if _conj(av[1].data) is None:
                return None
        # AT, ANY, NOT_LITERAL, CATEGORY, GROUPREF, ATOMIC_GROUP …: no requirement
    flush()
    return out
