"""Fuzz the parser with many adversarial inputs and print what happened.

    python bench/fuzz.py                 # 2000 inputs
    python bench/fuzz.py -n 20000 --workers 8 --seed 7

Inputs (tests/adversarial.py): mutations, truncations and splices of the bundled samples, the
real PDFs/DOCX in ../shared/real-reports and generated reports; broken HTML, PDF and DOCX;
token soup; random bytes; and the hostile files once each (zip bomb, XXE, 100,000-deep HTML,
a 20,000-page PDF, a flate-bomb PDF, …).

Phase 1 parses each input in its own forked process with the production caps (time, memory),
catching anything that escapes ``parse_path``: crashes (must be 0), processes that died or hung,
results breaking the invariants (a status; a reason unless complete; storable text), the
slowest file and the largest peak RSS.

Phase 2 puts the same folder through the production path (register_files + parse_new_reports:
scan, supervised parser processes, raw tables in DuckDB) and counts files on disk without
exactly one row in raw.source_files, and contents without exactly one row in raw.reports
(files unaccounted: must be 0).

Exit status 1 when anything must-be-zero is not. Failing inputs are kept in bench/out/fuzz/.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nianbao.parse.pipeline import Limits  # noqa: E402
from nianbao.run import pool  # noqa: E402
from nianbao.run.lifetime import die_with_parent  # noqa: E402
from nianbao.run.raw_rows import result_rows  # noqa: E402
from tests import adversarial as adv  # noqa: E402

OUT = REPO / "bench" / "out" / "fuzz"
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


def _child(conn, path: str, name: str, limits: Limits, max_seconds: int, max_memory_mb: int) -> None:
    die_with_parent()
    pool._cap_memory(max_memory_mb)
    base = _rss_bytes()
    t0 = time.perf_counter()
    crash = None
    problems = []
    status = reason = None
    try:
        result = pool.parse_path(Path(path), name, limits, max_seconds)
        status, reason = result.parse_status, result.rejection_reason
        if status not in adv.PARSE_STATUSES:
            problems.append(f"unknown status {status!r}")
        if status != "complete" and not (isinstance(reason, str) and reason.strip()):
            problems.append("no reason for a result that is not complete")
        rows = result_rows(result, name)
        for table in ("reports", "report_cells", "parse_notes", "rule_results"):
            for row in getattr(rows, table):
                for v in row:
                    if isinstance(v, str):
                        v.encode("utf-8")
    except MemoryError as e:  # over the memory cap outside the readers' guards: contained, not a crash
        status, reason = "rejected", f"MemoryError outside the reader: {e}"
    except BaseException as e:  # noqa: BLE001 - this is what we count
        crash = f"{type(e).__name__}: {str(e)[:300]}"
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    conn.send({"status": status, "reason": reason, "crash": crash, "problems": problems,
               "seconds": seconds, "peak_rss": peak, "growth": max(0, peak - base)})
    conn.close()


def phase1(files: list[tuple[Path, str]], workers: int, limits: Limits, max_seconds: int,
           max_memory_mb: int) -> tuple[list[dict], dict]:
    ctx = multiprocessing.get_context("fork")
    hard = max_seconds + 15
    results: list[dict | None] = [None] * len(files)
    running: dict = {}
    todo = list(range(len(files)))[::-1]
    done = 0
    t_start = time.monotonic()
    while todo or running:
        while todo and len(running) < workers:
            i = todo.pop()
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, str(files[i][0]), files[i][1], limits, max_seconds,
                                                    max_memory_mb), daemon=True)
            proc.start()
            child.close()
            running[parent] = (i, proc, time.monotonic())
        ready = multiprocessing.connection.wait(list(running) + [p.sentinel for _, p, _ in running.values()], 1.0)
        now = time.monotonic()
        for conn in list(running):
            i, proc, started = running[conn]
            rec = None
            if conn in ready or proc.sentinel in ready:
                try:
                    rec = conn.recv()
                except (EOFError, OSError):
                    proc.join(1)
                    rec = {"died": f"exit {proc.exitcode}", "seconds": now - started}
            elif now - started > hard:
                proc.kill()
                rec = {"hung": True, "seconds": now - started}
            if rec is None:
                continue
            proc.join(5)
            conn.close()
            del running[conn]
            results[i] = rec
            done += 1
            if done % 500 == 0:
                print(f"  {done}/{len(files)} inputs ({time.monotonic() - t_start:.0f} s)", file=sys.stderr)
    return results, {}


def phase2(raw: Path, work: Path, workers: int, max_seconds: int, max_memory_mb: int, max_bytes: int) -> dict:
    import duckdb

    from nianbao.run.ingest import parse_new_reports, register_files
    from nianbao.run.settings import Settings

    settings = Settings(raw_dir=raw.resolve(), db_path=(work / "fuzz.duckdb").resolve(), max_file_bytes=max_bytes,
                        max_parse_seconds=max_seconds, max_parse_memory_mb=max_memory_mb, workers=workers)
    t0 = time.perf_counter()
    register_files(settings)
    parse_new_reports(settings)
    seconds = time.perf_counter() - t0
    con = duckdb.connect(str(settings.work_db_path), read_only=True)
    try:
        rows = con.execute("select source_path, report_id, file_status, reason from raw.source_files").fetchall()
        reports = con.execute("select report_id, parse_status, rejection_reason from raw.reports").fetchall()
        registry = con.execute("select distinct content_sha256 from raw.file_registry where content_sha256 is not null").fetchall()
    finally:
        con.close()
    on_disk = adv.files_on_disk(raw)
    paths = Counter(r[0] for r in rows)
    report_ids = Counter(r[0] for r in reports)
    contents = {sha[:16] for (sha,) in registry}
    return {
        "files_on_disk": len(on_disk),
        "files_unaccounted": len(on_disk - set(paths)) + sum(1 for n in paths.values() if n != 1)
        + len(set(paths) - on_disk),
        "contents": len(contents),
        "contents_unaccounted": len(contents - set(report_ids)) + sum(1 for n in report_ids.values() if n != 1),
        "rows_without_reason": sum(1 for r in rows if r[2] != "parsed" and not r[3])
        + sum(1 for r in reports if r[1] != "complete" and not r[2]),
        "file_status": dict(Counter(r[2] for r in rows)),
        "seconds": seconds,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=2000, help="inputs to try (the hostile files are added once)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--max-seconds", type=int, default=20, help="per-file time cap (NIANBAO_MAX_PARSE_SECONDS)")
    ap.add_argument("--max-memory-mb", type=int, default=2048, help="per-file memory cap (NIANBAO_MAX_PARSE_MEMORY_MB)")
    ap.add_argument("--max-pages", type=int, default=300)
    ap.add_argument("--skip-accounting", action="store_true", help="phase 1 only")
    args = ap.parse_args(argv)

    for mod in ("nianbao.readers.pdf", "nianbao.readers.docx", "nianbao.readers.html", "pypdfium2", "docx"):
        __import__(mod)  # imported once here, not in every forked child
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="nianbao-fuzz-"))
    raw = work / "raw"
    raw.mkdir()
    inputs = list(adv.hostile_files().items()) + list(adv.random_inputs(rng, max(0, args.n - len(adv.hostile_files()))))
    files = []
    for i, (name, data) in enumerate(inputs):
        safe = name.replace("/", "_")[:120]
        path = raw / f"{i // 1000:03d}" / f"{i:06d} {safe}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        files.append((path, safe))
    gen_seconds = time.perf_counter() - t0
    print(f"nianbao fuzz: {len(files)} inputs generated in {gen_seconds:.0f} s under {raw}", file=sys.stderr)

    limits = Limits(max_bytes=50 * 1024 * 1024, max_pages=args.max_pages)
    t1 = time.perf_counter()
    results, _ = phase1(files, args.workers, limits, args.max_seconds, args.max_memory_mb)
    p1_seconds = time.perf_counter() - t1

    crashes = [(files[i], r) for i, r in enumerate(results) if r.get("crash")]
    died = [(files[i], r) for i, r in enumerate(results) if r.get("died")]
    hung = [(files[i], r) for i, r in enumerate(results) if r.get("hung")]
    broken = [(files[i], r) for i, r in enumerate(results) if r.get("problems")]
    ok = [(files[i], r) for i, r in enumerate(results) if "status" in r and r.get("status")]
    slowest = max(ok, key=lambda fr: fr[1]["seconds"])
    biggest = max(ok, key=lambda fr: fr[1]["peak_rss"])
    growth = max(ok, key=lambda fr: fr[1]["growth"])
    statuses = Counter(r["status"] for _, r in ok)
    capped = Counter()
    for _, r in ok:
        reason = r["reason"] or ""
        for key, word in (("time cap", "NIANBAO_MAX_PARSE_SECONDS"), ("memory cap", "MemoryError"),
                          ("page cap", "NIANBAO_MAX_PAGES"), ("zip bomb", "zip bomb")):
            if word in reason or (key == "memory cap" and "NIANBAO_MAX_PARSE_MEMORY_MB" in reason):
                capped[key] += 1

    acct = None
    if not args.skip_accounting:
        acct = phase2(raw, work, args.workers, args.max_seconds, args.max_memory_mb, limits.max_bytes)

    bad = crashes + died + hung + broken
    if bad:
        OUT.mkdir(parents=True, exist_ok=True)
        for (path, _name), r in bad:
            shutil.copy(path, OUT / path.name)
            (OUT / (path.name + ".json")).write_text(json.dumps(r, ensure_ascii=False, indent=1))

    mb = 1024 * 1024
    print()
    print(f"inputs tried:            {len(files)} (seed {args.seed}; {len(adv.hostile_files())} hostile files)")
    print(f"crashes:                 {len(crashes)}  (exceptions escaping the parser; must be 0)")
    print(f"processes died / hung:   {len(died)} / {len(hung)}")
    print(f"results breaking rules:  {len(broken)}  (no status, no reason, unstorable text)")
    if acct:
        print(f"files unaccounted:       {acct['files_unaccounted']}  (of {acct['files_on_disk']} on disk; must be 0)")
        print(f"contents unaccounted:    {acct['contents_unaccounted']}  (of {acct['contents']} distinct; must be 0)")
        print(f"rows without a reason:   {acct['rows_without_reason']}")
        print(f"file status (pipeline):  {acct['file_status']}  in {acct['seconds']:.0f} s")
    print(f"parse status (phase 1):  {dict(statuses)}")
    print(f"stopped by a cap:        {dict(capped) or 'none'}")
    print(f"max seconds per file:    {slowest[1]['seconds']:.2f} s ({slowest[0][0].name[:70]})")
    print(f"max RSS per file:        {biggest[1]['peak_rss'] / mb:.0f} MB peak ({biggest[0][0].name[:70]});"
          f" largest growth {growth[1]['growth'] / mb:.0f} MB ({growth[0][0].name[:60]})")
    print(f"time:                    generate {gen_seconds:.0f} s, phase 1 {p1_seconds:.0f} s "
          f"({args.workers} processes, caps {args.max_seconds} s / {args.max_memory_mb} MB)")
    for (path, _), r in (crashes + died + hung + broken)[:10]:
        print(f"  FAIL {path.name[:70]}: {r}")
    shutil.rmtree(work, ignore_errors=True)
    must_be_zero = len(crashes) + len(broken) + len(hung) + (acct["files_unaccounted"] + acct["contents_unaccounted"] if acct else 0)
    return 1 if must_be_zero else 0


if __name__ == "__main__":
    sys.exit(main())
