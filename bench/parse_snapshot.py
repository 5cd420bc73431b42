"""Regression snapshot of the parser: every field of every result over a fixed corpus.

    python bench/parse_snapshot.py write [OUT]     # baseline (default bench/out/parse-snapshot.txt)
    python bench/parse_snapshot.py check [OUT]     # parse again, compare with the baseline

For changes that must not alter any output (speed work): the corpus is fixed — generated
reports (tests/generator, txt/html and some docx/pdf), the seed reports in ../shared/seeds,
the real reports in ../shared/real-reports, raw/samples and adversarial mutations
(tests/adversarial) — rendered once and cached in bench/out/snapshot-corpus.pkl. Each file is
parsed with nianbao.parse.pipeline.parse_bytes and its ParseResult dumped canonically (to_dict(),
is_reconciled, floats by repr), one JSON line per file. ``check`` prints the first
differences and exits 1 when any file's line differs.
"""
from __future__ import annotations

import json
import multiprocessing
import pickle
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CORPUS = REPO / "bench" / "out" / "snapshot-corpus.pkl"
DEFAULT_OUT = REPO / "bench" / "out" / "parse-snapshot.txt"
SHARED = REPO.parent / "shared"


def _gen(args: tuple[int, str, tuple[str, ...]]) -> tuple[str, str, bytes]:
    from tests.generator import random_case

    i, tag, formats = args
    case = random_case(random.Random(f"snapshot:{tag}:{i}"), formats)
    name, data = case.render()
    return f"{tag}{i:04d}_{case.fmt}_{case.layout}", name, data


def build_corpus() -> list[tuple[str, str, bytes]]:
    """(label, file name given to the parser, bytes), in a fixed order."""
    if CORPUS.is_file():
        return pickle.loads(CORPUS.read_bytes())
    jobs = [(i, "g", ("txt", "html")) for i in range(1600)] + [(i, "d", ("docx", "pdf")) for i in range(80)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        files = pool.map(_gen, jobs, chunksize=16)
    for folder, pattern in ((SHARED / "seeds", "*.txt"), (SHARED / "real-reports", "*.*"),
                            (REPO / "raw" / "samples", "*")):
        files += [(f"{folder.name}/{p.name}", p.name, p.read_bytes()) for p in sorted(folder.glob(pattern))
                  if p.suffix != ".md"]
    from tests import adversarial as adv

    rng = random.Random(20261123)
    files += [(f"adv{i:03d}", name, data) for i, (name, data) in enumerate(adv.random_inputs(rng, 300))]
    CORPUS.parent.mkdir(parents=True, exist_ok=True)
    CORPUS.write_bytes(pickle.dumps(files))
    return files


def _canon(o):
    if isinstance(o, float):
        return {"f": repr(o)}
    if isinstance(o, dict):
        return {str(k): _canon(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_canon(v) for v in o]
    if isinstance(o, (set, frozenset)):
        return sorted((_canon(v) for v in o), key=repr)
    return o


def dump(files: list[tuple[str, str, bytes]]) -> tuple[list[str], float]:
    from nianbao.parse.pipeline import parse_bytes

    lines = []
    cpu = 0.0
    for label, name, data in files:
        t0 = time.process_time()
        r = parse_bytes(data, name)
        cpu += time.process_time() - t0
        d = r.to_dict()
        d["is_reconciled"] = r.is_reconciled
        lines.append(label + "\t" + json.dumps(_canon(d), ensure_ascii=False, sort_keys=True))
    return lines, cpu


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "check"
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    files = build_corpus()
    lines, cpu = dump(files)
    print(f"{len(files)} files parsed in {cpu:.1f} CPU-s ({cpu / len(files) * 1000:.2f} ms/file)")
    if mode == "write":
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"snapshot written to {out}")
        return 0
    base = out.read_text(encoding="utf-8").splitlines()
    diffs = [(a, b) for a, b in zip(base, lines) if a != b]
    if len(base) != len(lines):
        print(f"DIFFERENT: {len(base)} lines in the baseline, {len(lines)} now")
        return 1
    if diffs:
        print(f"DIFFERENT: {len(diffs)} of {len(lines)} files")
        for a, b in diffs[:5]:
            print("  baseline:", a[:1500])
            print("  now     :", b[:1500])
        return 1
    print(f"identical: {len(lines)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
