"""Parse throughput on generated reports (one core, files rendered beforehand).

    python bench/throughput.py [N] [SEED] [--formats txt,html] [--profile]

Renders N random cases (tests/generator), then times nianbao.parse.pipeline.parse_bytes (CPU time of
this process, so other load on the machine barely moves the figure) over them
and over the five real seed reports; prints reports per second. ``--profile`` prints the
top of a cProfile of the parse loop.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nianbao.parse.pipeline import parse_bytes  # noqa: E402
from tests.generator import random_case  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("--formats", default="txt,html")
    ap.add_argument("--rounds", type=int, default=3, help="best of this many timed passes")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    files = [random_case(rng, tuple(args.formats.split(","))).render() for _ in range(args.n)]
    seeds_dir = REPO.parent / "shared" / "seeds"
    seeds = [(p.name, p.read_bytes()) for p in sorted(seeds_dir.glob("*.txt"))]
    for name, data in files[:20] + seeds:  # warm caches (vocabulary, OpenCC, lru caches)
        parse_bytes(data, name)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for name, data in files:
            parse_bytes(data, name)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return 0

    def rate(batch, repeat=1):
        best = float("inf")
        for _ in range(args.rounds):
            t0 = time.process_time()
            for _ in range(repeat):
                for name, data in batch:
                    parse_bytes(data, name)
            best = min(best, time.process_time() - t0)
        return len(batch) * repeat / best

    size = sum(len(d) for _, d in files) / len(files)
    print(f"generated {args.formats}: {rate(files):.0f} reports/s ({len(files)} reports, mean {size / 1024:.1f} KiB)")
    if seeds:
        print(f"seeds: {rate(seeds, repeat=50):.0f} reports/s ({len(seeds)} reports × 50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
