"""Accuracy of the whole pipeline on generated reports, by format, layout and perturbation.

    python bench/accuracy.py                 # 3000 reports, seed 1, every format
    python bench/accuracy.py 500 7           # N and seed
    python bench/accuracy.py 3000 1 --formats txt,html --json out.json --keep

1. Draws N random cases with the test generator (``tests.generator.random_case``: both
   templates, every format × layout, 0–4 perturbations, five encodings, ~30 % of reports
   breaking one reconciliation rule) and renders them into a temporary raw directory
   (``<i>_<fmt>_<layout>.<ext>``). A manifest (``manifest.json`` beside the raw directory)
   maps each file name to what a correct parser must read: every cell, the metadata, the
   parse status, the failing (rule, scope) pairs and ``is_reconciled``.
2. Runs the real pipeline on it: ``nianbao run --raw-dir … --db …`` (in this process, with
   DAGSTER_HOME in the temporary directory).
3. Reads the published warehouse: ``marts.dim_report`` (metadata, status, is_reconciled),
   ``marts.fct_applications`` / ``fct_application_outcomes`` / ``fct_litigation`` /
   ``fct_proactive_disclosure`` (leaf cells), ``raw.report_cells`` (the printed totals, which
   the facts leave out) and ``marts.fct_reconciliation`` (per-report rules that failed).
4. Prints, overall and per format, format × layout, perturbation, template and broken rule:
   the expected cells read **right** (as a share), **missing** (not in the warehouse, or blank
   where a number was printed) and **wrong** (another value; or a cell the expectations do not
   list whose value is not what the spec holds there — a guess), the share of perfectly parsed
   reports (every cell right, no extra cell, metadata, status and flags right), metadata
   accuracy (agency, year, template, script, publication date, 索引号 all right), status
   accuracy, reconciliation-flag accuracy (the failing (rule, scope) set and is_reconciled both
   right), and ``unread.``: the rows the generator made unreadable on purpose (rows whose
   printed tokens no reading satisfying the totals makes certain; the parser must report them,
   not guess) — and writes the
   same as JSON (``--json``, default
   ``bench/out/accuracy-<N>-s<seed>.json``).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EPS = 1e-6
METADATA_FIELDS = ("agency", "report_year", "template", "original_script", "published_on", "index_number")


# ---------------------------------------------------------------- generating

def _render(args: tuple[int, int, tuple[str, ...]]) -> tuple[str, bytes, dict]:
    """Case ``i`` of the corpus: (file name, bytes, manifest entry). Case i depends only on
    (seed, i), so a corpus is reproducible and independent of the worker count."""
    from nianbao.vocabulary.loader import load
    from tests.generator import expected_rule_results, random_case

    i, seed, formats = args
    case = random_case(random.Random(f"{seed}:{i}"), formats)
    name, data = case.render()
    fname = f"{i:05d}_{case.fmt}_{case.layout}.{name.rsplit('.', 1)[-1]}"
    severity = {r.id: r.severity for r in load().rules}
    results = expected_rule_results(case.spec, case.layout, case.perturbations)
    evaluated = [ok for (rule, _), ok in results.items() if severity.get(rule) == "error" and ok is not None]
    entry = {
        "fmt": case.fmt,
        "layout": case.layout,
        "perturbations": sorted(case.perturbations),
        "encoding": case.encoding,
        "template": case.spec.template,
        "broken_rule": case.spec.broken_rule,
        "cells": [[t, r, c, v] for (t, r, c), v in sorted(case.expected_cells().items())],
        "metadata": case.expected_metadata(),
        "status": case.expected_status(),
        "flags": sorted([rule, scope] for rule, scope in case.expected_flags()),
        "unreadable": sorted([t, r] for t, r in case.expected_unreadable()),
        "is_reconciled": (all(evaluated) if evaluated else None),
        "truth": [[t, r, c, v] for (t, r, c), v in sorted(_truth(case.spec).items())],
    }
    return fname, data, entry


def _truth(spec) -> dict[tuple[str, str, str], float | None]:
    """Every value the spec holds, by cell (a row's count also under `unspecified`): what an
    extra cell — one the expectations do not list — is checked against."""
    from tests.generator.spec import t2_number

    out: dict[tuple[str, str, str], float | None] = {}
    for (row, col), v in spec.t3.items():
        out[("t3", row, col)] = None if v is None else float(v)
    for (row, col), v in spec.t4.items():
        out[("t4", row, col)] = None if v is None else float(v)
    for table, values in (("t3", spec.t3), ("t4", spec.t4)):
        for (row, col), v in values.items():
            if col == "total" and v is not None:
                out[(table, row, "unspecified")] = float(v)
    for (item, m), v in (*spec.t2.items(), *spec.other_local_t2.items()):
        out[("t2", item, m)] = t2_number(v)
    return out


def generate(raw_dir: Path, n: int, seed: int, formats: tuple[str, ...], workers: int) -> dict[str, dict]:
    raw_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    jobs = [(i, seed, formats) for i in range(n)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        for k, (fname, data, entry) in enumerate(pool.imap_unordered(_render, jobs, chunksize=8), 1):
            (raw_dir / fname).write_bytes(data)
            manifest[fname] = entry
            if k % 500 == 0:
                print(f"  rendered {k}/{n}", file=sys.stderr)
    return manifest


# ---------------------------------------------------------------- the pipeline

def run_pipeline(raw_dir: Path, db: Path, home: Path) -> None:
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["TQDM_DISABLE"] = "1"  # Great Expectations' progress bars
    from orchestration.cli import main

    code = main(["run", "--raw-dir", str(raw_dir), "--db", str(db)])
    if code != 0:
        raise SystemExit(f"nianbao run failed with exit code {code}")


def read_warehouse(db: Path) -> dict[str, dict]:
    """source file name → what the warehouse holds for it."""
    import duckdb

    out: dict[str, dict] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        by_id: dict[str, dict] = {}
        for row in con.execute("""
                select report_id, source_path, agency_name, report_year, template, original_script,
                       cast(published_on as varchar), index_number, parse_status, is_reconciled
                from marts.dim_report""").fetchall():
            rid, path, agency, year, template, script, published, index, status, reconciled = row
            rec = {"metadata": {"agency": agency, "report_year": year, "template": template,
                                "original_script": script, "published_on": published, "index_number": index},
                   "status": status, "is_reconciled": reconciled, "cells": {}, "flags": set()}
            by_id[rid] = rec
            out[Path(path).name] = rec
        # files whose bytes duplicate another file's: point them at the same report
        for path, rid in con.execute(
                "select source_path, report_id from marts.dim_source_file where report_id is not null").fetchall():
            if rid in by_id:
                out.setdefault(Path(path).name, by_id[rid])
        facts = (
            ("t3", "select report_id, flow, applicant_type, count from marts.fct_applications"),
            ("t3", "select report_id, outcome, applicant_type, count from marts.fct_application_outcomes"),
            ("t4", "select report_id, proceeding, result, count from marts.fct_litigation"),
            ("t2", "select report_id, item, measure, value from marts.fct_proactive_disclosure"),
            # printed totals live only in the raw cells (the facts keep leaf cells)
            ("*", """select report_id, table_id, row_id, col_id, value from raw.report_cells
                     where (table_id = 't3' and (col_id = 'total' or row_id = 'total_processed'))
                        or (table_id = 't4' and col_id = 'total')"""),
        )
        for table, sql in facts:
            for row in con.execute(sql).fetchall():
                if table == "*":
                    rid, t, r, c, v = row
                else:
                    (rid, r, c, v), t = row, table
                if rid in by_id:
                    by_id[rid]["cells"][(t, r, c)] = None if v is None else float(v)
        for rid, rule, scope in con.execute("""
                select report_id, rule, scope_id from marts.fct_reconciliation
                where rule_scope = 'report' and passed = false""").fetchall():
            if rid in by_id:
                by_id[rid]["flags"].add((rule, scope))
    return out


# ---------------------------------------------------------------- scoring

def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= EPS * max(1.0, abs(b))


def score(manifest: dict[str, dict], warehouse: dict[str, dict]) -> tuple[dict, list[dict]]:
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    failures: list[dict] = []
    for fname, exp in sorted(manifest.items()):
        got = warehouse.get(fname) or {"metadata": {}, "status": "missing", "is_reconciled": None,
                                       "cells": {}, "flags": set()}
        want = {(t, r, c): v for t, r, c, v in exp["cells"]}
        truth = {(t, r, c): v for t, r, c, v in exp.get("truth", ())}
        missing = [k for k, v in want.items() if k not in got["cells"] or (got["cells"][k] is None and v is not None)]
        wrong = [k for k, v in want.items() if k not in missing and not _same(got["cells"][k], v)]
        extra = [k for k in got["cells"] if k not in want]
        # a value the expectations do not list is wrong unless it is what the report really says
        extra_wrong = [k for k in extra if k not in truth or not _same(got["cells"][k], truth[k])]
        md_wrong = [f for f in METADATA_FIELDS if got["metadata"].get(f) != exp["metadata"][f]]
        status_ok = got["status"] == exp["status"]
        flags_ok = got["flags"] == {tuple(f) for f in exp["flags"]} and got["is_reconciled"] == exp["is_reconciled"]
        perfect = not missing and not wrong and not extra and not md_wrong and status_ok and flags_ok
        keys = ["all", f"format {exp['fmt']}", f"layout {exp['fmt']}/{exp['layout']}",
                f"template {exp['template']}", f"broken {exp['broken_rule'] or '—'}"]
        keys += [f"perturbation {p}" for p in exp["perturbations"]] or ["perturbation —"]
        for key in keys:
            g = groups[key]
            g["reports"] += 1
            g["cells"] += len(want)
            g["cells_ok"] += len(want) - len(missing) - len(wrong)
            g["cells_missing"] += len(missing)
            g["cells_wrong"] += len(wrong) + len(extra_wrong)
            g["extra_cells"] += len(extra)
            g["perfect"] += perfect
            g["metadata_ok"] += not md_wrong
            g["status_ok"] += status_ok
            g["flags_ok"] += flags_ok
            g["unreadable_rows"] += len(exp.get("unreadable", ()))
        if not perfect:
            failures.append({
                "file": fname, "fmt": exp["fmt"], "layout": exp["layout"], "perturbations": exp["perturbations"],
                "status": [got["status"], exp["status"]],
                "wrong_cells": [[*k, got["cells"].get(k), want[k]] for k in wrong[:10]]
                + [[*k, got["cells"][k], truth.get(k, "?")] for k in extra_wrong[:10]],
                "n_wrong_cells": len(wrong) + len(extra_wrong), "n_missing_cells": len(missing),
                "missing_cells": [list(k) for k in missing[:10]], "extra_cells": [list(k) for k in extra[:10]],
                "metadata": {f: [got["metadata"].get(f), exp["metadata"][f]] for f in md_wrong},
                "flags_unexpected": sorted(got["flags"] - {tuple(f) for f in exp["flags"]}),
                "flags_missing": sorted({tuple(f) for f in exp["flags"]} - got["flags"]),
                "is_reconciled": [got["is_reconciled"], exp["is_reconciled"]],
            })
    table = {}
    for key, g in groups.items():
        n, cells = g["reports"], g["cells"]
        table[key] = {
            "reports": int(n),
            "cells": int(cells),
            "cell_accuracy": g["cells_ok"] / cells if cells else None,
            "cells_right": int(g["cells_ok"]),
            "cells_missing": int(g["cells_missing"]),
            "cells_wrong": int(g["cells_wrong"]),
            "extra_cells": int(g["extra_cells"]),
            "perfect_reports": g["perfect"] / n,
            "metadata_accuracy": g["metadata_ok"] / n,
            "status_accuracy": g["status_ok"] / n,
            "flag_accuracy": g["flags_ok"] / n,
            "unreadable_rows": int(g["unreadable_rows"]),
        }
    return table, failures


def _order(key: str) -> tuple:
    kind = key.split(" ", 1)[0]
    rank = {"all": 0, "format": 1, "layout": 2, "perturbation": 3, "template": 4, "broken": 5}.get(kind, 9)
    return rank, key


def print_table(table: dict[str, dict]) -> None:
    head = (f"{'group':38s} {'reports':>7s} {'cells':>8s} {'right':>9s} {'missing':>7s} {'wrong':>6s} "
            f"{'perfect':>8s} {'metadata':>8s} {'status':>7s} {'flags':>7s} {'unread.':>7s}")
    print(head)
    print("-" * len(head))
    last_kind = None
    for key in sorted(table, key=_order):
        kind = key.split(" ", 1)[0]
        if last_kind is not None and kind != last_kind:
            print()
        last_kind = kind
        row = table[key]
        acc = "—" if row["cell_accuracy"] is None else f"{row['cell_accuracy']:.4%}"
        print(f"{key:38s} {row['reports']:7d} {row['cells']:8d} {acc:>9s} {row['cells_missing']:7d} "
              f"{row['cells_wrong']:6d} {row['perfect_reports']:8.2%} {row['metadata_accuracy']:8.2%} "
              f"{row['status_accuracy']:7.2%} {row['flag_accuracy']:7.2%} {row['unreadable_rows']:7d}")


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=3000, help="number of reports (default 3000)")
    ap.add_argument("seed", nargs="?", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--formats", default="txt,html,pdf,docx", help="formats to draw from (default all four)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes rendering the corpus")
    ap.add_argument("--json", type=Path, help="where to write the results (default bench/out/accuracy-<n>-s<seed>.json)")
    ap.add_argument("--workdir", type=Path, help="use this directory instead of a temporary one (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (raw files, manifest, warehouse)")
    ap.add_argument("--rescore", action="store_true",
                    help="with --workdir: score the manifest and warehouse already there (no rendering, no run)")
    args = ap.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)

    from tests.generator.render import TEMPLATE_DOCX

    if "docx" in formats and not TEMPLATE_DOCX.is_file():
        print(f"accuracy: {TEMPLATE_DOCX} not found: the docx/template layout is left out "
              "(set NIANBAO_SHARED to the shared folder)", file=sys.stderr)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="nianbao-accuracy-"))
    work.mkdir(parents=True, exist_ok=True)
    raw_dir, db, home = work / "raw", work / "warehouse" / "nianbao.duckdb", work / "dagster_home"
    try:
        t0 = time.perf_counter()
        if args.rescore and args.workdir:
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
            t1 = t2 = time.perf_counter()
        else:
            print(f"accuracy: rendering {args.n} reports ({','.join(formats)}, seed {args.seed}) into {raw_dir}",
                  file=sys.stderr)
            manifest = generate(raw_dir, args.n, args.seed, formats, args.workers)
            (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            t1 = time.perf_counter()
            print(f"accuracy: rendered in {t1 - t0:.0f} s; running nianbao run", file=sys.stderr)
            run_pipeline(raw_dir, db, home)
            t2 = time.perf_counter()
        print(f"accuracy: pipeline ran in {t2 - t1:.0f} s; scoring", file=sys.stderr)
        table, failures = score(manifest, read_warehouse(db))
        print()
        print_table(table)
        out = args.json or ROOT / "bench" / "out" / f"accuracy-{args.n}-s{args.seed}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({
            "n": args.n, "seed": args.seed, "formats": formats,
            "seconds": {"render": round(t1 - t0, 1), "pipeline": round(t2 - t1, 1)},
            "table": table, "failures": failures,
        }, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"\n{len(failures)} imperfect report(s); results written to {out}")
        if failures:
            print("first imperfect reports:")
            for f in failures[:10]:
                print("  ", json.dumps(f, ensure_ascii=False, default=str)[:400])
    finally:
        if not (args.keep or args.workdir):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
