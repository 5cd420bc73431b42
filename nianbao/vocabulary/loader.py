"""Load the vocabulary (vocabulary/vocabulary.yaml) once and expose it as typed lookups.

Everything that needs a label, an id or a rule reads it from here: the table parser, the
dimension tables (``dimension_tables``), the Great Expectations suites and the docs.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Entry:
    """One vocabulary item: an id, its Chinese label and the stems that recognise it."""

    id: str
    label_zh: str
    stems: tuple[re.Pattern, ...]
    sort_order: int = 0
    group: str | None = None  # applicant_group for applicants, category for outcomes
    templates: tuple[str, ...] = ()
    parent: str | None = None
    leaf_when: str | None = None

    def matches(self, label: str) -> bool:
        return any(p.search(label) for p in self.stems)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str
    statement_zh: str
    basis: str
    table: str | None = None
    per: str | None = None
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    min_right: int = 1  # legacy rules: right-hand measures that must be present
    evidence: str = "table"  # table | narrative: fct_reconciliation.source


Expression = tuple[tuple[str, ...], ...]  # alternatives, each a sum of ids


def parse_expression(text: str) -> Expression:
    """'a + b | c' → (('a', 'b'), ('c',)): alternatives (first present wins), each a sum. An id
    written '!m' stays '!m': the alternative is taken only when m is present (see ``choose``)."""
    return tuple(tuple(t.strip() for t in alt.split("+") if t.strip()) for alt in text.split("|") if alt.strip())


def expression_ids(alternative: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.lstrip("!") for t in alternative)


def choose(alternatives: Expression, present) -> int | None:
    """Index of the first alternative that has a present id and all its '!' ids present."""
    for i, (required, ids) in enumerate(_split_alternatives(alternatives)):
        if all(r in present for r in required) and any(t in present for t in ids):
            return i
    return None


@cache
def _split_alternatives(alternatives: Expression) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Per alternative: its '!' ids and all its ids (expressions are vocabulary data, few and
    reused for every report, so this is worked out once)."""
    return tuple((tuple(t[1:] for t in alt if t.startswith("!")), expression_ids(alt)) for alt in alternatives)


@dataclass(frozen=True)
class LegacyVariant:
    """One way a legacy measure is printed: a fixed channel (or none) and its phrases."""

    channel: str | None
    labels: tuple[str, ...]  # regexes searched in a row label of an old statistical table
    phrases: tuple[str, ...]  # regexes ending right before the number in prose
    zero: tuple[str, ...]  # regexes of statements that the measure is 0


@dataclass(frozen=True)
class LegacyMeasure:
    id: str
    label_zh: str
    group: str
    unit: str  # canonical unit: 件, 条, 人次, 人, 次, 篇 or 元 (amounts)
    units: str  # regex of the printed units accepted
    variants: tuple[LegacyVariant, ...]
    sort_order: int
    prose_2019: bool = False  # also read from the prose of 2019+ reports
    context: str | None = None  # parent measure it is only read under
    channel_template: str | None = None  # channel from a label's capture groups ('scope_{1}')
    leaf: str | None = None  # format-spec §5.8's suggested 2019+ leaf
    leaf_match: str | None = None  # exact | approx | unverified

    @property
    def is_amount(self) -> bool:
        return self.unit == "元"


@dataclass(frozen=True)
class Crosswalk:
    """Legacy measures (or 2019+ prose figures) → one cell of the contract's facts."""

    table: str
    row: str
    col: str
    source: Expression
    match: str
    templates: tuple[str, ...] = ()  # empty: every template
    printed_total: bool = False
    compare_only: bool = False  # no cell of the facts: only compared with the report's table
    compare_rows: tuple[str, ...] = ()
    compare_col: str | None = None
    note: str | None = None

    def applies_to(self, template: str) -> bool:
        return not self.templates or template in self.templates

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for alt in self.source for m in expression_ids(alt)))


@dataclass(frozen=True)
class Vocabulary:
    raw: dict
    templates: tuple[dict, ...]
    sections: tuple[Entry, ...]
    applicant_types: tuple[Entry, ...]
    t3_total_column: Entry
    flows: tuple[Entry, ...]
    outcome_categories: tuple[Entry, ...]
    outcomes: tuple[Entry, ...]
    t3_total_row: Entry
    proceedings: tuple[Entry, ...]
    results: tuple[Entry, ...]
    t4_total_column: Entry
    disclosure_items: tuple[Entry, ...]
    disclosure_measures: tuple[dict, ...]
    disclosure_layout: dict[str, dict[str, list[str]]]
    rules: tuple[Rule, ...]
    proceedings_unprinted: tuple[Entry, ...] = ()
    results_unprinted: tuple[Entry, ...] = ()
    legacy_measures: tuple[LegacyMeasure, ...] = ()
    legacy_crosswalk: tuple[Crosswalk, ...] = ()
    legacy_families: tuple[dict, ...] = ()
    legacy_channels: tuple[Entry, ...] = ()
    legacy_traps: tuple[dict, ...] = ()
    legacy_empty_sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    legacy_empty_body: str = "$^"
    metadata: dict = field(default_factory=dict)  # agency_boilerplate, report_references

    @property
    def table_applicants(self) -> tuple[Entry, ...]:
        """The six printed applicant columns of table 三 (not `unspecified`)."""
        return tuple(a for a in self.applicant_types if a.id != "unspecified")

    def outcomes_for(self, template: str) -> tuple[Entry, ...]:
        return tuple(o for o in self.outcomes if template in o.templates)

    def template_markers(self) -> dict[str, list[str]]:
        return {t["id"]: list(t["markers"]) for t in self.templates}

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    @property
    def all_proceedings(self) -> tuple[Entry, ...]:
        """Printed proceedings of table 四 plus those only prose or old reports give."""
        return self.proceedings + self.proceedings_unprinted

    @property
    def all_results(self) -> tuple[Entry, ...]:
        return self.results + self.results_unprinted

    def legacy_measure(self, measure_id: str) -> LegacyMeasure:
        return next(m for m in self.legacy_measures if m.id == measure_id)

    def crosswalk_of(self, measure_id: str) -> Crosswalk | None:
        """The crosswalk entry a legacy measure feeds (first listed), if any."""
        return next((c for c in self.legacy_crosswalk if measure_id in c.measures), None)


def _entry(d: dict) -> Entry:
    return Entry(
        id=str(d["id"]),
        label_zh=d.get("label_zh", ""),
        stems=tuple(re.compile(s) for s in d.get("stems", [])),
        sort_order=int(d.get("sort_order", 0)),
        group=d.get("group") or d.get("category"),
        templates=tuple(str(t) for t in d.get("templates", [])),
        parent=d.get("parent"),
        leaf_when=d.get("leaf_when"),
    )


def _rule(d: dict) -> Rule:
    return Rule(
        id=d["id"], severity=d["severity"], scope=d["scope"], statement_zh=d["statement_zh"],
        basis=d["basis"], table=d.get("table"), per=d.get("per"),
        left=tuple(d.get("left", [])), right=tuple(d.get("right", [])),
        min_right=int(d.get("min_right", 1)), evidence=d.get("evidence", "table"),
    )


_COUNT_UNITS = "件|条|宗|个|起|次|人次|例|项"
_AMOUNT_UNITS = "万元|元"


def _legacy_measure(d: dict, n: int) -> LegacyMeasure:
    def variant(v: dict, channel: str | None) -> LegacyVariant:
        return LegacyVariant(channel=v.get("channel", channel), labels=tuple(v.get("labels", [])),
                             phrases=tuple(v.get("phrases", [])), zero=tuple(v.get("zero", [])))

    variants = tuple(variant(v, None) for v in d["variants"]) if "variants" in d else (variant(d, d.get("channel")),)
    leaf = d.get("leaf") or {}
    unit = d["unit"]
    return LegacyMeasure(
        id=d["id"], label_zh=d["label_zh"], group=d["group"], unit=unit,
        units=d.get("units", _AMOUNT_UNITS if unit == "元" else _COUNT_UNITS),
        variants=variants, sort_order=n + 1, prose_2019=bool(d.get("prose_2019", False)),
        context=d.get("context"), channel_template=d.get("channel_template"),
        leaf=leaf.get("id"), leaf_match=leaf.get("match"),
    )


def _crosswalk(d: dict) -> Crosswalk:
    compare = d.get("compare") or {}
    return Crosswalk(
        table=d["table"], row=d["row"], col=d.get("col", "unspecified"), source=parse_expression(d["from"]),
        match=d["match"], templates=tuple(str(t) for t in d.get("templates", [])),
        printed_total=bool(d.get("printed_total", False)), compare_only=bool(d.get("compare_only", False)),
        compare_rows=tuple(compare.get("rows", [])), compare_col=compare.get("col"), note=d.get("note"),
    )


def _vocabulary_text() -> str:
    return resources.files("nianbao.vocabulary").joinpath("vocabulary.yaml").read_text("utf-8")


@cache
def digest() -> str:
    """md5 of vocabulary.yaml: changes whenever any label, id or rule does."""
    return hashlib.md5(_vocabulary_text().encode("utf-8")).hexdigest()


@cache
def load() -> Vocabulary:
    text = _vocabulary_text()
    # libyaml's safe loader when present: the same result, much faster than pure Python (this
    # runs in every process of a run, parser workers included)
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Vocabulary(
        raw=raw,
        templates=tuple(raw["templates"]),
        sections=tuple(_entry(d) for d in raw["sections"]),
        applicant_types=tuple(_entry(d) for d in raw["applicant_types"]),
        t3_total_column=_entry(raw["table3_total_column"]),
        flows=tuple(_entry(d) for d in raw["flows"]),
        outcome_categories=tuple(_entry(d) for d in raw["outcome_categories"]),
        outcomes=tuple(_entry(d) for d in raw["outcomes"]),
        t3_total_row=_entry(raw["table3_total_row"]),
        proceedings=tuple(_entry(d) for d in raw["proceedings"]),
        results=tuple(_entry(d) for d in raw["results"]),
        t4_total_column=_entry(raw["table4_total_column"]),
        disclosure_items=tuple(_entry(d) for d in raw["disclosure_items"]),
        disclosure_measures=tuple(raw["disclosure_measures"]),
        disclosure_layout={str(k): v for k, v in raw["disclosure_layout"].items()},
        rules=tuple(_rule(d) for d in raw["rules"]),
        proceedings_unprinted=tuple(_entry(d) for d in raw.get("proceedings_unprinted", [])),
        results_unprinted=tuple(_entry(d) for d in raw.get("results_unprinted", [])),
        legacy_measures=tuple(_legacy_measure(d, n) for n, d in enumerate(raw.get("legacy_measures", []))),
        legacy_crosswalk=tuple(_crosswalk(d) for d in raw.get("legacy_crosswalk", [])),
        legacy_families=tuple(raw.get("legacy_families", [])),
        legacy_channels=tuple(_entry(d) for d in raw.get("legacy_channels", [])),
        legacy_traps=tuple(raw.get("legacy_traps", [])),
        legacy_empty_sections={k: tuple(v) for k, v in raw.get("legacy_empty_sections", {}).items()},
        legacy_empty_body=raw.get("legacy_empty_body", "$^"),
        metadata=raw.get("metadata", {}),
    )
