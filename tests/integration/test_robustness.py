"""Never lose a file, never show a half-built warehouse.

One story, run once for the module (three complete runs, three killed ones):

1. run A on a messy raw folder (samples, junk, truncated and bomb files, duplicates, links, a
   file over the size cap, odd names) plus report X;
2. a reader process starts querying the published marts read-only in a loop (it keeps running
   to the end);
3. run B on the same folder (deterministic: same marts as A);
4. X is deleted and report Y added; three runs are killed with SIGKILL — during parse, during
   dbt, during the checks — and each time the published file must be byte-for-byte B's;
5. run C completes; its marts differ from B's only by X's rows (gone) and Y's (new).

The publish step itself is killed at its two delicate points by the test hook
``NIANBAO_TEST_CRASH_AT`` (cheaper than whole runs; see nianbao/run/warehouse.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from nianbao.run.settings import Settings
from nianbao.run.storage import create_database
from nianbao.run.warehouse import publish
from orchestration.cli import main
from tests import adversarial as adv
from tests.faults import sha256, snapshot

REPO = Path(__file__).resolve().parents[2]
SIZE_CAP = 1_000_000

# What the reader checks on every connection: counts, a sum and the list of report ids, twice.
FINGERPRINT_SQL = """
select (select count(*) from marts.dim_source_file),
       (select count(*) from marts.dim_report),
       (select count(*) from marts.fct_applications),
       (select coalesce(sum("count"), 0) from marts.fct_applications),
       (select count(*) from marts.fct_reconciliation),
       (select count(*) from marts.mart_agency_year),
       (select string_agg(report_id, ',' order by report_id) from marts.dim_report)
"""

READER = r'''
import json, os, random, sys, time
import duckdb
db, out, stop, sql = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rng = random.Random(1)
parent = os.getppid()
with open(out, "a") as fh:
    while not os.path.exists(stop) and os.getppid() == parent:  # stops with the test, however it ends
        rec = {"t0": time.time()}
        try:
            rec["ino_before"] = os.stat(db).st_ino
            con = duckdb.connect(db, read_only=True)
            try:
                first = con.execute(sql).fetchall()[0]
                time.sleep(rng.random() * (1.5 if rng.random() < 0.2 else 0.2))  # some connections span a publish
                second = con.execute(sql).fetchall()[0]
            finally:
                con.close()
            rec["ino_after"] = os.stat(db).st_ino
            rec["fp"] = list(first)
            rec["same"] = list(first) == list(second)
        except Exception as e:
            rec["err"] = f"{type(e).__name__}: {e}"
        rec["t1"] = time.time()
        fh.write(json.dumps(rec) + "\n")
        fh.flush()
'''

HOLDER = r'''
import json, os, sys, time
import duckdb
db, out, stop, sql = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ino_open = os.stat(db).st_ino
con = duckdb.connect(db, read_only=True)  # held from before run B to after run C
first = list(con.execute(sql).fetchall()[0])
parent = os.getppid()
while not os.path.exists(stop) and os.getppid() == parent:
    time.sleep(0.2)
last = list(con.execute(sql).fetchall()[0])
con.close()
with open(out, "w") as fh:
    json.dump({"first": first, "last": last, "ino_open": ino_open, "ino_end": os.stat(db).st_ino}, fh)
'''

SLOW_PARSE_RUN = r'''
import sys, time
import nianbao.run.pool as pool
real = pool.parse_bytes
def slow(*args, **kwargs):  # keeps the parser workers busy so the kill lands inside the parse
    time.sleep(120)
    return real(*args, **kwargs)
pool.parse_bytes = slow
from orchestration.cli import main
sys.exit(main(sys.argv[1:]))
'''
PLAIN_RUN = "import sys\nfrom orchestration.cli import main\nsys.exit(main(sys.argv[1:]))\n"


# -- helpers -----------------------------------------------------------------------------------


def fingerprint(db: Path) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return list(con.execute(FINGERPRINT_SQL).fetchall()[0])
    finally:
        con.close()


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid: int) -> list[int]:
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Killed:
    point: str
    run_cmd: str
    lines: list[str]
    children_at_kill: dict[int, str]
    leftovers: dict[int, str]
    published_sha_after: str
    returncode: int


def kill_run_at(point: str, trigger: str, args: list[str], env: dict, db: Path, *, code: str = PLAIN_RUN,
                child_pattern: str | None = None, timeout: float = 300) -> Killed:
    """Start ``nianbao run`` in a subprocess, wait for a progress line matching ``trigger`` on
    its stderr (and, if given, for a child process whose command line matches
    ``child_pattern``), then SIGKILL the run's process (only it: what kill -9 does)."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in proc.stderr], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while not any(re.search(trigger, line) for line in seen):
            assert proc.poll() is None, f"the run ended before {trigger!r}: {seen[-15:]}"
            assert time.monotonic() < deadline, f"no {trigger!r} within {timeout} s: {seen[-15:]}"
            try:
                seen.append(lines.get(timeout=0.2))
            except queue.Empty:
                pass
        children: dict[int, str] = {}
        while child_pattern:
            children = {p: cmdline(p) for p in descendants(proc.pid)}
            if any(re.search(child_pattern, c) for c in children.values()):
                break
            assert proc.poll() is None and time.monotonic() < deadline, f"no child {child_pattern!r}: {children}"
            time.sleep(0.05)
        children = {p: cmdline(p) for p in descendants(proc.pid)}
        run_cmd = cmdline(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)

        def ours(c: str) -> bool:  # dbt, or a parser worker (forked: the run's own command line)
            return "dbt" in c or c == run_cmd

        deadline = time.monotonic() + 15
        while any(alive(p) and ours(c) for p, c in children.items()) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = {p: c for p, c in children.items() if alive(p) and ours(c)}
        return Killed(point, run_cmd, seen, children, leftovers, sha256(db), proc.returncode)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # our own session only: whatever is left of this run
        except ProcessLookupError:
            pass


# -- the story ---------------------------------------------------------------------------------


@dataclass
class Story:
    raw: Path
    db: Path
    expected: dict
    x_id: str = ""
    y_id: str = ""
    codes: dict = field(default_factory=dict)
    snaps: dict = field(default_factory=dict)
    shas: dict = field(default_factory=dict)
    fps: dict = field(default_factory=dict)
    killed: list = field(default_factory=list)
    reader: list = field(default_factory=list)
    held: dict = field(default_factory=dict)
    timeline: dict = field(default_factory=dict)


def _report_x() -> bytes:
    real = adv.REAL / "huaian-2024.pdf"
    if real.is_file():
        return real.read_bytes()
    return next(v for k, v in sorted(adv.seed_files().items()) if k.endswith(".pdf"))


def _report_y() -> bytes:
    nanxun = (adv.SAMPLES / "huzhou-nanxun-district-2020-pipe-tables.txt").read_text("utf-8")
    return nanxun.replace("南浔", "吴兴").encode("utf-8")


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    root = tmp_path_factory.mktemp("robustness")
    raw, db = root / "raw", root / "data" / "nianbao.duckdb"
    s = Story(raw, db, adv.make_messy_raw_dir(raw, root / "outside", SIZE_CAP))
    x_path, y_path = raw / "pdf" / "report-x.pdf", raw / "new" / "report-y 吴兴.txt"
    x_path.write_bytes(_report_x())
    s.x_id, s.y_id = sha256(x_path)[:16], hashlib.sha256(_report_y()).hexdigest()[:16]
    args = ["run", "--raw-dir", str(raw), "--db", str(db)]
    env_vars = {"DAGSTER_HOME": str(root / "dagster_home"), "NIANBAO_MAX_FILE_BYTES": str(SIZE_CAP),
                "NIANBAO_WORKERS": "2", "NIANBAO_RAW_DIR": str(raw), "NIANBAO_DB": str(db)}
    mp = pytest.MonkeyPatch()
    for k, v in env_vars.items():
        mp.setenv(k, v)
    mp.delenv("NIANBAO_TEST_CRASH_AT", raising=False)
    stop = root / "reader.stop"
    log, held = root / "reader.jsonl", root / "held.json"
    reader = holder = None
    try:
        def run(name):
            t0 = time.time()
            s.codes[name] = main(args)
            s.timeline[name] = (t0, time.time())
            s.snaps[name], s.shas[name], s.fps[name] = snapshot(db), sha256(db), fingerprint(db)

        run("A")
        reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(log), str(stop), FINGERPRINT_SQL],
                                  cwd=REPO, start_new_session=True)
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(held), str(stop), FINGERPRINT_SQL],
                                  cwd=REPO, start_new_session=True)
        deadline = time.monotonic() + 60
        while not log.exists() and time.monotonic() < deadline:  # both are connected before run B
            time.sleep(0.1)
        time.sleep(1.0)
        run("B")

        x_path.unlink()
        y_path.parent.mkdir()
        y_path.write_bytes(_report_y())
        env = {**os.environ}
        s.killed.append(kill_run_at("parse", r"^\[ingest\] registered", args, env, db, code=SLOW_PARSE_RUN,
                                    child_pattern=r"import nianbao\.run\.pool as pool"))
        s.killed.append(kill_run_at("dbt", r"^\[dbt\] dbt build started", args, env, db,
                                    child_pattern=r"nianbao-dbt build"))  # orchestration/dbt_guard.py
        s.killed.append(kill_run_at("checks", r"^\[checks\] running", args, env, db))
        run("C")
        # let the reader open at least one connection after C's publish (a fixed pause was too
        # short when a connection happened to span it on a busy machine)
        published_c = s.timeline["C"][1]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
                line.endswith("}") and json.loads(line)["t0"] > published_c  # whole lines only
                for line in log.read_text().splitlines()):
            time.sleep(0.2)
    finally:
        stop.touch()
        for proc in (reader, holder):
            if proc is not None:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        mp.undo()
    s.reader = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    s.held = json.loads(held.read_text()) if held.exists() else {}
    for name, (t0, t1) in s.timeline.items():  # shown when a test fails
        print(f"run {name}: {t1 - t0:.0f} s, exit {s.codes[name]}")
    for k in s.killed:
        print(f"killed during {k.point} after: {k.lines[-1] if k.lines else '-'}")
    print(f"reader: {len(s.reader)} connections")
    return s


# -- every file accounted for (through the marts) ----------------------------------------------


def test_runs_complete(story):
    assert story.codes == {"A": 0, "B": 0, "C": 0}


def test_every_file_once_in_dim_source_file(story):
    cols, rows = story.snaps["A"]["dim_source_file"]
    files = [dict(zip(cols, r)) for r in rows]
    paths = [f["source_path"] for f in files]
    assert len(paths) == len(set(paths))
    assert set(paths) == (adv.files_on_disk(story.raw) | {"pdf/report-x.pdf"}) - {"new/report-y 吴兴.txt"}
    by_path = {f["source_path"]: f for f in files}
    for path, (status, words) in story.expected.items():
        assert by_path[path]["file_status"] == status, by_path[path]
        if words:
            assert words in by_path[path]["reason"], by_path[path]
    for f in files:
        assert f["file_status"] in ("parsed", "duplicate", "rejected")
        if f["file_status"] != "parsed":
            assert adv.readable(f["reason"]), f


def test_each_distinct_content_once_in_dim_report(story):
    fcols, frows = story.snaps["A"]["dim_source_file"]
    rcols, rrows = story.snaps["A"]["dim_report"]
    files = [dict(zip(fcols, r)) for r in frows]
    reports = {r[rcols.index("report_id")]: dict(zip(rcols, r)) for r in rrows}
    assert len(reports) == len(rrows)
    assert set(reports) == {f["report_id"] for f in files if f["report_id"]}
    for f in files:
        if f["file_status"] == "parsed":
            assert reports[f["report_id"]]["parse_status"] != "rejected"
        if f["file_status"] == "rejected" and f["report_id"]:
            assert reports[f["report_id"]]["parse_status"] == "rejected"
    for r in reports.values():
        if r["parse_status"] != "complete":
            assert adv.readable(r["rejection_reason"]), r


# -- idempotent and deterministic --------------------------------------------------------------


def test_two_runs_give_identical_marts(story):
    a, b = story.snaps["A"], story.snaps["B"]
    assert sorted(a) == sorted(b) and len(a) >= 10
    for table in a:
        assert a[table] == b[table], f"marts.{table} differs between two runs on the same files"


def _rows_as_dicts(snap, table):
    cols, rows = snap[table]
    return [dict(zip(cols, r)) for r in rows]


def _multiset_diff(left, right):
    remaining = list(right)
    only_left = []
    for row in left:
        if row in remaining:
            remaining.remove(row)
        else:
            only_left.append(row)
    return only_left, remaining


def test_adding_and_deleting_change_only_those_files_rows(story):
    """From B to C, X was deleted and Y added: every row that went names X (its report or its
    agency), every row that came names Y, and every other row of every mart is unchanged."""
    b, c = story.snaps["B"], story.snaps["C"]
    assert sorted(b) == sorted(c)
    reports_b = {r["report_id"]: r for r in _rows_as_dicts(b, "dim_report")}
    reports_c = {r["report_id"]: r for r in _rows_as_dicts(c, "dim_report")}
    assert story.x_id in reports_b and story.x_id not in reports_c
    assert story.y_id in reports_c and story.y_id not in reports_b
    assert set(reports_b) - {story.x_id} == set(reports_c) - {story.y_id}
    x_agency, y_agency = reports_b[story.x_id]["agency_id"], reports_c[story.y_id]["agency_id"]
    assert y_agency not in {r["agency_id"] for r in reports_b.values()}  # Y is a new agency

    def names(row, rid, agency):
        return rid in row.values() or (agency is not None and row.get("agency_id") == agency)

    changed = {}
    for table in b:
        cols = b[table][0]
        gone, came = _multiset_diff(b[table][1], c[table][1])
        gone = [dict(zip(cols, r)) for r in gone]
        came = [dict(zip(cols, r)) for r in came]
        if gone or came:
            changed[table] = (len(gone), len(came))
        if "report_id" not in cols and "agency_id" not in cols:
            # Summaries over all reports (the per-rule check results) may change only when X or Y
            # failed a rule; nothing else may move.
            x_fails = any(r["n_rules_failed"] for r in [reports_b[story.x_id], reports_c[story.y_id]])
            assert x_fails or not (gone or came), f"marts.{table} changed: -{gone} +{came}"
            continue
        for row in gone:
            assert names(row, story.x_id, x_agency), f"marts.{table}: row gone that is not X's: {row}"
        for row in came:
            assert names(row, story.y_id, y_agency), f"marts.{table}: new row that is not Y's: {row}"
    assert {"dim_report", "dim_source_file", "dim_agency", "mart_agency_year"} <= set(changed), changed


# -- killed runs -------------------------------------------------------------------------------


def test_killed_runs_leave_the_published_warehouse_unchanged(story):
    assert [k.point for k in story.killed] == ["parse", "dbt", "checks"]
    for k in story.killed:
        assert k.returncode == -signal.SIGKILL, k.point
        assert k.published_sha_after == story.shas["B"], f"killed during {k.point}: published file changed"


def test_killed_runs_were_killed_where_intended(story):
    parse, dbt, checks = story.killed
    assert not any(line.startswith("[parse] ") and "parsed now" in line for line in parse.lines)
    assert any(c == parse.run_cmd for c in parse.children_at_kill.values())  # a parser worker was busy
    assert not any(line.startswith("[dbt]") for line in parse.lines)
    # dbt was running, in the nianbao-dbt process dagster-dbt starts
    assert any(re.search(r"nianbao-dbt build", c) for c in dbt.children_at_kill.values())
    assert not any("dbt build finished" in line for line in dbt.lines)
    assert any(line.startswith("[dbt] dbt build finished") for line in checks.lines)
    assert not any(line.startswith("[checks] ") and "suites run" in line for line in checks.lines)


def test_a_killed_run_leaves_no_parser_or_dbt_behind(story):
    for k in story.killed:
        assert not k.leftovers, f"killed during {k.point}, still running: {k.leftovers}"


def test_the_next_run_completes_after_kills(story):
    assert story.codes["C"] == 0
    assert story.fps["C"] != story.fps["B"]


# -- readers during rebuilds -------------------------------------------------------------------


def test_reader_always_sees_a_complete_warehouse(story):
    """A process querying the published file read-only during runs B, the three killed runs and
    C: no query failed, every answer is the old or the new warehouse (never partial), the two
    queries of one connection always agree, and connections that spanned a publish kept
    reading the file they opened."""
    records = story.reader
    assert len(records) >= 50, len(records)
    errors = [r for r in records if "err" in r]
    assert not errors, errors[:5]
    valid = [story.fps["A"], story.fps["B"], story.fps["C"]]
    bad = [r for r in records if r["fp"] not in valid]
    assert not bad, bad[:3]
    assert all(r["same"] for r in records)
    assert any(r["fp"] == story.fps["B"] for r in records) and any(r["fp"] == story.fps["C"] for r in records)
    c_start, c_end = story.timeline["C"]
    during_c = [r for r in records if c_start <= r["t0"] and r["t1"] <= c_end]
    assert during_c and all(r["fp"] in (story.fps["B"], story.fps["C"]) for r in during_c)
    for r in records:  # a connection open across a swap read one whole warehouse
        if r["ino_before"] != r["ino_after"]:
            assert r["fp"] in valid and r["same"]


def test_a_connection_held_across_rebuilds_keeps_the_warehouse_it_opened(story):
    """Opened before run B, queried again after run C (two publishes later): it did not block
    either run and still reads the whole warehouse it opened; a new connection reads C."""
    held = story.held
    assert held, "the holding process did not report"
    assert held["first"] == held["last"] == story.fps["A"]
    assert held["ino_open"] != held["ino_end"]


# -- publish, up close -------------------------------------------------------------------------


def _tiny_warehouse(path: Path, value: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create_database(path)  # in the storage version a run's work database has (publish checks it)
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.t as select range as i, ? as v from range(50000)", [value])
    con.close()


@pytest.fixture
def pub(tmp_path):
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "data" / "nianbao.duckdb")
    _tiny_warehouse(settings.db_path, 1)
    _tiny_warehouse(settings.work_db_path, 2)
    return settings


def _value(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select min(v) from marts.t").fetchall()[0][0]
    finally:
        con.close()


PUBLISH = ("import sys\nfrom nianbao.run.settings import load_settings\n"
           "from nianbao.run.warehouse import publish\n"
           "publish(load_settings(raw_dir=sys.argv[1], db_path=sys.argv[2]))\n")  # NIANBAO_TEST_CRASH_AT: the hook


@pytest.mark.parametrize("point", ["publish-before-copy", "publish-before-rename"])
def test_publish_killed_leaves_the_published_file(pub, point):
    before = sha256(pub.db_path)
    proc = subprocess.run([sys.executable, "-c", PUBLISH, str(pub.raw_dir), str(pub.db_path)], cwd=REPO,
                          env={**os.environ, "NIANBAO_TEST_CRASH_AT": point}, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert sha256(pub.db_path) == before and _value(pub.db_path) == 1
    publish(pub)  # the next publish replaces whatever the killed one left
    assert _value(pub.db_path) == 2
    assert not (pub.db_path.parent / f".{pub.db_path.name}.publishing").exists()


def test_publish_while_another_process_holds_the_file_read_only(pub):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time\n"
         "con = duckdb.connect(sys.argv[1], read_only=True)\n"
         "print(con.execute('select min(v) from marts.t').fetchall()[0][0], flush=True)\n"
         "sys.stdin.readline()\n"
         "print(con.execute('select min(v), count(*) from marts.t').fetchall()[0], flush=True)\n",
         str(pub.db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "1"
        publish(pub)  # does not wait for, nor fail because of, the reader
        assert _value(pub.db_path) == 2  # a new connection sees the new warehouse
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "(1, 50000)"  # the held one, the whole old one
    finally:
        holder.kill()
        holder.wait()


def test_stale_wal_beside_the_published_file_is_not_replayed(pub):
    wal = Path(f"{pub.db_path}.wal")
    wal.write_bytes(b"not a wal of the new file" * 100)
    publish(pub)
    assert not wal.exists() and _value(pub.db_path) == 2
