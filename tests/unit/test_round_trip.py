"""Round trip: generated reports (tests/generator) parse back to exactly what they print.

Every format × layout, every perturbation (in txt/html, and in PDF/DOCX) and every breakable
rule is drawn by hypothesis from an integer seed (a falsifying example prints the seed;
``draw_case(random.Random(seed), …)`` rebuilds the case). Each example must give back

* every expected cell exactly (value, or None for a blank printed total) and no other cell,
* the metadata exactly (agency, year, template, script, publication date, 索引号),
* the parse status (``complete``; ``partial`` when a no-separator row cannot be split
  uniquely; ``narrative_only`` when the tables are missing),
* the reconciliation flags: exactly the (rule, scope) pairs the spec breaks fail, and a
  report whose printed totals do not add up keeps the printed values and has
  ``is_reconciled is False``.

Examples are few per combination so the file stays fast (PDF and DOCX fewer still: rendering
them is slow); ``bench/accuracy.py`` is the big run.
"""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.parse.pipeline import parse_bytes
from nianbao.vocabulary.loader import load
from tests.generator import (
    BLANK_FREE_LAYOUTS,
    BREAKABLE_RULES,
    LAYOUTS,
    PERTURBATIONS,
    Case,
    random_spec,
    why_unsupported,
)
from tests.generator.render import TEMPLATE_DOCX

SEEDS = st.integers(0, 2**32 - 1)
FAST = ("txt", "html")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16")


def _settings(n: int):
    return settings(max_examples=n, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _layouts(fmt: str) -> tuple[str, ...]:
    return tuple(lay for lay in LAYOUTS[fmt] if lay != "template" or TEMPLATE_DOCX.is_file())


def draw_case(rng: random.Random, formats: tuple[str, ...] = FAST, *, layout: str | None = None,
              require: frozenset[str] = frozenset(), consistent: bool | None = None,
              break_rule: str | None = None, max_extra: int = 3) -> Case | None:
    """A renderable case like ``random_case``, but with a fixed layout and/or perturbations
    that must be present (None when no format × layout can show them)."""
    combos = [(f, lay) for f in formats for lay in _layouts(f) if layout is None or lay == layout]
    rng.shuffle(combos)
    for fmt, lay in combos:
        template = "2021" if lay == "template" else ("2019" if "extra_local_row" in require else None)
        blank_free = lay in BLANK_FREE_LAYOUTS and "missing_tables" not in require
        blank_rate = 0.0 if blank_free or rng.random() < 0.6 else rng.choice((0.2, 0.5, 0.9))
        if consistent is None:
            consistent_ = rng.random() < 0.7 if break_rule is None else False
        else:
            consistent_ = consistent
        spec = random_spec(rng, template, consistent=consistent_, blank_rate=blank_rate, break_rule=break_rule,
                           show_metadata=True if "repeated_metadata" in require else None)
        if why_unsupported(spec, lay, fmt, require, None) is not None:
            continue
        chosen = set(require)
        pool = sorted(PERTURBATIONS - chosen)
        rng.shuffle(pool)
        for name in pool[:rng.randint(0, max_extra)]:
            if why_unsupported(spec, lay, fmt, chosen | {name}, None) is None:
                chosen.add(name)
        encoding = None
        if fmt in FAST:
            encoding = rng.choices(ENCODINGS, weights=(50, 10, 20, 10, 10))[0]
            if why_unsupported(spec, lay, fmt, chosen, encoding) is not None:
                encoding = "gb18030" if why_unsupported(spec, lay, fmt, chosen, "gb18030") is None else "utf-8"
        if why_unsupported(spec, lay, fmt, chosen, encoding) is not None:
            continue
        return Case(spec, fmt, lay, frozenset(chosen), encoding, rng.randrange(2**32))
    return None


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def check_round_trip(case: Case) -> None:
    name, data = case.render()
    r = parse_bytes(data, name)
    where = (f"{case.fmt}/{case.layout} {sorted(case.perturbations)} {case.encoding} "
             f"template {case.spec.template}, broken {case.spec.broken_rule}")
    assert r.parse_status != "rejected", f"{where}: rejected: {r.rejection_reason}"

    want = case.expected_cells()
    got = {(c.table_id, c.row_id, c.col_id): c.value for c in r.cells}
    wrong = {k: (got.get(k, "missing"), v) for k, v in want.items() if k not in got or not _close(got[k], v)}
    extra = sorted(set(got) - set(want))
    assert not wrong and not extra, f"{where}: cells (got, want) {dict(list(wrong.items())[:8])}; extra {extra[:8]}"

    md = r.metadata
    got_md = {"agency": md.agency_name, "report_year": md.report_year, "template": r.template,
              "original_script": r.original_script, "published_on": md.published_on,
              "index_number": md.index_number}
    assert got_md == case.expected_metadata(), f"{where}: metadata"

    assert r.parse_status == case.expected_status(), f"{where}: status {r.parse_status}: {r.rejection_reason}"
    unreadable = {(n.code, n.message.split(":")[0]) for n in r.notes if n.code == "row_unreadable"}
    assert bool(unreadable) == bool(case.expected_unreadable()), f"{where}: unreadable rows {unreadable}"

    flags = {(x.rule, x.scope_id) for x in r.rules if x.passed is False}
    want_flags = set(case.expected_flags())
    assert flags == want_flags, f"{where}: flags: unexpected {sorted(flags - want_flags)}, missing {sorted(want_flags - flags)}"
    severity = {rule.id: rule.severity for rule in load().rules}
    if any(severity[rule] == "error" for rule, _ in want_flags):
        assert r.is_reconciled is False, f"{where}: a report whose totals do not add up must be flagged"
    elif r.is_reconciled is not None:
        assert r.is_reconciled is True, where


# ---------------------------------------------------------------- every format × layout

COMBOS = [(f, lay, n) for f, n in (("txt", 20), ("html", 40), ("pdf", 6), ("docx", 8)) for lay in _layouts(f)]


@pytest.mark.parametrize("fmt,layout,n", COMBOS, ids=[f"{f}-{lay}" for f, lay, _ in COMBOS])
def test_round_trip_every_format_and_layout(fmt, layout, n):
    @_settings(n)
    @given(seed=SEEDS)
    def run(seed):
        case = draw_case(random.Random(seed), (fmt,), layout=layout)
        assert case is not None
        check_round_trip(case)

    run()


# ---------------------------------------------------------------- every perturbation

@pytest.mark.parametrize("perturbation", sorted(PERTURBATIONS))
@_settings(12)
@given(seed=SEEDS)
def test_round_trip_every_perturbation(perturbation, seed):
    case = draw_case(random.Random(seed), FAST, require=frozenset({perturbation}))
    assert case is not None, f"no txt/html layout shows {perturbation}"
    check_round_trip(case)


def _shown_in(formats: tuple[str, ...]) -> list[str]:
    """The perturbations some layout of these formats can show (word_breaks is a text export's)."""
    specs = [random_spec(random.Random(0), t, blank_rate=0.0, show_metadata=True) for t in ("2019", "2021")]
    return [p for p in sorted(PERTURBATIONS)
            if any(why_unsupported(spec, lay, f, {p}) is None for spec in specs for f in formats for lay in _layouts(f))]


@pytest.mark.parametrize("perturbation", _shown_in(("pdf", "docx")))
@_settings(2)
@given(seed=SEEDS)
def test_round_trip_perturbations_in_pdf_and_docx(perturbation, seed):
    case = draw_case(random.Random(seed), ("pdf", "docx"), require=frozenset({perturbation}), max_extra=1)
    assert case is not None
    check_round_trip(case)


# ---------------------------------------------------------------- reports that do not add up

@pytest.mark.parametrize("rule", BREAKABLE_RULES)
@_settings(12)
@given(seed=SEEDS)
def test_broken_totals_are_kept_and_flagged(rule, seed):
    """Printed totals that do not add up are read as printed, and exactly the broken
    rule's scopes fail (minus those a blank total or an unreadable row keeps unevaluated)."""
    case = draw_case(random.Random(seed), FAST, break_rule=rule)
    assert case is not None
    check_round_trip(case)


# ---------------------------------------------------------------- damaged files

@_settings(25)
@given(seed=SEEDS, cut=st.floats(0.0, 1.0), flips=st.integers(0, 40))
def test_damaged_files_never_crash(seed, cut, flips):
    """Truncated or byte-flipped files of every format end as a result (a rejected one with a
    reason), never as an exception."""
    rng = random.Random(seed)
    case = draw_case(rng, ("txt", "html", "docx") if seed % 5 else ("pdf",), max_extra=1)
    name, data = case.render()
    data = bytearray(data[: max(1, int(len(data) * cut))])
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    r = parse_bytes(bytes(data), name)
    assert r.parse_status in ("complete", "partial", "narrative_only", "metadata_only", "rejected")
    if r.parse_status == "rejected":
        assert r.rejection_reason
