"""Load the vocabulary (vocabulary/vocabulary.yaml) once and expose it as typed lookups.

Everything that needs a label, an id or a rule reads it from here: the table parser, the
dimension tables (``dimension_tables``), the Great Expectations suites and the docs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
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
    )


@cache
def load() -> Vocabulary:
    text = resources.files("nianbao.vocabulary").joinpath("vocabulary.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
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
    )


def dimension_tables() -> dict[str, list[dict]]:
    """Rows for the raw.vocab_* tables that dbt turns into the dim_* tables."""
    v = load()
    groups = {g["id"]: g["label_zh"] for g in v.raw["applicant_groups"]}
    categories = {c.id: c for c in v.outcome_categories}
    return {
        "vocab_applicant_types": [
            {"applicant_type": a.id, "label_zh": a.label_zh, "applicant_group": a.group,
             "applicant_group_label_zh": groups[a.group], "sort_order": a.sort_order}
            for a in v.applicant_types
        ],
        "vocab_flows": [
            {"flow": f.id, "label_zh": f.label_zh, "sort_order": f.sort_order} for f in v.flows
        ],
        "vocab_outcomes": [
            {"outcome": o.id, "outcome_category": o.group,
             "outcome_category_label_zh": categories[o.group].label_zh,
             "category_sort_order": categories[o.group].sort_order,
             "label_zh": o.label_zh, "sort_order": o.sort_order,
             "templates": ",".join(o.templates),
             "is_unspecified": o.id.endswith("_unspecified")}
            for o in v.outcomes
        ],
        "vocab_proceeding_results": [
            {"proceeding": p.id, "proceeding_label_zh": p.label_zh,
             "result": r.id, "result_label_zh": r.label_zh,
             "sort_order": p.sort_order * 10 + r.sort_order}
            for p in v.proceedings for r in v.results
        ],
        "vocab_disclosure_items": [
            {"item": i.id, "label_zh": i.label_zh, "article": v.raw["disclosure_items"][n]["article"],
             "sort_order": i.sort_order}
            for n, i in enumerate(v.disclosure_items)
        ],
        "vocab_disclosure_measures": [
            {"measure": m["id"], "label_zh": m["label_zh"], "templates": m["template"], "unit": m["unit"]}
            for m in v.disclosure_measures
        ],
        "vocab_rules": [
            {"rule": r.id, "severity": r.severity, "scope": r.scope, "statement_zh": r.statement_zh,
             "basis": r.basis}
            for r in v.rules
        ],
    }
