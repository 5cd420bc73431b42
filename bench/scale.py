"""Scale benchmark: N generated reports through the library and through a whole `nianbao run`
(docs/scaling.md says what each figure is).

    python bench/scale.py                       # N = 1000, 10000, 100000 on the realistic mix
    python bench/scale.py 1000 10000            # just these
    python bench/scale.py 10000 --mix issue6    # the corpus before issue 16, for comparison
    python bench/scale.py 1000 --skip-runs      # parse throughput, CPU per format, accuracy only
    python bench/scale.py 100000 --skip-warm    # cold run only
    python bench/scale.py 100000 --skip-parse --warm-only   # warm runs on the last cold run's warehouse
    python bench/scale.py 10000 --partitioned --executor dask   # also the partitioned job on Dask

It measures and prints, beside the targets of the mix's issue (16 for ``realistic``, 6 for ``issue6``):

* CPU per file of the real multi-page PDFs in ../shared/real-reports (per 5 pages too);
* library parse throughput (reports/s): one core (``parse_bytes`` in this process) and all cores
  (``nianbao.run.pool.parse_many``, the pool a run uses), on a sample of the corpus, with CPU
  per file by format and the sample's cells checked against the generator's expected ones;
* a cold ``nianbao run`` (fresh warehouse, fresh Dagster home) end to end, with the time of each
  Dagster step (from the run's step stats) and the start-up before the first step;
* warm runs on that warehouse after adding 1 new file and after changing 1 file;
* peak memory of the run's whole process tree (sum of RSS, sampled every 0.25 s) and the
  warehouse's size on disk;
* three analyst queries on the published marts (median of 5 after one warm-up).

The corpus is generated with the test generator (tests/generator) and cached under
``bench/out/corpus-<mix>-n<N>-s<seed>/`` (file i is the same for every N, so a larger corpus
reuses a smaller one's files by hard link). ``--mix realistic`` (default) is the population
portals publish: ~55 % text/HTML, ~35 % PDF of 4–8 pages, ~10 % Word, reports of real length;
all text layouts, 5 encodings, both templates, traditional script and the other
perturbations, about 30 % of reports breaking one rule, 1 % duplicate files, and about N/6
agencies each reporting for 6 consecutive years.

Results go to ``bench/out/scale-<timestamp>.json``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
DUPLICATE_EVERY = 100  # every 100th file is a copy of an earlier one (a re-post, a mirror)


@dataclass(frozen=True)
class Mix:
    """What a corpus is made of: the share of each format, and how long its reports are."""

    name: str
    weights: tuple[tuple[str, float], ...]
    long_share: dict[str, float]  # share of each format's reports drawn with long_document (real length)
    pool: tuple[str, ...] | None  # perturbations drawn from (None: all the generator has)
    issue: int  # whose targets the table prints

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(f for f, _ in self.weights)


# The generator's perturbations before real-sized reports (long_document, running_header)
_ISSUE6_POOL = ("blank_cells", "extra_local_row", "fullwidth_digits", "label_variants", "lost_glyphs",
                "missing_tables", "page_numbers", "pinyin_debris", "repeated_metadata", "spam_header",
                "split_labels", "text_cells", "traditional_charlevel", "traditional_proper", "zh_tw_phrases")
MIXES = {
    # issue 16: what portals publish. ~55 % HTML/text, ~35 % PDF, ~10 % Word; every PDF and Word file of
    # real length (a PDF: 4–8 pages with page numbers), most web pages too (the real corpus's text
    # runs 2.2–8.2k characters, median 4.6k; a long generated one 1.9–5.8k, median 3.7k)
    "realistic": Mix("realistic", (("txt", 0.30), ("html", 0.25), ("pdf", 0.35), ("docx", 0.10)),
                     {"txt": 0.7, "html": 0.7, "pdf": 1.0, "docx": 1.0}, None, 16),
    # issue 6's corpus, for comparison with the figures before issue 16: short reports, 1 % small PDFs
    "issue6": Mix("issue6", (("txt", 0.56), ("html", 0.40), ("docx", 0.03), ("pdf", 0.01)),
                  {}, _ISSUE6_POOL, 6),
}


def parse_mix(text: str) -> Mix:
    """A named mix, or shares like ``txt=30,html=25,pdf=35,docx=10`` (the realistic mix's lengths)."""
    if text in MIXES:
        return MIXES[text]
    try:
        weights = tuple((f, float(w)) for f, w in (part.split("=") for part in text.split(",")))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--mix: a name ({', '.join(MIXES)}) or shares like txt=30,pdf=70, not {text!r}") from None
    unknown = {f for f, _ in weights} - {"txt", "html", "pdf", "docx"}
    if unknown or not weights or sum(w for _, w in weights) <= 0:
        raise argparse.ArgumentTypeError(f"--mix: formats are txt, html, pdf, docx with positive shares, not {text!r}")
    total = sum(w for _, w in weights)
    weights = tuple((f, round(w / total, 4)) for f, w in weights)
    name = "mix-" + "-".join(f"{f}{round(w * 100)}" for f, w in weights)
    return Mix(name, weights, MIXES["realistic"].long_share, None, 16)
# characters written the same in both scripts, for synthetic township names
_TOWN_CHARS = "山水石林田平安和永新清明青白金玉花高大小上下中南北西古竹桃柳松泉河江湖溪"
_TOWN_KINDS = (("镇", "人民政府"), ("乡", "人民政府"), ("街道", "办事处"))

TARGETS = {  # by issue: 16 for the realistic mix, 6 for the corpus before it
    16: {
        "pdf_ms_per_5_pages": ("<=", 40, "ms CPU"),
        "cold_run_s": {10_000: ("<=", 60, "s"), 100_000: ("<=", 600, "s")},
        "warm_run_s": ("<=", 20, "s"),
        "peak_rss_mb": ("<=", 2048, "MB"),
        "query_ms": ("<=", 100, "ms"),
    },
    6: {
        "parse_all_cores_rps": (">=", 1000, "reports/s"),
        "cold_run_s": {10_000: ("<=", 45, "s"), 100_000: ("<=", 180, "s")},
        "warm_run_s": ("<=", 20, "s"),
        "peak_rss_mb": ("<=", 2048, "MB"),
        "query_ms": ("<=", 100, "ms"),
    },
}
REAL_PDFS = ("huaian-2024.pdf", "hongze-2024.pdf")  # in ../shared/real-reports: 6 and 5 pages

QUERIES = {
    "province_agency_year_totals": """
        select agency_name, report_year, requests_received, requests_processed, requests_granted,
               reviews_total, lawsuits_total
        from marts.mart_agency_year
        where province = $province
        order by agency_name, report_year""",
    "share_granted_by_year": """
        select report_year,
               sum(requests_granted) as granted,
               sum(requests_processed) as processed,
               round(sum(requests_granted) / nullif(sum(requests_processed), 0), 4) as share_granted
        from marts.mart_agency_year
        group by report_year order by report_year""",
    "carryover_mismatch_agencies": """
        select r.agency_id, a.agency_name, count(distinct r.report_year) as years_mismatched
        from marts.fct_reconciliation r join marts.dim_agency a using (agency_id)
        where r.rule = 't3_cross_year_carryover' and r.passed = false
        group by all order by years_mismatched desc, r.agency_id""",
}


# ---------------------------------------------------------------------------- the corpus

def _agency(k: int) -> str:
    """A distinct, realistic agency name for agency number k."""
    from tests.generator.spec import _PLACES

    names = _agency_names_cached()
    if k < len(names):
        return names[k]
    k -= len(names)
    k, place = divmod(k, len(_PLACES))
    prov, city, counties = _PLACES[place]
    k, county = divmod(k, len(counties))
    k, kind = divmod(k, len(_TOWN_KINDS))
    k, a = divmod(k, len(_TOWN_CHARS))
    k, b = divmod(k, len(_TOWN_CHARS))
    town = _TOWN_CHARS[a] + _TOWN_CHARS[b] + ("" if k == 0 else _TOWN_CHARS[k % len(_TOWN_CHARS)])
    suffix, body = _TOWN_KINDS[kind]
    return (city or prov) + counties[county] + town + suffix + body


_NAMES: list[str] | None = None


def _agency_names_cached() -> list[str]:
    global _NAMES
    if _NAMES is None:
        from tests.generator.spec import all_agency_names

        _NAMES = all_agency_names()
    return _NAMES


def make_case(seed: int, i: int, mix: Mix):
    """Report i of the corpus as a generator case (spec, format, layout, perturbations), not yet
    rendered: its expected values are known without rendering. Deterministic in (seed, i, mix)."""
    from tests.generator import random_case
    from tests.generator.spec import random_index_number, random_published_on

    rng = random.Random(seed * 1_000_003 + i)
    agency_no, year_no = divmod(i, len(YEARS))
    year = YEARS[year_no]
    template = "2019" if year <= 2020 else "2021"
    fmt = rng.choices(mix.formats, weights=[w for _, w in mix.weights])[0]
    share = mix.long_share.get(fmt, 0.0)
    # real PDFs print page numbers; long_document makes them 4–8 pages
    require = (("long_document", "page_numbers") if fmt == "pdf" else ("long_document",)) \
        if share and rng.random() < share else ()
    for _ in range(20):
        case = random_case(rng, (fmt,), template=template, perturbations=mix.pool, require=require)
        if case.spec.template == template:  # the docx fill-in template is 2021 only
            break
    spec = case.spec
    spec.agency, spec.short_agency = _agency(agency_no), None
    spec.report_year = year
    spec.published_on = random_published_on(rng, year)
    spec.index_number = random_index_number(rng, year)
    return case


def make_report(seed: int, i: int, mix: Mix) -> tuple[str, bytes, str]:
    """Report i of the corpus: (file name, bytes, format)."""
    case = make_case(seed, i, mix)
    name, data = case.render()
    return f"{i:07d}-{name}", data, case.fmt


def _gen_chunk(args: tuple[int, int, int, str, Mix]) -> dict[str, int]:
    seed, start, stop, dest, mix = args
    counts: dict[str, int] = {}
    for i in range(start, stop):
        sub = Path(dest) / f"{i // 1000:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
            src_name, data, fmt = make_report(seed, i - DUPLICATE_EVERY // 2, mix)
            name = f"{i:07d}-copy-of-{src_name}"
            fmt = "duplicate"
        else:
            name, data, fmt = make_report(seed, i, mix)
        (sub / name).write_bytes(data)
        counts[fmt] = counts.get(fmt, 0) + 1
    return counts


def corpus(n: int, seed: int, jobs: int, mix: Mix) -> Path:
    """The raw directory of an n-report corpus, generated once and cached."""
    base = OUT / f"corpus-{mix.name}-n{n}-s{seed}"
    raw, manifest = base / "raw", base / "manifest.json"
    if manifest.exists():
        return raw
    if base.exists():
        shutil.rmtree(base)
    raw.mkdir(parents=True)
    # file i does not depend on n: hard-link what another corpus of this seed already has
    reused = 0
    for other in sorted(OUT.glob(f"corpus-{mix.name}-n*-s{seed}/manifest.json")):
        for f in (other.parent / "raw").rglob("*"):
            if f.is_file() and int(f.name[:7]) < n:
                dest = raw / f.parent.name / f.name
                dest.parent.mkdir(exist_ok=True)
                if not dest.exists():
                    os.link(f, dest)
                    reused += 1
    have = {int(f.name[:7]) for f in raw.rglob("*") if f.is_file()}
    todo = [i for i in range(n) if i not in have]
    t0 = time.perf_counter()
    print(f"[corpus] generating {len(todo)} of {n} reports (seed {seed}, {reused} reused) into {raw}", flush=True)
    counts: dict[str, int] = {}
    chunks, step = [], 200
    runs: list[tuple[int, int]] = []
    for i in todo:  # contiguous runs of missing indices
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    for a, b in runs:
        for s in range(a, b, step):
            chunks.append((seed, s, min(b, s + step), str(raw), mix))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        done = 0
        for c in pool.imap_unordered(_gen_chunk, chunks):
            for k, v in c.items():
                counts[k] = counts.get(k, 0) + v
            done += sum(c.values())
            if done % 5000 < step:
                print(f"[corpus] {done}/{len(todo)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    files = sorted(f for f in raw.rglob("*") if f.is_file())
    assert len(files) == n, (len(files), n)
    manifest.write_text(json.dumps({
        "n": n, "seed": seed, "bytes": sum(f.stat().st_size for f in files),
        "generated_now": counts, "mix": mix.name, "format_mix": dict(mix.weights), "long_share": mix.long_share,
        "seconds": round(time.perf_counter() - t0, 1),
    }, indent=2))
    return raw


# ---------------------------------------------------------------------------- measurements

def _pages(data: bytes) -> int:
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def parse_throughput(raw: Path, sample: int, workers: int, seed: int, mix: Mix) -> dict:
    """Reports per second on a sample of the corpus, one core and all cores; CPU per file by
    format; and the sample's accuracy against the generator's expected cells (so a shape the
    parser does not read shows as cells missing or wrong, not as a speed)."""
    from nianbao.parse.pipeline import parse_bytes

    files = sorted(f for f in raw.rglob("*") if f.is_file() and "-copy-of-" not in f.name)[:sample]
    blobs = [(f.name, f.read_bytes()) for f in files]
    by_format: dict[str, dict] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    results = []
    for name, data in blobs:
        c = time.process_time()
        results.append(parse_bytes(data, name))
        fmt = name.rsplit(".", 1)[-1]
        f = by_format.setdefault(fmt, {"files": 0, "cpu_s": 0.0, "pages": 0})
        f["files"] += 1
        f["cpu_s"] += time.process_time() - c
    one, one_cpu = time.perf_counter() - t0, time.process_time() - c0
    for name, data in blobs:  # outside the timed loop
        if name.endswith(".pdf"):
            by_format["pdf"]["pages"] += _pages(data)
    accuracy: dict[str, dict[str, int]] = {}
    for (name, _), r in zip(blobs, results):
        case = make_case(seed, int(name[:7]), mix)
        want = case.expected_cells()
        got = {(c.table_id, c.row_id, c.col_id): c.value for c in r.cells}
        a = accuracy.setdefault(case.fmt, {"cells": 0, "right": 0, "missing": 0, "wrong": 0, "extra": 0})
        a["cells"] += len(want)
        for k, v in want.items():
            if k not in got:
                a["missing"] += 1
            elif (got[k] is None) != (v is None) or (v is not None and abs(got[k] - v) > 1e-6 * max(1.0, abs(v))):
                a["wrong"] += 1
            else:
                a["right"] += 1
        a["extra"] += len(set(got) - set(want))
    many, cells_per_report = _pool_throughput(files, workers)
    return {
        "sample": len(files), "workers": workers,
        "one_core_rps": round(len(files) / one, 1),
        "one_core_rps_cpu": round(len(files) / one_cpu, 1),  # per CPU-second: robust to a busy machine
        "all_cores_rps": round(len(files) / many, 1),
        "cells_per_report": cells_per_report,
        "by_format": {k: {"files": v["files"], "ms_per_file": round(1000 * v["cpu_s"] / v["files"], 2),
                          "cpu_share": round(v["cpu_s"] / one_cpu, 3),
                          **({"pages_per_file": round(v["pages"] / v["files"], 2),
                              "ms_per_5_pages": round(5000 * v["cpu_s"] / v["pages"], 1)} if v["pages"] else {})}
                      for k, v in sorted(by_format.items())},
        "accuracy": accuracy,
    }


_POOL_CODE = """
import json, sys, time
from pathlib import Path
from nianbao.parse.pipeline import Limits
from nianbao.run.pool import parse_many, warm_up_parser
files, workers = json.loads(sys.stdin.read())
warm_up_parser()
parse_many([], Limits(), 60, workers)  # waits for the set-up: a run does it while it scans
t0 = time.perf_counter()
rows = parse_many([(Path(f), Path(f).name) for f in files], Limits(), 60, workers)
print(json.dumps([time.perf_counter() - t0, len(rows.report_cells) / max(1, len(rows.reports))]))
"""


def _pool_throughput(files: list[Path], workers: int) -> tuple[float, float]:
    """Seconds for the run's pool to parse ``files``, and cells per report. In a new process, as a
    run does: workers forked from this one would inherit the caches the one-core pass just
    filled with these very files, and read faster than any run can."""
    res = subprocess.run([sys.executable, "-c", _POOL_CODE], input=json.dumps([[str(f) for f in files], workers]),
                         capture_output=True, text=True, check=True, cwd=ROOT)
    seconds, cells = json.loads(res.stdout.strip().splitlines()[-1])
    return seconds, round(cells, 1)


def real_pdfs(repeat: int = 5) -> dict:
    """CPU per file of the real multi-page PDFs in ../shared/real-reports (median of ``repeat``)."""
    from nianbao.parse.pipeline import parse_bytes

    shared = ROOT.parent / "shared" / "real-reports"
    out = {}
    for name in REAL_PDFS:
        path = shared / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        parse_bytes(data, name)  # warm-up: imports, vocabulary
        times = []
        for _ in range(repeat):
            c = time.process_time()
            parse_bytes(data, name)
            times.append(time.process_time() - c)
        ms, pages = 1000 * statistics.median(times), _pages(data)
        out[name] = {"pages": pages, "ms_per_file": round(ms, 1), "ms_per_5_pages": round(ms * 5 / pages, 1)}
    return out


class TreeMemory:
    """Peak of the summed RSS (and PSS) of a process and all its descendants, by polling /proc."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(d))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += children.get(p, [])
        return out

    def _sample(self) -> None:
        rss = pss = 0
        for p in self._tree():
            try:
                with open(f"/proc/{p}/smaps_rollup") as fh:
                    for line in fh:
                        if line.startswith("Rss:"):
                            rss += int(line.split()[1])
                        elif line.startswith("Pss:"):
                            pss += int(line.split()[1])
            except OSError:
                continue
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def nianbao_run(raw: Path, home: Path, log: Path, partitioned: bool = False, executor: str = "multiprocess") -> dict:
    """One `nianbao run` in a subprocess; wall time, peak memory, and Dagster's step times."""
    env = dict(os.environ, NIANBAO_RAW_DIR=str(raw), NIANBAO_DB=str(home / "nianbao.duckdb"),
               DAGSTER_HOME=str(home / "dagster_home"), TQDM_DISABLE="1")
    if partitioned:
        env["NIANBAO_PARTITION_EXECUTOR"] = executor
    argv = ["run", "--partitioned"] if partitioned else ["run"]
    # what the `nianbao` command runs (console_main), with these arguments
    cmd = [sys.executable, "-c", f"import sys; sys.argv[1:] = {argv!r}; from orchestration.cli import console_main; "
                                 "sys.exit(console_main())"]
    started = time.time()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        mem = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        mem.stop()
    ended = time.time()
    out = {
        "exit_code": proc.returncode, "wall_s": round(ended - started, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # the run and every child it waited for
        "peak_rss_mb": round(mem.peak_rss / 1024, 1), "peak_pss_mb": round(mem.peak_pss / 1024, 1),
        "log": str(log),
    }
    out.update(_step_times(home / "dagster_home", started, ended))
    return out


def _step_times(dagster_home: Path, started: float, ended: float) -> dict:
    """Per-step seconds of the last run in this Dagster home, plus start-up and wind-down."""
    code = f"""
import json, sys
from dagster import DagsterInstance, AssetKey
inst = DagsterInstance.from_config({str(dagster_home)!r})
rec = inst.get_run_records(limit=1)[0]
steps = {{s.step_key: [s.start_time, s.end_time] for s in inst.get_run_step_stats(rec.dagster_run.run_id)}}
ev = inst.get_latest_materialization_event(AssetKey(["raw", "reports"]))
md = {{k: getattr(v, "value", None) for k, v in (ev.asset_materialization.metadata.items() if ev else [])}}
parts = {{}}
for key in inst.get_asset_keys():
    if key.path[0] == "raw_parquet" and key.path[-1].startswith("part_"):
        e = inst.get_latest_materialization_event(key)
        if e is not None and e.run_id == rec.dagster_run.run_id:
            m = e.asset_materialization.metadata
            parts[key.path[-1]] = {{k: getattr(m[k], "value", None) for k in ("parsed_now", "parse_seconds", "write_seconds") if k in m}}
print(json.dumps({{"steps": steps, "parse_md": {{k: v for k, v in md.items() if isinstance(v, (int, float))}}, "partitions": parts}}))
"""
    try:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=dict(os.environ, DAGSTER_HOME=str(dagster_home)))
        data = json.loads(res.stdout.strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError) as e:
        return {"stages_error": str(getattr(e, "stderr", e))[-500:]}
    steps = {k: v for k, v in data["steps"].items() if v[0] and v[1]}
    stages = {k: round(v[1] - v[0], 2) for k, v in sorted(steps.items(), key=lambda kv: kv[1][0])}
    first = min(v[0] for v in steps.values()) if steps else started
    last = max(v[1] for v in steps.values()) if steps else ended
    return {
        "startup_s": round(first - started, 2),  # interpreter, imports, definitions, dbt manifest
        "stages_s": stages,
        "between_steps_s": round((last - first) - sum(stages.values()), 2),
        "wind_down_s": round(ended - last, 2),  # summary, exit
        "parse_step": data.get("parse_md", {}),
        **({"partitions": data["partitions"]} if data.get("partitions") else {}),
    }


def warm_runs(raw: Path, home: Path, seed: int, n: int, mix: Mix) -> dict:
    """Add one new file, run; change one file, run; then put the corpus back as it was."""
    extra = raw / "_warm"
    extra.mkdir(exist_ok=True)
    out = {}
    try:
        name, data, _ = make_report(seed, 10_000_000 + n, mix)
        (extra / name).write_bytes(data)
        out["add_1_file"] = nianbao_run(raw, home, home / "warm-add.log")
        victim = sorted((raw / "0000").iterdir())[3]
        original = victim.read_bytes()
        _, changed, _ = make_report(seed, 10_000_001 + n, mix)
        try:
            _replace(victim, changed)
            out["change_1_file"] = nianbao_run(raw, home, home / "warm-change.log")
        finally:
            _replace(victim, original)
    finally:
        shutil.rmtree(extra, ignore_errors=True)
    return out


def _replace(path: Path, data: bytes) -> None:
    """Write a new inode (the cached pool's hard links keep the original bytes)."""
    tmp = path.with_name(path.name + ".tmp-bench")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run_queries(db: Path, repeat: int = 5) -> dict:
    import duckdb

    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        province = (con.execute("select province from marts.mart_agency_year where province is not null "
                                "group by 1 order by count(*) desc limit 1").fetchone() or [None])[0]
        for name, sql in QUERIES.items():
            params = {"province": province} if "$province" in sql else {}
            t0 = time.perf_counter()
            rows = con.execute(sql, params).fetchall()
            first = time.perf_counter() - t0
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                con.execute(sql, params).fetchall()
                times.append(time.perf_counter() - t0)
            out[name] = {"rows": len(rows), "first_ms": round(first * 1000, 1),
                         "median_ms": round(statistics.median(times) * 1000, 1)}
        out["_province"] = province
        out["_table_rows"] = dict(con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables() "
            "where schema_name in ('raw', 'marts') order by 1").fetchall())
    return out


# ---------------------------------------------------------------------------- report

def _target(issue: int, key: str, n: int | None = None):
    t = TARGETS[issue].get(key)
    if isinstance(t, dict):
        t = t.get(n)
    return t


def _verdict(value, target) -> str:
    if target is None or value is None:
        return ""
    op, limit, unit = target
    ok = value >= limit if op == ">=" else value <= limit
    return f"{op} {limit:g} {unit}  {'ok' if ok else 'MISSED'}"


def _by_format(p: dict) -> str:
    return ", ".join(f"{fmt} {v['ms_per_file']:.1f}" for fmt, v in p.get("by_format", {}).items())


def _real_pdf_weight(results: dict, parse: dict) -> tuple[float, float] | None:
    """Mean parse CPU per report of the sample (ms), and the same with its PDFs costing what the
    real PDFs cost per page: generated PDFs draw a text object per line in a built-in font, real
    ones (WPS, Word) a text object per glyph in embedded fonts, ~3× PDFium's work per page."""
    real = results.get("real_pdfs", {})
    fmts = parse.get("by_format", {})
    pdf = fmts.get("pdf")
    if not real or not pdf or "pages_per_file" not in pdf:
        return None
    real_ms_per_page = sum(v["ms_per_file"] for v in real.values()) / sum(v["pages"] for v in real.values())
    files = sum(v["files"] for v in fmts.values())
    mean = sum(v["files"] * v["ms_per_file"] for v in fmts.values()) / files
    heavier = mean + pdf["files"] / files * (real_ms_per_page * pdf["pages_per_file"] - pdf["ms_per_file"])
    return mean, heavier


def print_table(results: dict) -> None:
    issue = results.get("issue", 6)
    _t = lambda key, n=None: _target(issue, key, n)  # noqa: E731
    rows: list[tuple[str, str, str, str]] = []
    for name, v in results.get("real_pdfs", {}).items():
        rows.append(("real", f"PDF {name} ({v['pages']} pages), 1 core", f"{v['ms_per_file']:.1f} ms CPU per file, "
                     f"{v['ms_per_5_pages']:.1f} per 5 pages", _verdict(v["ms_per_5_pages"], _t("pdf_ms_per_5_pages"))))
    for n_key, r in results["runs"].items():
        n = int(n_key)
        p = r.get("parse", {})
        heavier = _real_pdf_weight(results, p) if p else None
        per_format = ""
        if p:
            per_format = f"  [CPU ms/file: {_by_format(p)}]"
            rows.append((n_key, f"parse, 1 core (sample {p['sample']})",
                         f"{p['one_core_rps']:,.0f} reports/s ({p.get('one_core_rps_cpu', 0):,.0f} per CPU-s)", ""))
            for fmt, v in p.get("by_format", {}).items():
                pages = (f"; {v['pages_per_file']:.1f} pages, {v['ms_per_5_pages']:.1f} ms per 5 pages"
                         if "pages_per_file" in v else "")
                rows.append((n_key, f"  CPU per {fmt} file ({v['files']} files)",
                             f"{v['ms_per_file']:.1f} ms ({v['cpu_share']:.0%} of the CPU{pages})",
                             _verdict(v.get("ms_per_5_pages"), _t("pdf_ms_per_5_pages"))))
            if heavier:
                rows.append((n_key, "  CPU per report: this mix / with real-weight PDFs (estimate)",
                             f"{heavier[0]:.1f} / {heavier[1]:.1f} ms (the real PDFs' CPU per page × this mix's pages)",
                             ""))
            rows.append((n_key, f"parse, {p['workers']} cores (parse_many)", f"{p['all_cores_rps']:,.0f} reports/s",
                         _verdict(p["all_cores_rps"], _t("parse_all_cores_rps"))))
            for fmt, a in sorted(p.get("accuracy", {}).items()):
                rows.append((n_key, f"  accuracy, {fmt} (cells right / missing / wrong / extra)",
                             f"{a['right']:,} / {a['missing']:,} / {a['wrong']:,} / {a['extra']:,} of {a['cells']:,}",
                             "all right  ok" if a["right"] == a["cells"] and not a["extra"] else "NOT ALL READ"))
        cold = r.get("cold")
        if cold:
            rows.append((n_key, "cold nianbao run, total", f"{cold['wall_s']:.1f} s" +
                         ("" if cold["exit_code"] == 0 else f" (exit {cold['exit_code']})") +
                         (f", {cold['cpu_s']:.0f} CPU-s" if "cpu_s" in cold else ""),
                         _verdict(cold["wall_s"], _t("cold_run_s", n)) + per_format))
            parse_s = cold.get("parse_step", {}).get("parse_seconds")
            if heavier and parse_s:
                estimate = cold["wall_s"] + parse_s * (heavier[1] / heavier[0] - 1)
                rows.append((n_key, "  the same run with real-weight PDFs (estimate)",
                             f"{estimate:.0f} s (its parse × {heavier[1] / heavier[0]:.2f})",
                             _verdict(estimate, _t("cold_run_s", n))))
            if "startup_s" in cold:
                rows.append((n_key, "  start-up (imports, definitions)", f"{cold['startup_s']:.1f} s", ""))
                for step, s in cold["stages_s"].items():
                    extra = ""
                    if step == "parsed_reports" and cold.get("parse_step", {}).get("parse_seconds") is not None:
                        ps = cold["parse_step"]
                        extra = f" (parse {ps['parse_seconds']:.1f} s" + (
                            f", load {ps['load_seconds']:.1f} s" if "load_seconds" in ps else "") + ")"
                    rows.append((n_key, f"  step {step}", f"{s:.1f} s{extra}", ""))
                rows.append((n_key, "  between steps + wind-down", f"{cold['between_steps_s'] + cold['wind_down_s']:.1f} s", ""))
            rows.append((n_key, "peak memory, process tree (RSS / PSS)",
                         f"{cold['peak_rss_mb']:,.0f} / {cold['peak_pss_mb']:,.0f} MB",
                         _verdict(cold["peak_pss_mb"], _t("peak_rss_mb"))))
        pr = r.get("partitioned")
        if pr:
            rows.append((n_key, f"cold run --partitioned ({pr.get('executor', 'multiprocess')}), total",
                         f"{pr['wall_s']:.1f} s" + ("" if pr["exit_code"] == 0 else f" (exit {pr['exit_code']})") +
                         (f", {pr['cpu_s']:.0f} CPU-s" if "cpu_s" in pr else ""), per_format.strip()))
            parts = pr.get("partitions", {})
            if parts:
                ps = [p.get("parse_seconds", 0) + p.get("write_seconds", 0) for p in parts.values()]
                per = sum(p.get("parsed_now", 0) for p in parts.values()) / max(1e-9, sum(ps))
                rows.append((n_key, f"  {len(parts)} partitions: parse+write per partition",
                             f"median {statistics.median(ps):.1f} s, max {max(ps):.1f} s ({per:,.0f} reports/s each)", ""))
            for step in ("parsed_reports", "nianbao_dbt_models", "reconciliation_validation", "published_warehouse"):
                if step in pr.get("stages_s", {}):
                    rows.append((n_key, f"  step {step}", f"{pr['stages_s'][step]:.1f} s", ""))
        for label, key in (("warm run, 1 file added", "add_1_file"), ("warm run, 1 file changed", "change_1_file")):
            w = r.get("warm", {}).get(key)
            if w:
                steps = ", ".join(f"{k.split('__')[-1][:12]} {v:.1f}" for k, v in w.get("stages_s", {}).items())
                rows.append((n_key, label, f"{w['wall_s']:.1f} s (start-up {w.get('startup_s', 0):.1f}; {steps})",
                             _verdict(w["wall_s"], _t("warm_run_s"))))
        if r.get("warehouse_mb") is not None:
            rows.append((n_key, "warehouse on disk (published / work dir)",
                         f"{r['warehouse_mb']:,.1f} / {r['work_dir_mb']:,.1f} MB", ""))
        for q, v in r.get("queries", {}).items():
            if not q.startswith("_"):
                rows.append((n_key, f"query {q}", f"{v['median_ms']:.1f} ms ({v['rows']} rows)",
                             _verdict(v["median_ms"], _t("query_ms"))))
    widths = [max(len(row[i]) for row in rows + [("N", "measure", "value", "target")]) for i in range(4)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    print(line(("N", "measure", "value", "target")))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="*", type=int, default=[1_000, 10_000, 100_000], help="corpus sizes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes generating the corpus")
    ap.add_argument("--parse-sample", type=int, default=1000, help="files parsed for the throughput figures")
    ap.add_argument("--skip-parse", action="store_true", help="no library throughput figures")
    ap.add_argument("--skip-runs", action="store_true", help="no nianbao runs (parse throughput only)")
    ap.add_argument("--skip-warm", action="store_true", help="no warm runs")
    ap.add_argument("--warm-only", action="store_true",
                    help="only the warm runs, on the warehouse a previous cold run left in bench/out")
    ap.add_argument("--generate-only", action="store_true", help="only build (cache) the corpora")
    ap.add_argument("--partitioned", action="store_true",
                    help="also a cold `nianbao run --partitioned` (per-partition parse and write times)")
    ap.add_argument("--executor", choices=("multiprocess", "dask"), default="multiprocess",
                    help="--partitioned: the job's executor (dask: a LocalCluster of loopback workers)")
    ap.add_argument("--mix", type=parse_mix, default=MIXES["realistic"],
                    help="the corpus: 'realistic' (issue 16: ~55 %% HTML/text, 35 %% PDF of 4-8 pages, 10 %% Word; "
                         "default), 'issue6' (56 %% text, 40 %% HTML, 3 %% Word, 1 %% small PDF: the corpus before), "
                         "or shares like txt=30,html=25,pdf=35,docx=10")
    ap.add_argument("--skip-real-pdfs", action="store_true", help="no CPU figures for the real PDFs")
    args = ap.parse_args(argv)
    mix = args.mix

    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results = {"started": stamp, "machine": {"cores": os.cpu_count(), "load_avg_at_start": os.getloadavg()},
               "args": dict(vars(args), mix=mix.name), "mix": {"name": mix.name, "formats": dict(mix.weights),
                                                                "long_share": mix.long_share},
               "issue": mix.issue, "runs": {}}
    if not (args.skip_parse or args.generate_only or args.skip_real_pdfs):
        print("[parse] the real PDFs of ../shared/real-reports", flush=True)
        results["real_pdfs"] = real_pdfs()
    for n in args.n:
        raw = corpus(n, args.seed, args.jobs, mix)
        if args.generate_only:
            continue
        r: dict = {"corpus": str(raw)}
        results["runs"][str(n)] = r
        if not args.skip_parse:
            print(f"[parse] throughput on {min(n, args.parse_sample)} files", flush=True)
            r["parse"] = parse_throughput(raw, args.parse_sample, os.cpu_count() or 1, args.seed, mix)
        if args.warm_only:
            home = OUT / f"warehouse-{mix.name}-n{n}"
            if not (home / "nianbao.duckdb").exists():
                print(f"no warehouse at {home}: run a cold run first", file=sys.stderr)
                return 2
            print(f"[run] warm runs on {home}: 1 file added, 1 file changed", flush=True)
            r["warm"] = warm_runs(raw, home, args.seed, n, mix)
        elif not args.skip_runs:
            home = OUT / f"warehouse-{mix.name}-n{n}"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            print(f"[run] cold nianbao run on {n} files", flush=True)
            r["cold"] = nianbao_run(raw, home, home / "cold.log")
            if r["cold"]["exit_code"] == 0:
                r["warehouse_mb"] = round((home / "nianbao.duckdb").stat().st_size / 1e6, 1)
                r["work_dir_mb"] = round(_dir_size(home / ".nianbao-work") / 1e6, 1)
                r["queries"] = run_queries(home / "nianbao.duckdb")
                if not args.skip_warm:
                    print("[run] warm runs: 1 file added, 1 file changed", flush=True)
                    r["warm"] = warm_runs(raw, home, args.seed, n, mix)
        if args.partitioned:
            home = OUT / f"warehouse-{mix.name}-n{n}-partitioned-{args.executor}"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            print(f"[run] cold nianbao run --partitioned ({args.executor}) on {n} files", flush=True)
            r["partitioned"] = nianbao_run(raw, home, home / "cold.log", partitioned=True, executor=args.executor)
            r["partitioned"]["executor"] = args.executor
        path = OUT / f"scale-{stamp}.json"
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if results["runs"]:
        print()
        print_table(results)
        print(f"\nwritten: {OUT / f'scale-{stamp}.json'} (load average at start: "
              f"{', '.join(f'{x:.1f}' for x in results['machine']['load_avg_at_start'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
