"""The fault suite (issue 18): each fault ends with a readable published warehouse equal to a
clean run's, or with a clear refusal and the published warehouse untouched.

One story on one warehouse, kept on a small disk the test mounts (a tmpfs: CI runs as root):

1. a clean run over the bundled samples, a report whose 发布日期 is impossible (2021-02-30) and
   a 5-page PDF under a page cap of 3;
2. a damaged data block in a mart of the work copy (an incremental one: dbt does not rebuild
   it): the copy fails verification, nianbao run rebuilds the work copy from the raw files in
   the same run;
3. a damaged header of the work copy: rebuilt at once, no lock wait;
4. the disk filled: exit 5 and one sentence naming the disk; then space freed, a normal run;
5. `dagster asset materialize` started beside `nianbao run`: it waits for the run, saying so,
   then runs; both succeed;
6. the page cap raised: the PDF is parsed, nothing else changes.

Running `nianbao run` without the venv on PATH is tests/integration/test_from_cron.py.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from tests import adversarial as adv
from tests.faults import corrupt_a_data_block, corrupt_header, fill_disk, sha256, small_disk, snapshot

REPO = Path(__file__).resolve().parents[2]
DISK_MB = 160
RUN = "import sys\nfrom orchestration.cli import main\nsys.exit(main(sys.argv[1:]))\n"
CAPPED_PAGES = "3"


@dataclass
class Story:
    root: Path
    raw: Path
    db: Path
    env: dict
    out: dict = field(default_factory=dict)  # step -> (exit code, stderr)
    snaps: dict = field(default_factory=dict)
    shas: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


def _impossible_date_report() -> bytes:
    text = (adv.SAMPLES / "huzhou-nanxun-district-2020-pipe-tables.txt").read_text("utf-8")
    assert "2021-02-18" in text
    return text.replace("2021-02-18", "2021-02-30").replace("南浔", "吴兴").encode("utf-8")


def _pdf() -> bytes:
    real = adv.REAL / "hongze-2024.pdf"
    return real.read_bytes() if real.is_file() else adv.pdf_many_pages(5)


def _run(s: Story, name: str, **env) -> int:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", RUN, "run"], cwd=REPO, env={**s.env, **env},
                          capture_output=True, text=True, timeout=1800)
    s.seconds[name] = time.monotonic() - t0
    s.out[name] = (proc.returncode, proc.stderr)
    if s.db.exists():
        s.shas[name] = sha256(s.db)
        if proc.returncode == 0:
            s.snaps[name] = snapshot(s.db)
    return proc.returncode


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.fail("the fault suite mounts a small disk: run it as root (CI does)")
    root = tmp_path_factory.mktemp("faults")
    with small_disk(root / "disk", DISK_MB) as disk:
        raw = root / "raw"
        shutil.copytree(adv.SAMPLES, raw)
        (raw / "impossible-date.txt").write_bytes(_impossible_date_report())
        (raw / "five-pages.pdf").write_bytes(_pdf())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "DAGSTER_HOME"))}
        env.update(NIANBAO_RAW_DIR=str(raw), NIANBAO_DB=str(disk / "data" / "nianbao.duckdb"),
                   NIANBAO_WORKERS="2", NIANBAO_MAX_PAGES=CAPPED_PAGES, NIANBAO_RUN_LOCK_WAIT_SECONDS="900")
        s = Story(root, raw, disk / "data" / "nianbao.duckdb", env)
        settings_work_db = s.db.parent / ".nianbao-work" / s.db.name

        _run(s, "clean")

        corrupt_a_data_block(settings_work_db, tables=("marts.fct_reconciliation",))  # incremental: not rebuilt
        _run(s, "data_block")

        corrupt_header(settings_work_db)
        _run(s, "header")

        before = sha256(s.db)
        ballast = fill_disk(disk, leave_bytes=2 * 1024 * 1024)
        _run(s, "disk_full")
        s.out["disk_full_listing"] = sorted(p.name for p in s.db.parent.iterdir())
        s.shas["before_disk_full"] = before
        ballast.unlink()
        _run(s, "after_disk_full")

        _beside(s)

        _run(s, "raised_cap", NIANBAO_MAX_PAGES="300")
        for name, secs in s.seconds.items():  # shown when a test fails
            print(f"{name}: exit {s.out[name][0]}, {secs:.0f} s")
        yield s


def _beside(s: Story) -> None:
    """`nianbao run`, and `dagster asset materialize` started while it holds the run lock."""
    lock = s.db.parent / ".nianbao-work" / f"{s.db.name}.run" / "run.lock"
    run = subprocess.Popen([sys.executable, "-c", RUN, "run"], cwd=REPO, env=s.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (lock.exists() and "nianbao run (command line)" in lock.read_text()):
        assert run.poll() is None and time.monotonic() < deadline, "the run never took its lock"
        time.sleep(0.2)
    materialize = subprocess.run(
        [sys.executable, "-m", "dagster", "asset", "materialize", "--select", "*", "-m", "orchestration.definitions"],
        cwd=REPO, env={**s.env, "DAGSTER_HOME": str(s.db.parent / ".nianbao-work" / "dagster_home")},
        capture_output=True, text=True, timeout=1800)
    s.out["beside_run"] = (run.wait(timeout=1800), run.stderr.read())
    s.out["materialize"] = (materialize.returncode, materialize.stdout + materialize.stderr)
    s.shas["materialize"] = sha256(s.db)
    s.snaps["materialize"] = snapshot(s.db)


def _report(snap, path: str) -> dict:
    cols, rows = snap["dim_report"]
    return next(dict(zip(cols, r)) for r in rows if dict(zip(cols, r))["source_path"] == path)


def _without(snap, report_id: str) -> dict:
    """Every mart's rows, leaving out those of one report (and summaries over all reports)."""
    out = {}
    for table, (cols, rows) in snap.items():
        if "report_id" in cols:
            i = cols.index("report_id")
            out[table] = [r for r in rows if r[i] != report_id]
    return out


def test_a_clean_run_completes_with_the_impossible_date_report_in_it(story):
    code, err = story.out["clean"]
    assert code == 0, err[-3000:]
    report = _report(story.snaps["clean"], "impossible-date.txt")
    assert report["published_on"] is None and report["parse_status"] == "complete"
    with duckdb.connect(str(story.db), read_only=True) as con:
        notes = [r[0] for r in con.execute("select code from raw.parse_notes where report_id = ?",
                                           [report["report_id"]]).fetchall()]
    assert "date_impossible" in notes
    pdf = _report(story.snaps["clean"], "five-pages.pdf")
    assert pdf["parse_status"] == "rejected" and "over the cap of 3 (NIANBAO_MAX_PAGES)" in pdf["rejection_reason"]


def test_a_damaged_data_block_is_rebuilt_from_the_raw_files_not_published(story):
    code, err = story.out["data_block"]
    assert code == 0, err[-3000:]
    assert re.search(r"work database is damaged \(.*checksum.*\n.*building the work database again from the raw files",
                     err), err[-2000:]
    assert story.snaps["data_block"] == story.snaps["clean"]


def test_a_damaged_header_is_rebuilt_at_once(story):
    code, err = story.out["header"]
    assert code == 0, err[-3000:]
    assert "cannot be opened" in err and "rebuilt from the raw files" in err
    assert story.snaps["header"] == story.snaps["clean"]
    assert "waited" not in err and story.seconds["header"] < story.seconds["clean"] + 90  # no two-minute lock wait


def test_a_full_disk_is_one_sentence_and_leaves_the_published_file(story):
    code, err = story.out["disk_full"]
    assert code == 5, err[-3000:]
    assert re.search(r"nianbao: .*(disk holding .*is full|not enough disk space).*Free some space", err), err
    assert "Traceback" not in err
    assert story.shas["disk_full"] == story.shas["before_disk_full"]
    assert not [n for n in story.out["disk_full_listing"] if n.endswith(".publishing")]
    code, err = story.out["after_disk_full"]
    assert code == 0, err[-3000:]
    assert story.snaps["after_disk_full"] == story.snaps["clean"]


def test_dagster_asset_materialize_beside_nianbao_run_waits_then_runs(story):
    code, err = story.out["beside_run"]
    assert code == 0, err[-3000:]
    code, log = story.out["materialize"]
    assert code == 0, log[-5000:]
    assert "waiting for the run writing this warehouse to finish: nianbao run (command line)" in log
    assert story.snaps["materialize"] == story.snaps["clean"]


def test_a_raised_cap_parses_the_capped_file_and_changes_nothing_else(story):
    code, err = story.out["raised_cap"]
    assert code == 0, err[-3000:]
    clean, raised = story.snaps["clean"], story.snaps["raised_cap"]
    pdf = _report(raised, "five-pages.pdf")
    assert "NIANBAO_MAX_PAGES" not in (pdf["rejection_reason"] or "")
    assert _without(raised, pdf["report_id"]) == _without(clean, pdf["report_id"])


def test_the_full_log_says_what_failed_when_ingest_fails(tmp_path):
    """Ingest fails before dbt writes a line: the log named on the terminal holds the error."""
    raw = tmp_path / "raw"
    shutil.copytree(adv.SAMPLES, raw)
    code = (
        "import sys\n"
        "import nianbao.run.ingest as ingest\n"
        "def broken(settings):\n"
        "    raise RuntimeError('the scan broke here')\n"
        "import orchestration.assets.ingest as assets\n"
        "assets.register_files = broken\n"
        "from orchestration.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "DAGSTER_HOME"))}
    proc = subprocess.run([sys.executable, "-c", code, "run", "--raw-dir", str(raw), "--db",
                           str(tmp_path / "data" / "nianbao.duckdb")], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 1
    assert "step raw__file_registry failed: the scan broke here" in proc.stderr, proc.stderr
    log = Path(re.search(r"full log: (\S+)", proc.stderr)[1])
    text = log.read_text("utf-8")
    assert "the scan broke here" in text and 'File "' in text  # the error with its stack
    assert "Traceback" not in proc.stderr
