"""The queries of docs/warehouse.md, run against a warehouse that a whole `nianbao run` builds from
generated and real reports with the cases that trip sums up: an agency-year in two files (HTML
and text: different bytes), a byte-identical copy, an aggregate report, pre-2019 reports, a
report failing a rule, a broken cross-year series, a central ministry. Every query runs and
finds rows, returns no 128-bit integers, and the ones that sum figures agree with
mart_agency_year. The same run shows the parse step's list of incomplete reports in Dagster and
every parse note in the marts, and `nianbao export --parquet` writes its marts as files."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.conftest import SAMPLES
from tests.integration.test_dbt_legacy import _files, _render, _spec

DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"
MINISTRY = "生态环境部"


def doc_queries() -> dict[str, str]:
    """Every SQL statement of the doc's sql blocks, keyed by its leading comment."""
    queries = {}
    for block in re.findall(r"```sql\n(.*?)```", DOC.read_text("utf-8"), flags=re.S):
        for statement in (s.strip() for s in block.split(";\n") if s.strip()):
            title = re.match(r"--\s*(.+)", statement)
            assert title, f"a query in docs/warehouse.md has no comment saying what it answers:\n{statement}"
            assert title.group(1) not in queries, f"two queries titled {title.group(1)!r}"
            queries[title.group(1)] = statement.rstrip(";")
    return queries


QUERIES = doc_queries()


def _titled(prefix: str) -> str:
    hits = [t for t in QUERIES if t.startswith(prefix)]
    assert len(hits) == 1, f"docs/warehouse.md: expected one query titled {prefix!r}…, found {hits}"
    return QUERIES[hits[0]]


def _row_cut(report: bytes) -> bytes:
    """The report with two cells of table 三's 予以公开 row lost: a row the parser cannot read."""
    lines = report.decode("utf-8").splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("三、本年度办理结果 | （一）予以公开 |"))
    cells = lines[i].split(" | ")
    lines[i] = " | ".join(cells[:4] + cells[6:])
    return "\n".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("docs_queries")
    raw, db = base / "raw", base / "data" / "nianbao.duckdb"
    files, _ = _files()
    files["m/2021.txt"] = _render(_spec(501, "2021", MINISTRY, 2021))
    files["g/2022-row-cut.txt"] = _row_cut(_render(_spec(601, "2021", "杭州市拱墅区人民政府", 2022)))
    for path, data in files.items():
        (raw / path).parent.mkdir(parents=True, exist_ok=True)
        (raw / path).write_bytes(data)
    shutil.copytree(SAMPLES, raw / "samples")
    shutil.copy(raw / "b" / "2019.txt", raw / "b" / "2019 copy.txt")
    (raw / "junk.bin").write_bytes(bytes(range(256)) * 8)
    home = base / "dagster_home"
    mp = pytest.MonkeyPatch()
    mp.setenv("DAGSTER_HOME", str(home))
    try:
        assert main(["run", "--raw-dir", str(raw), "--db", str(db)]) == 0
    finally:
        mp.undo()
    con = duckdb.connect(str(db), read_only=True)
    yield {"con": con, "home": home, "db": db}
    con.close()


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.mark.parametrize("title", list(QUERIES))
def test_every_documented_query_runs_and_finds_rows(run, title):
    cur = run["con"].execute(QUERIES[title])
    types = [str(d[1]) for d in cur.description]
    assert cur.fetchall(), f"{title!r} finds nothing in the test warehouse: the test data no longer shows what it is for"
    assert "HUGEINT" not in types, f"{title!r} returns a 128-bit integer (pandas turns it into a float): cast it"


def test_no_marts_column_is_a_128_bit_integer(run):
    assert _rows(run["con"], "select table_name, column_name from duckdb_columns() "
                             "where schema_name = 'marts' and data_type in ('HUGEINT', 'UHUGEINT')") == []


def test_received_by_province_agrees_with_mart_agency_year(run):
    con = run["con"]
    from_facts = _rows(con, _titled("Requests received by province and year"))
    assert from_facts == _rows(con, _titled("The same from mart_agency_year"))
    # the test data has an agency-year in two files: summing every report's facts counts it twice
    naive = _rows(con, """select a.province, f.report_year, sum(f.count)::bigint
                          from marts.fct_applications f join marts.dim_agency a using (agency_id)
                          join marts.dim_report r using (report_id)
                          where f.flow = 'new_received' and not r.is_aggregate group by all order by all""")
    assert naive != from_facts


def test_share_granted_agrees_with_mart_agency_year(run):
    con = run["con"]
    by_year: dict[int, list[float]] = {}
    for year, granted, partly, processed in _rows(con, """
            select report_year, requests_granted, requests_partially_granted, requests_processed
            from marts.mart_agency_year where not is_aggregate and requests_processed is not null"""):
        acc = by_year.setdefault(year, [0, 0])
        acc[0] += (granted or 0) + (partly or 0)
        acc[1] += processed
    expected = [(y, g / p if p else None) for y, (g, p) in sorted(by_year.items())]
    got = _rows(con, _titled("Share of requests granted"))
    assert [y for y, _ in got] == [y for y, _ in expected]
    assert all(a == pytest.approx(b) for (_, a), (_, b) in zip(got, expected))


def test_received_per_year_since_2008_agrees_with_the_facts(run):
    con = run["con"]
    got = {(y, o): n for y, o, _, n in _rows(con, _titled("Requests received per year since 2008"))}
    per_year = {}
    for (year, _), received in got.items():
        per_year[year] = per_year.get(year, 0) + (received or 0)
    facts = dict(_rows(con, """select f.report_year, sum(f.count)::bigint from marts.fct_applications f
                               join marts.dim_report r using (report_id)
                               where f.flow = 'new_received' and r.is_agency_year_primary and not r.is_aggregate
                               group by 1"""))
    assert {y: n for y, n in per_year.items() if n} == {y: n for y, n in facts.items() if n}
    assert min(per_year) == 2008


def test_fees_by_province_agree_with_mart_agency_year(run):
    con = run["con"]
    got = _rows(con, _titled("Old-format fees collected"))
    mart = _rows(con, """select province, report_year, sum(fees_collected_cny) from marts.mart_agency_year
                         where not is_aggregate and fees_collected_cny is not null group by all order by all""")
    assert got == mart


def test_central_ministry_has_a_level_instead_of_a_province(run):
    assert _rows(run["con"], f"select province, admin_level from marts.dim_agency where agency_name = '{MINISTRY}'") == [
        (None, "central")]
    assert (MINISTRY, "central", 1) in _rows(run["con"], _titled("Central bodies"))


def test_every_parse_note_reaches_the_marts(run):
    con = duckdb.connect(str(run["db"].parent / ".nianbao-work" / run["db"].name), read_only=True)
    try:
        raw_notes = sorted(_rows(con, "select report_id, seq, severity, code, message from raw.parse_notes"))
    finally:
        con.close()
    marts = sorted(_rows(run["con"], "select report_id, seq, severity, code, message from marts.fct_parse_notes"))
    assert marts == raw_notes and len(marts) > 10
    assert _rows(run["con"], """select count(*) from marts.fct_parse_notes n join marts.dim_report d using (report_id)
                                where n.agency_id is distinct from d.agency_id""") == [(0,)]


def test_parse_asset_lists_the_reports_that_are_not_complete(run):
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(run["home"]))
    try:
        event = instance.get_latest_materialization_event(dg.AssetKey(["raw", "reports"]))
    finally:
        instance.dispose()
    metadata = event.asset_materialization.metadata
    expected = _rows(run["con"], "select parse_status, agency_name, report_year, source_path from marts.dim_report "
                                 "where parse_status <> 'complete' order by all")
    assert metadata["incomplete_reports"].value == len(expected) > 3
    table = metadata["not_complete"].value
    assert table.startswith("| status | agency | year | path | why |")
    for status, agency, year, path in expected:
        assert f"| {status} | {agency or ''} | {year or ''} | `{path}` |" in table
    assert "| partial | 杭州市拱墅区人民政府 | 2022 | `g/2022-row-cut.txt` | table 三 rows not read: granted" in table
    # the narrative-only sample says why
    assert "quzhou-business-environment-office-2020-tables-lost.txt` | no statistical tables found" in table


def test_export_parquet_writes_every_marts_table_with_its_descriptions(run, tmp_path):
    import json

    out = tmp_path / "parquet"
    out.mkdir()
    (out / "dropped_table.parquet").write_bytes(b"not ours")  # not in a manifest: left alone
    assert main(["export", "--parquet", str(out), "--db", str(run["db"])]) == 0
    con = run["con"]
    tables = dict(_rows(con, "select table_name, comment from duckdb_tables() where schema_name = 'marts' union all "
                             "select view_name, comment from duckdb_views() where schema_name = 'marts' and not internal"))
    manifest = json.loads((out / "_manifest.json").read_text("utf-8"))
    assert {t["table"] for t in manifest["tables"]} == set(tables)
    with duckdb.connect() as reader:
        for entry in manifest["tables"]:
            table, path = entry["table"], str(out / entry["file"])
            assert reader.execute(f"select count(*) from '{path}'").fetchall()[0][0] == entry["rows"]
            assert sorted(reader.execute(f"select * from '{path}'").fetchall(), key=repr) == \
                sorted(_rows(con, f'select * from marts."{table}"'), key=repr)
            kv = dict(reader.execute(f"select decode(key), decode(value) from parquet_kv_metadata('{path}')").fetchall())
            assert kv["description"] == (tables[table] or "")
            columns = json.loads(kv["column_descriptions"])
            assert list(columns) == [c["name"] for c in entry["columns"]]
    assert "Province" in json.loads(dict(duckdb.connect().execute(
        f"select decode(key), decode(value) from parquet_kv_metadata('{out / 'dim_agency.parquet'}')").fetchall())
        ["column_descriptions"])["province"]
    assert not list(out.glob(".*writing"))
    assert (out / "dropped_table.parquet").read_bytes() == b"not ours"
    # a second export replaces the files; a table gone from the marts since the last export is removed
    manifest["tables"].append({"table": "old_mart", "file": "old_mart.parquet"})
    (out / "_manifest.json").write_text(json.dumps(manifest), "utf-8")
    (out / "old_mart.parquet").write_bytes(b"stale")
    assert main(["export", "--parquet", str(out), "--db", str(run["db"])]) == 0
    assert not (out / "old_mart.parquet").exists()
    assert main(["export", "--parquet", str(out), "--db", str(tmp_path / "missing.duckdb")]) == 2


def test_dbt_docs_are_built_read_only_from_the_published_file_and_served(run):
    import hashlib
    import json
    import threading
    import urllib.request

    from nianbao.run.settings import Settings
    from orchestration import dbt_docs

    before = hashlib.sha256(run["db"].read_bytes()).hexdigest()
    # run["con"] holds the published file open (read-only) meanwhile, as a BI tool would
    assert main(["docs", "--no-serve", "--db", str(run["db"])]) == 0
    assert hashlib.sha256(run["db"].read_bytes()).hexdigest() == before
    assert not Path(f"{run['db']}.wal").exists()
    folder = dbt_docs.docs_dir(Settings(raw_dir=run["db"].parent, db_path=run["db"]))
    assert (folder / "static_index.html").stat().st_size > 100_000
    catalog = json.loads((folder / "catalog.json").read_text("utf-8"))
    notes = catalog["nodes"]["model.nianbao.fct_parse_notes"]
    assert set(notes["columns"]) >= {"report_id", "severity", "code", "message"}
    assert notes["metadata"]["comment"]  # the description stored in the warehouse
    documented = set(catalog["nodes"]) | set(catalog["sources"])
    assert {"model.nianbao.dim_report", "model.nianbao.mart_agency_year", "source.nianbao.raw.reports"} <= documented
    httpd = dbt_docs.server(folder, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        for page in ("index.html", "manifest.json", "catalog.json"):
            with urllib.request.urlopen(f"{base}/{page}", timeout=30) as response:
                assert response.status == 200
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert main(["docs", "--no-serve", "--db", str(run["db"].parent / "missing.duckdb")]) == 2
