"""The real-report corpus through the whole pipeline, scored from the warehouse against its labels.

    python bench/real_corpus_warehouse.py                  # copy the corpus, `nianbao run`, print the scores
    python bench/real_corpus_warehouse.py --workdir DIR    # keep raw files and warehouse in DIR
    python bench/real_corpus_warehouse.py --workdir DIR --rescore   # score the warehouse already in DIR

Prints per file agency / year verdicts and right / missing / wrong counts for the labelled
totals of table 三 and the cells of table 四 (with every value missing or wrong), then the
totals: what an analyst gets from the marts, prose figures and metadata included. What counts
as right is said in tests/real_corpus.py; the CI test (tests/integration/test_real_corpus.py)
asserts the same comparison. bench/real_corpus.py is the quick parser-level view of the table
values alone (no pipeline run).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, help="work here (kept) instead of a temporary directory")
    ap.add_argument("--rescore", action="store_true", help="with --workdir: score the warehouse already there")
    args = ap.parse_args(argv)
    from tests import real_corpus as rc

    with tempfile.TemporaryDirectory(prefix="nianbao-corpus-") as tmp:
        work = args.workdir or Path(tmp)
        db = work / "nianbao.duckdb"
        if not args.rescore:
            raw = work / "raw"
            rc.copy_corpus(raw)
            t0 = time.perf_counter()
            code = rc.run_pipeline(raw, db, work / "dagster_home")
            if code != 0:
                print(f"nianbao run failed with exit code {code}", file=sys.stderr)
                return code
            print(f"\nnianbao run on {len(rc.load_labels())} files: {time.perf_counter() - t0:.1f} s\n")
        print(rc.report(rc.score_corpus(rc.read_warehouse(db))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
