"""Table values read from the real corpus (../shared/real-reports/corpus), against labels.jsonl.

    python bench/real_corpus.py            # one line per file, then the totals
    python bench/real_corpus.py -v         # also every value that is not right
    python bench/real_corpus.py 17 18      # only the files whose name starts with these

Parses each file with nianbao.parse.pipeline.parse_bytes and compares the labelled table values
(``applications``: the 总计 column of table 三, category totals summed over their leaves;
``review`` / ``litigation_*``: table 四) with what the parser recorded:

* right   — the parser's value equals the label;
* missing — the parser recorded nothing there (also right when the label is ``null``: such a
            value cannot be read from the file, and "not read" is the right answer);
* wrong   — a value that differs from the label, or any value where the label is ``null``.

A category total counts as read when every leaf row of the category has a recorded total (or
the category-level ``*_unspecified`` row does). Values from the tables only: figures taken
from the prose (source ``narrative``) are left to the warehouse-level corpus test.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "real-reports" / "corpus"

# label of `applications` → the table-三 rows whose 总计 it is
_FLOW_ROWS = {"new_total": "new_received", "carried_over_total": "carried_over_from_previous_year",
              "outcome_total": "total_processed", "carried_forward_total": "carried_forward_to_next_year"}
_CATEGORY_LABELS = {"granted_total": "granted", "partially_granted_total": "partially_granted",
                    "denied_total": "denied", "unable_total": "unable_to_provide",
                    "not_processed_total": "not_processed", "other_total": "other"}
_PROCEEDINGS = {"review": "administrative_review", "litigation_direct": "lawsuit_without_review",
                "litigation_after_review": "lawsuit_after_review"}
_RESULTS = ("upheld", "corrected", "other", "pending", "total")


def _category_rows(template: str) -> dict[str, list[str]]:
    """Leaf rows of each outcome category in the template's table 三."""
    from nianbao.vocabulary.loader import load

    rows: dict[str, list[str]] = {}
    for o in load().outcomes_for(template):
        rows.setdefault(o.group, []).append(o.id)
    return rows


def table_values(cells, template: str) -> dict[str, float | None]:
    """The labelled quantities the parser's table cells give (absent: not read)."""
    t3 = {c.row_id: c.value for c in cells if c.source == "table" and c.table_id == "t3" and c.col_id == "total"}
    t4 = {(c.row_id, c.col_id): c.value for c in cells if c.source == "table" and c.table_id == "t4"}
    out: dict[str, float | None] = {}
    for label, row in _FLOW_ROWS.items():
        if row in t3:
            out[f"applications.{label}"] = t3[row]
    by_category = _category_rows(template if template in ("2019", "2021") else "2021")
    for label, category in _CATEGORY_LABELS.items():
        rows = by_category[category]
        if f"{category}_unspecified" in t3:
            rows = [f"{category}_unspecified"]
        elif category == "other" and "other_processing" in t3:
            rows = ["other_processing"]  # a 2019-style single row in a 2021 report
        if any(t3.get(r) is None for r in rows):
            continue
        out[f"applications.{label}"] = sum(t3[r] for r in rows)
    for key, proceeding in _PROCEEDINGS.items():
        for result in _RESULTS:
            if (proceeding, result) in t4:
                out[f"{key}.{result}"] = t4[(proceeding, result)]
    return out


def labelled_values(label: dict) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in ("applications", "review", "litigation_direct", "litigation_after_review"):
        for name, value in (label.get(key) or {}).items():
            out[f"{key}.{name}"] = value
    return out


def compare(label: dict, cells, template: str) -> dict[str, list[str]]:
    want, got = labelled_values(label), table_values(cells, template)
    verdict: dict[str, list[str]] = {"right": [], "missing": [], "wrong": []}
    for key, value in want.items():
        if key not in got or got[key] is None:  # not read, or printed blank
            verdict["right" if value is None else "missing"].append(key)
        elif value is None:
            verdict["wrong"].append(f"{key}: read {got[key]:g}, label null")
        elif abs(got[key] - value) > 1e-6:
            verdict["wrong"].append(f"{key}: read {got[key]:g}, label {value:g}")
        else:
            verdict["right"].append(key)
    return verdict


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("only", nargs="*", help="file name prefixes")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    from nianbao.parse.pipeline import parse_bytes

    labels = [json.loads(line) for line in (CORPUS / "labels.jsonl").read_text("utf-8").splitlines() if line.strip()]
    totals = {"right": 0, "missing": 0, "wrong": 0}
    tables_right = tables = 0
    print(f"{'file':22s} {'status':15s} {'right':>5s} {'miss':>5s} {'wrong':>5s}")
    for label in labels:
        name = label["file"]
        if args.only and not any(name.startswith(p) for p in args.only):
            continue
        r = parse_bytes((CORPUS / name).read_bytes(), name)
        verdict = compare(label, r.cells, r.template)
        n = {k: len(v) for k, v in verdict.items()}
        for k in totals:
            totals[k] += n[k]
        if n["right"] + n["missing"] + n["wrong"]:
            tables += 1
            tables_right += not n["missing"] and not n["wrong"]
        print(f"{name:22s} {r.parse_status:15s} {n['right']:5d} {n['missing']:5d} {n['wrong']:5d}")
        if args.verbose:
            for key in verdict["missing"]:
                print(f"    missing {key}")
            for text in verdict["wrong"]:
                print(f"    WRONG   {text}")
    print(f"{'all':22s} {'':15s} {totals['right']:5d} {totals['missing']:5d} {totals['wrong']:5d}   "
          f"labelled tables fully right: {tables_right}/{tables}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
