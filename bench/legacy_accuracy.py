"""Pre-2019 prose reports (format-spec §3 families, §3.4 phrasings and traps) through the whole
pipeline, scored from the warehouse.

    python bench/legacy_accuracy.py [N] [SEED]          # default 120 reports, seed 1
    python bench/legacy_accuracy.py 120 1 --workdir DIR --rescore

Renders N reports with tests/legacy_reports.py (one agency-year each), runs `nianbao run`, and
compares for every report the values an analyst reads — dim_agency.agency_name,
dim_report.report_year and mart_agency_year's requests_received, requests_processed_printed,
requests_granted, requests_partially_granted, requests_denied, requests_unable_to_provide,
reviews_total, lawsuits_total, fees_collected_cny — with what the report states: right, missing
(no value where the report states one) or wrong (another value, or a value where the report
states none). Prints the totals by family and by trap, and the reports fully right.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def render(raw: Path, n: int, seed: int) -> dict[str, dict]:
    from tests.legacy_reports import random_legacy_case

    raw.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"legacy:{seed}")
    manifest, seen = {}, set()
    while len(manifest) < n:
        case = random_legacy_case(rng)
        if (case.agency, case.year) in seen:
            continue
        seen.add((case.agency, case.year))
        name = f"{len(manifest):04d}_{case.family}.txt"
        (raw / name).write_text(case.render(), "utf-8")
        manifest[name] = {"family": case.family, "traps": sorted(case.traps), "expected": case.expected()}
    return manifest


def read(db: Path) -> dict[str, dict]:
    import duckdb

    from tests.legacy_reports import EXPECTED_FIELDS

    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        cols = ", ".join(f"m.{f}" for f in EXPECTED_FIELDS[2:])
        for row in con.execute(f"""
                select r.source_path, a.agency_name, r.report_year, {cols}
                from marts.dim_report r
                left join marts.dim_agency a using (agency_id)
                left join marts.mart_agency_year m on m.primary_report_id = r.report_id""").fetchall():
            out[Path(row[0]).name] = dict(zip(EXPECTED_FIELDS, row[1:]))
    return out


def verdict(want, got) -> str:
    if want is None:
        return "right" if got is None else "wrong"
    if got is None:
        return "missing"
    return "right" if (want == got if isinstance(want, str) else abs(float(want) - float(got)) < 1e-6) else "wrong"


def score(manifest: dict[str, dict], held: dict[str, dict]) -> tuple[dict, list]:
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems = []
    for name, entry in sorted(manifest.items()):
        got = held.get(name, {})
        verdicts = {f: verdict(w, got.get(f)) for f, w in entry["expected"].items()}
        perfect = all(v == "right" for v in verdicts.values())
        for key in ["all", f"family {entry['family']}"] + [f"trap {t}" for t in entry["traps"]] + (
                [] if entry["traps"] else ["trap —"]):
            g = groups[key]
            g["reports"] += 1
            g["perfect"] += perfect
            for v in verdicts.values():
                g[v] += 1
        if not perfect:
            problems.append((name, entry["family"], entry["traps"],
                             {f: (got.get(f), entry["expected"][f]) for f, v in verdicts.items() if v != "right"},
                             verdicts))
    return groups, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=120)
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--rescore", action="store_true")
    ap.add_argument("-v", action="store_true", help="list every report not fully right")
    args = ap.parse_args(argv)
    from tests.real_corpus import run_pipeline

    with tempfile.TemporaryDirectory(prefix="nianbao-legacy-") as tmp:
        work = args.workdir or Path(tmp)
        db, mf = work / "nianbao.duckdb", work / "manifest.json"
        if not args.rescore:
            manifest = render(work / "raw", args.n, args.seed)
            mf.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
            t0 = time.perf_counter()
            code = run_pipeline(work / "raw", db, work / "dagster_home")
            if code:
                return code
            print(f"\nnianbao run on {args.n} reports: {time.perf_counter() - t0:.1f} s\n")
        manifest = json.loads(mf.read_text("utf-8"))
        groups, problems = score(manifest, read(db))
    head = f"{'group':26s} {'reports':>7s} {'perfect':>8s} {'values':>7s} {'right':>6s} {'missing':>7s} {'wrong':>6s}"
    print(head + "\n" + "-" * len(head))
    for key in sorted(groups, key=lambda k: (k != "all", k.split()[0], k)):
        g = groups[key]
        values = g["right"] + g["missing"] + g["wrong"]
        print(f"{key:26s} {g['reports']:7d} {g['perfect']:8d} {values:7d} {g['right']:6d} {g['missing']:7d} {g['wrong']:6d}")
    wrong = defaultdict(int)
    for *_, verdicts in problems:
        for f, v in verdicts.items():
            if v != "right":
                wrong[f"{v} {f}"] += 1
    print("\nby field: " + ", ".join(f"{k} {n}" for k, n in sorted(wrong.items())))
    if args.v:
        for name, fam, traps, bad, _ in problems:
            print(f"  {name} {fam} {','.join(traps) or '—'}: " + "; ".join(f"{f} got {g} want {w}" for f, (g, w) in bad.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
