"""Render docs/vocabulary.md from the vocabulary (python -m nianbao.vocabulary.docs > docs/vocabulary.md)."""
from __future__ import annotations

import sys

from nianbao.vocabulary.dimensions import dimension_tables
from nianbao.vocabulary.loader import load


def _table(rows: list[dict], columns: list[str]) -> list[str]:
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(str(r.get(c, "")).replace("|", "\\|") for c in columns) + " |")
    return out


def render() -> str:
    v = load()
    dims = dimension_tables()
    lines = [
        "# The nianbao vocabulary",
        "",
        "Generated from `nianbao/vocabulary/vocabulary.yaml` by `python -m nianbao.vocabulary.docs`; do not edit by hand.",
        "These ids are the values of the warehouse's dimension columns.",
        "",
        "## Applicant types (table 三 columns) — `dim_applicant_type`",
        "",
        *_table(dims["vocab_applicant_types"], ["applicant_type", "label_zh", "applicant_group", "sort_order"]),
        "",
        "## Flows (table 三 rows 一, 二, 四) — `fct_applications.flow`",
        "",
        *_table(dims["vocab_flows"], ["flow", "label_zh", "sort_order"]),
        "",
        "## Outcomes (table 三 rows under 三、本年度办理结果) — `dim_outcome`",
        "",
        *_table(dims["vocab_outcomes"], ["outcome", "outcome_category", "label_zh", "templates", "sort_order"]),
        "",
        "## Proceedings and results (table 四) — `dim_proceeding_result`",
        "",
        *_table(dims["vocab_proceeding_results"], ["proceeding", "proceeding_label_zh", "result", "result_label_zh"]),
        "",
        "## Table 二 items and measures — `fct_proactive_disclosure`",
        "",
        *_table(dims["vocab_disclosure_items"], ["item", "label_zh", "article"]),
        "",
        *_table(dims["vocab_disclosure_measures"], ["measure", "label_zh", "templates", "unit"]),
        "",
        "## Legacy measures (pre-2019 reports, format-spec §5.8) — `dim_legacy_measure`, `fct_legacy_measures`",
        "",
        "`fact_*`: the contract cell a measure is crosswalked into (applicant column `unspecified`);",
        "`suggested_leaf`: format-spec §5.8's lossy leaf-level mapping, for reference.",
        "",
        *_table(dims["vocab_legacy_measures"], ["measure", "label_zh", "measure_group", "unit", "channels",
                                                "read_in_2019_prose", "suggested_leaf", "suggested_leaf_match",
                                                "fact_row", "fact_col", "fact_templates", "fact_match"]),
        "",
        "### Crosswalk into the facts (`legacy_crosswalk`)",
        "",
        *_table([{"cell": f"{c.table} {c.row} × {c.col}", "from": " | ".join(" + ".join(a) for a in c.source),
                  "match": c.match, "templates": ",".join(c.templates) or "all",
                  "printed_total": c.printed_total, "note": c.note or ""} for c in v.legacy_crosswalk],
                ["cell", "from", "match", "templates", "printed_total", "note"]),
        "",
        "### Outline families",
        "",
        *_table([{"id": f["id"], "label_zh": f["label_zh"], "markers": "、".join(f["markers"])} for f in v.legacy_families],
                ["id", "label_zh", "markers"]),
        "",
        "## Reconciliation rules (勾稽关系) — `fct_reconciliation.rule`",
        "",
        *_table(dims["vocab_rules"], ["rule", "severity", "scope", "statement_zh", "basis"]),
        "",
        "## Templates",
        "",
        *_table([{"id": t["id"], "label_zh": t["label_zh"], "report_years": t["report_years"],
                  "markers": "、".join(t["markers"])} for t in v.templates],
                ["id", "label_zh", "report_years", "markers"]),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
