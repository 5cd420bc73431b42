"""Every client opens the published warehouse, read-only, also while a run rebuilds it: real DuckDB
1.4 and 1.5 Python clients (tests/duckdb_clients.py) and SQLAlchemy through duckdb-engine with
the URI docs/warehouse.md gives Superset.

One story for the module: run A on the samples; three reader processes start querying every
marts table in a loop, a new connection each time; a file is added and run B rebuilds the
warehouse while they read; the readers stop a few reads after B. Every read must succeed and
show A's warehouse or B's, and each reader must have seen both."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.conftest import SAMPLES
from tests.duckdb_clients import CLIENT_VERSIONS, client_command, run_client

# What each read returns: the warehouse's identity, then every marts table and view with its row count.
FINGERPRINT_SQL = """
select (select count(*) from marts.dim_source_file) as files,
       (select count(*) from marts.dim_report) as reports,
       (select cast(coalesce(sum("count"), 0) as bigint) from marts.fct_applications) as requests
"""
RELATIONS_SQL = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"

DUCKDB_READER = r'''
import json, os, sys, time
import duckdb
db, out, stop, fingerprint_sql, relations_sql = sys.argv[1:6]
with open(out, "a") as fh:
    while not os.path.exists(stop):
        rec = {"client": "duckdb " + duckdb.__version__}
        try:
            con = duckdb.connect(db, read_only=True)
            try:
                rec["fp"] = list(con.execute(fingerprint_sql).fetchall()[0])
                rec["relations"] = {t: con.execute(f'select count(*) from marts."{t}"').fetchall()[0][0]
                                    for (t,) in con.execute(relations_sql).fetchall()}
            finally:
                con.close()
        except Exception as e:
            rec["err"] = f"{type(e).__name__}: {e}"
        fh.write(json.dumps(rec) + "\n")
        fh.flush()
        time.sleep(0.05)
'''

SQLALCHEMY_READER = r'''
import json, os, sys, time
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool
uri, out, stop, fingerprint_sql = sys.argv[1:5]
engine = create_engine(uri, poolclass=NullPool)  # a new DuckDB connection per use: sees each publish
with open(out, "a") as fh:
    while not os.path.exists(stop):
        rec = {"client": "sqlalchemy duckdb-engine"}
        try:
            with engine.connect() as con:
                rec["fp"] = list(con.execute(text(fingerprint_sql)).fetchall()[0])
                names = inspect(con).get_table_names(schema="marts") + inspect(con).get_view_names(schema="marts")
                rec["relations"] = {t: con.execute(text(f'select count(*) from marts."{t}"')).scalar() for t in sorted(names)}
        except Exception as e:
            rec["err"] = f"{type(e).__name__}: {e}"
        fh.write(json.dumps(rec) + "\n")
        fh.flush()
        time.sleep(0.05)
'''


def superset_uri(db: Path) -> str:
    """The SQLAlchemy URI docs/warehouse.md gives for Superset: absolute path, read-only."""
    return f"duckdb:///{db.resolve()}?access_mode=read_only"


def _read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _fingerprint(db: Path) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return list(con.execute(FINGERPRINT_SQL).fetchall()[0])


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    base = tmp_path_factory.mktemp("clients")
    raw, db = base / "raw", base / "data" / "nianbao.duckdb"
    shutil.copytree(SAMPLES, raw / "samples")
    mp = pytest.MonkeyPatch()
    mp.setenv("DAGSTER_HOME", str(base / "dagster_home"))
    readers: list[tuple[subprocess.Popen, Path]] = []
    stop = base / "stop"
    try:
        assert main(["run", "--raw-dir", str(raw), "--db", str(db)]) == 0
        fp_a = _fingerprint(db)
        commands = {f"duckdb-{v}": client_command(v, DUCKDB_READER) for v in CLIENT_VERSIONS}
        commands["sqlalchemy"] = [sys.executable, "-c", SQLALCHEMY_READER, superset_uri(db)]
        for name, cmd in commands.items():
            log = base / f"{name}.jsonl"
            args = [str(log), str(stop), FINGERPRINT_SQL]
            args = [str(db), *args, RELATIONS_SQL] if name.startswith("duckdb") else args
            readers.append((subprocess.Popen(cmd + args, stderr=subprocess.PIPE, text=True), log))
        _wait_for_reads(readers, 2)
        # a new content: one more file and one more report in B
        sample = sorted(SAMPLES.glob("*.txt"))[0]
        (raw / "added").mkdir()
        (raw / "added" / "copy-with-a-blank-line.txt").write_bytes(sample.read_bytes() + b"\n")
        assert main(["run", "--raw-dir", str(raw), "--db", str(db)]) == 0
        fp_b = _fingerprint(db)
        seen = [len(_read_log(log)) for _, log in readers]
        _wait_for_reads(readers, 3, after=seen)
    finally:
        stop.touch()
        errors = [p.communicate(timeout=60)[1] for p, _ in readers]
        mp.undo()
    logs = {log.stem: _read_log(log) for _, log in readers}
    assert all(p.returncode == 0 for p, _ in readers), errors
    yield {"db": db, "a": fp_a, "b": fp_b, "logs": logs}


def _wait_for_reads(readers, n: int, after: list[int] | None = None, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    after = after or [0] * len(readers)
    while time.monotonic() < deadline:
        if all(len(_read_log(log)) >= k + n for (_, log), k in zip(readers, after)):
            return
        if any(p.poll() is not None for p, _ in readers):
            raise AssertionError("a reader process ended early: " + " / ".join(p.stderr.read() for p, _ in readers if p.poll() is not None))
        time.sleep(0.2)
    raise AssertionError("the readers did not read in time")


def test_the_rebuild_changed_the_warehouse(story):
    assert story["b"][:2] == [story["a"][0] + 1, story["a"][1] + 1]


@pytest.mark.parametrize("reader", [f"duckdb-{v}" for v in CLIENT_VERSIONS] + ["sqlalchemy"])
def test_every_read_during_a_rebuild_succeeds_and_sees_a_whole_warehouse(story, reader):
    log = story["logs"][reader]
    assert not [r["err"] for r in log if "err" in r]
    fingerprints = [r["fp"] for r in log]
    assert all(fp in (story["a"], story["b"]) for fp in fingerprints), fingerprints
    # the reader read before, during and after the rebuild, and saw the swap
    assert story["a"] in fingerprints and story["b"] in fingerprints
    assert fingerprints.index(story["b"]) > fingerprints.index(story["a"])


@pytest.mark.parametrize("reader", [f"duckdb-{v}" for v in CLIENT_VERSIONS] + ["sqlalchemy"])
def test_every_client_reads_every_marts_table_as_duckdb_2_does(story, reader):
    with duckdb.connect(str(story["db"]), read_only=True) as con:
        expected = {t: con.execute(f'select count(*) from marts."{t}"').fetchall()[0][0]
                    for (t,) in con.execute(RELATIONS_SQL).fetchall()}
    last = story["logs"][reader][-1]
    assert last["fp"] == story["b"]
    assert last["relations"] == expected
    assert "mart_agency_year" in expected and "dim_report" in expected


@pytest.mark.parametrize("version", CLIENT_VERSIONS)
def test_old_clients_see_every_schema_view_and_comment(story, version):
    """Not only the marts: every table and view of every schema opens, and the column comments
    (the marts' documentation) came across."""
    script = r'''
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall()
views = con.execute("select schema_name, view_name from duckdb_views() where not internal order by all").fetchall()
counts = {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0] for s, t in tables + views}
comments = con.execute("select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts' order by all").fetchall()
print(json.dumps({"counts": counts, "comments": comments}))
'''
    done = run_client(version, script, str(story["db"]))
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    with duckdb.connect(str(story["db"]), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall()
        views = con.execute("select schema_name, view_name from duckdb_views() where not internal order by all").fetchall()
        counts = {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0] for s, t in tables + views}
        comments = con.execute("select table_name, column_name, comment from duckdb_columns() "
                               "where schema_name = 'marts' order by all").fetchall()
    assert got["counts"] == counts
    assert {"marts", "raw", "intermediate"} <= {k.split(".")[0] for k in counts}
    assert [tuple(c) for c in got["comments"]] == comments
    assert sum(1 for c in comments if c[2]) > 100  # the marts are documented


def test_superset_uri_is_read_only(story):
    from sqlalchemy import create_engine, text

    engine = create_engine(superset_uri(story["db"]))
    with engine.connect() as con:
        assert con.execute(text("select count(*) from marts.dim_report")).scalar() == story["b"][1]
        with pytest.raises(Exception, match="read-only|read only"):
            con.execute(text("create table marts.scratch as select 1"))
    engine.dispose()
