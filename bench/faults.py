"""Faults at random: killed runs, full disks and damaged work copies, counted.

    python bench/faults.py                                  # 200 generated reports, 10 of each fault
    python bench/faults.py --reports 1000 --kills 20 --disk-full 20 --corruptions 20 --seed 3

Needs root (the warehouse lives on a tmpfs it mounts, so the disk can be filled). A clean run
gives the reference: the published file's marts. Then, each fault in turn:

* kill: a run is killed with SIGKILL at a random moment (half of them after the work copy was
  deleted, so that the kill may land in the parse); the published file must be byte-identical
  afterwards, or — when the kill came after the atomic swap — the complete new warehouse with
  the reference marts (intact), and the next run must give the reference marts (recovered);
* disk full: the disk is filled to leave a random amount, from nothing to a few copies of the
  warehouse; the run must either complete with the reference marts or stop with the published
  file byte-identical and no partial copy (intact), told with exit 5 in one sentence, no
  traceback (the outcome says when not); with the space freed, the next run must give the
  reference (recovered);
* corruption: the work copy's header, one of its data blocks (at random: any table, any block)
  or its WAL is damaged; the published file must never become unreadable (intact: every mart
  reads in full), and the run — or, when it fails, the next one — must give the reference
  (recovered).

Prints a table of tried / intact / recovered per fault (and exit codes), then the time taken.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nianbao.run.verify import find_damage  # noqa: E402
from tests import adversarial as adv  # noqa: E402
from tests.faults import BLOCK_BYTES, DATA_START, corrupt_header, fill_disk, sha256, small_disk, snapshot  # noqa: E402

RUN = "import sys\nfrom orchestration.cli import main\nsys.exit(main(sys.argv[1:]))\n"


class Bench:
    def __init__(self, raw: Path, db: Path, seed: int):
        self.raw, self.db, self.rng = raw, db, random.Random(seed)
        self.work_db = db.parent / ".nianbao-work" / db.name
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "DAGSTER_HOME"))}
        self.env.update(NIANBAO_RAW_DIR=str(raw), NIANBAO_DB=str(db))
        self.reference = None
        self.seconds: list[float] = []

    def run(self) -> tuple[int, str]:
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", RUN, "run"], cwd=REPO, env=self.env, capture_output=True,
                              text=True, timeout=3600)
        self.seconds.append(time.monotonic() - t0)
        return proc.returncode, proc.stderr

    def matches_reference(self) -> bool:
        return self.db.exists() and snapshot(self.db) == self.reference

    def published_readable(self) -> bool:
        return self.db.exists() and find_damage(self.db) is None

    def no_partial_copy(self) -> bool:
        return not any(p.name.endswith(".publishing") for p in self.db.parent.iterdir())

    # -- faults --------------------------------------------------------------------------------

    def kill(self) -> dict:
        if self.rng.random() < 0.5:
            for p in (self.work_db, Path(f"{self.work_db}.wal")):
                p.unlink(missing_ok=True)
        before = sha256(self.db)
        typical = sorted(self.seconds)[len(self.seconds) // 2]
        proc = subprocess.Popen([sys.executable, "-c", RUN, "run"], cwd=REPO, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=self.rng.uniform(0.5, typical * 1.2))
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)  # the run's process only, as kill -9 does
            proc.wait()
        finally:
            time.sleep(1.0)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # whatever of it is left (it should be nothing)
            except ProcessLookupError:
                pass
        killed = proc.returncode == -signal.SIGKILL
        untouched = sha256(self.db) == before
        # a kill after the atomic swap (while the run report or the summary is written) leaves the
        # new warehouse, complete: intact means the old file or a complete new one, never a mix
        intact = (untouched or self.matches_reference()) if killed else self.matches_reference()
        outcome = ("killed" + ("" if untouched else " after the swap")) if killed \
            else f"finished first (exit {proc.returncode})"
        code, _ = self.run()
        return {"intact": intact, "recovered": code == 0 and self.matches_reference(), "outcome": outcome}

    def disk_full(self, disk: Path) -> dict:
        before = sha256(self.db)
        leave = int(self.rng.uniform(0, 3.5) * self.db.stat().st_size)
        ballast = fill_disk(disk, leave_bytes=leave)
        try:
            code, err = self.run()
            if code == 0:
                intact, told = self.matches_reference(), True
            else:
                intact = sha256(self.db) == before and self.no_partial_copy()
                told = code == 5 and "Traceback" not in err and "Free some space" in err
        finally:
            ballast.unlink()
        code2, _ = self.run()
        return {"intact": intact, "recovered": code2 == 0 and self.matches_reference(),
                "outcome": f"exit {code}" + ("" if told else ", not told in one sentence")}

    def corruption(self) -> dict:
        kind = self.rng.choice(["header", "data block", "wal"])
        if kind == "header":
            corrupt_header(self.work_db)
        elif kind == "data block":
            blocks = max(1, (self.work_db.stat().st_size - DATA_START) // BLOCK_BYTES)
            block = self.rng.randrange(blocks)
            with open(self.work_db, "r+b") as fh:
                # near its start half the time: a partly used block is checked over its used part only
                offset = self.rng.randrange(8, 4096) if self.rng.random() < 0.5 else self.rng.randrange(BLOCK_BYTES - 64)
                fh.seek(DATA_START + block * BLOCK_BYTES + offset)
                fh.write(os.urandom(64))
        else:
            Path(f"{self.work_db}.wal").write_bytes(os.urandom(4096))
        code, _ = self.run()
        intact = self.published_readable()
        recovered = code == 0 and self.matches_reference()
        if not recovered:
            code, _ = self.run()
            recovered = code == 0 and self.matches_reference()
        return {"intact": intact, "recovered": recovered, "outcome": f"{kind}, exit {code}"}


def _generate(raw: Path, n: int, seed: int) -> None:
    from tests.generator import random_case

    shutil.copytree(adv.SAMPLES, raw)
    rng = random.Random(seed)
    for i in range(n):
        name, data = random_case(rng, ("txt", "html")).render()
        (raw / "generated" / f"{i:05d}-{name}").parent.mkdir(exist_ok=True)
        (raw / "generated" / f"{i:05d}-{name}").write_bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--disk-full", type=int, default=10)
    ap.add_argument("--corruptions", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/faults.py mounts a tmpfs: run it as root", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nianbao-faults-") as tmp:
        root = Path(tmp)
        raw = root / "raw"
        _generate(raw, args.reports, args.seed)
        with small_disk(root / "disk", 64 + args.reports // 2) as disk:
            bench = Bench(raw, disk / "data" / "nianbao.duckdb", args.seed)
            code, err = bench.run()
            if code != 0:
                print(f"the clean run failed (exit {code}):\n{err[-3000:]}", file=sys.stderr)
                return 1
            bench.reference = snapshot(bench.db)
            print(f"{args.reports + 5} reports; clean run {bench.seconds[0]:.0f} s, warehouse "
                  f"{bench.db.stat().st_size / 1e6:.1f} MB on a {64 + args.reports // 2} MB tmpfs", flush=True)
            plan = ["kill"] * args.kills + ["disk full"] * args.disk_full + ["corruption"] * args.corruptions
            bench.rng.shuffle(plan)
            results: dict[str, list[dict]] = {"kill": [], "disk full": [], "corruption": []}
            for i, fault in enumerate(plan, 1):
                r = bench.kill() if fault == "kill" else bench.disk_full(disk) if fault == "disk full" \
                    else bench.corruption()
                results[fault].append(r)
                print(f"  {i:3d}/{len(plan)} {fault:10s} {r['outcome']:38s} intact={r['intact']} "
                      f"recovered={r['recovered']}", flush=True)
    print(f"\n{'fault':12s} {'tried':>6s} {'intact':>7s} {'recovered':>10s}  outcomes")
    bad = 0
    for fault, rs in results.items():
        intact, recovered = sum(r["intact"] for r in rs), sum(r["recovered"] for r in rs)
        bad += (len(rs) - intact) + (len(rs) - recovered)
        outcomes = Counter(r["outcome"] for r in rs)
        print(f"{fault:12s} {len(rs):6d} {intact:7d} {recovered:10d}  "
              + ", ".join(f"{k} ×{v}" for k, v in sorted(outcomes.items())))
    runs = sorted(bench.seconds)
    print(f"\n{len(runs)} runs, median {runs[len(runs) // 2]:.0f} s; {time.monotonic() - t0:.0f} s in all "
          "(wall clock on a shared machine)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
