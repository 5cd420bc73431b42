"""Rows of the raw.vocab_* tables, from the vocabulary: dbt turns them into the dim_* tables."""
from __future__ import annotations

from nianbao.vocabulary.loader import load


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
            for p in v.all_proceedings for r in v.all_results
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
        "vocab_legacy_measures": legacy_measure_rows(),
        "vocab_rules": [
            {"rule": r.id, "severity": r.severity, "scope": r.scope, "statement_zh": r.statement_zh,
             "basis": r.basis, "source": r.evidence}
            for r in v.rules
        ],
    }


def legacy_measure_rows() -> list[dict]:
    """One row per legacy measure: labels, unit, channels, §5.8's leaf and where it reaches the facts."""
    v = load()
    channels = {c.id: c.label_zh for c in v.legacy_channels}
    rows = []
    for m in v.legacy_measures:
        cw = v.crosswalk_of(m.id)
        chans = [x.channel for x in m.variants if x.channel]
        rows.append({
            "measure": m.id, "label_zh": m.label_zh, "measure_group": m.group, "unit": m.unit,
            "channels": ",".join(chans) if chans else ("scope_N" if m.channel_template else None),
            "channel_labels_zh": "、".join(channels.get(c, c) for c in chans) if chans else None,
            "read_in_2019_prose": m.prose_2019, "context_measure": m.context,
            "suggested_leaf": m.leaf, "suggested_leaf_match": m.leaf_match,
            "fact_table": _fact_table(v, cw),
            "fact_row": cw.row if cw else None, "fact_col": cw.col if cw else None,
            "fact_templates": ",".join(cw.templates) if cw and cw.templates else ("all" if cw else None),
            "fact_match": cw.match if cw else None,
            "fact_is_printed_total": cw.printed_total if cw else None,
            "sort_order": m.sort_order,
        })
    return rows


def _fact_table(v, cw) -> str | None:
    """The mart a crosswalked measure reaches: a printed total (答复总数 → （七）总计) reaches
    fct_table_totals, a compare-only figure no fact."""
    if cw is None or cw.compare_only:
        return None
    if cw.printed_total:
        return "fct_table_totals"
    if cw.table == "t4":
        return "fct_litigation"
    return "fct_applications" if cw.row in {f.id for f in v.flows} else "fct_application_outcomes"
