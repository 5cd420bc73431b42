"""The stages after parsing at K times the size of an existing warehouse, without parsing K times.

    python bench/replicate.py bench/out/warehouse-n10000 10     # ~100,000 reports

Copies the raw layer of a warehouse built by bench/scale.py (its work database) and replicates
every per-report row K times under new report ids, content hashes, paths and agency names (so
agencies stay one per 6 years, as in the corpus), then times what a run does after the parse:
``dbt build``, the GE suites, the publish copy, and the three analyst queries. Parsing is linear
and measured by bench/scale.py; this measures what grows with the warehouse.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _new_id(col: str, k: str) -> str:
    return f"substr(md5({col} || '#' || {k}), 1, 16)"


def replicate(src_db: Path, dest_db: Path, k: int) -> dict:
    import duckdb

    from nianbao.run.raw_schema import RAW_TABLES
    from nianbao.run.warehouse import PER_REPORT_TABLES

    dest_db.parent.mkdir(parents=True, exist_ok=True)
    for p in (dest_db, Path(f"{dest_db}.wal")):
        p.unlink(missing_ok=True)
    with duckdb.connect(str(dest_db)) as con:
        con.execute(f"ATTACH '{src_db}' AS src (READ_ONLY)")
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE k AS SELECT range AS k FROM range(?)", [k])
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' "
                                    "AND schema_name = 'raw' ORDER BY 1").fetchall():
            if table not in RAW_TABLES:  # vocabulary tables: as they are
                con.execute(f"CREATE TABLE raw.{table} AS SELECT * FROM src.raw.{table}")
                continue
            names = [c for c, _, _ in RAW_TABLES[table]]
            exprs = []
            for c in names:
                if c == "report_id":
                    exprs.append(f"CASE WHEN k = 0 THEN report_id ELSE {_new_id('report_id', 'k')} END AS report_id")
                elif c == "content_sha256":
                    exprs.append("CASE WHEN k = 0 OR content_sha256 IS NULL THEN content_sha256 ELSE "
                                 f"{_new_id('report_id', 'k')} || substr(content_sha256, 17) END AS content_sha256")
                elif c == "source_path":
                    exprs.append("CASE WHEN k = 0 THEN source_path ELSE 'copy' || k || '/' || source_path END AS source_path")
                elif c in ("agency_name", "agency_name_printed"):
                    exprs.append(f"CASE WHEN k = 0 OR {c} IS NULL THEN {c} ELSE {c} || '第' || k || '分' END AS {c}")
                else:
                    exprs.append(f'"{c}"')
            replicated = table in PER_REPORT_TABLES or table in ("source_files", "file_registry")
            src = f"src.raw.{table}" + (", k" if replicated else "")
            if table == "file_registry":  # its report id is derived from the hash
                exprs = [e.replace(_new_id("report_id", "k"), _new_id("substr(content_sha256, 1, 16)", "k"))
                         for e in exprs]
            con.execute(f"CREATE TABLE raw.{table} AS SELECT {', '.join(exprs)} FROM {src}")
        con.execute("DROP TABLE k")
        counts = {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchall()[0][0] for t in RAW_TABLES}
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    return counts


def main() -> int:
    src_home, k = Path(sys.argv[1]), int(sys.argv[2])
    src_db = src_home / ".nianbao-work" / "nianbao.duckdb"
    home = ROOT / "bench" / "out" / f"replicated-{src_home.name}-x{k}"
    shutil.rmtree(home, ignore_errors=True)
    work_db = home / ".nianbao-work" / "nianbao.duckdb"
    out: dict = {"source": str(src_db), "k": k}
    t0 = time.perf_counter()
    out["raw_rows"] = replicate(src_db, work_db, k)
    out["replicate_s"] = round(time.perf_counter() - t0, 1)
    print(f"[replicate] {out['raw_rows'].get('reports')} reports, {out['raw_rows'].get('report_cells')} cells "
          f"in {out['replicate_s']} s", flush=True)
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(ROOT / "dbt_project"),
                          "--profiles-dir", str(ROOT / "dbt_project"), "--target-path", str(home / "target"),
                          "--log-path", str(home / "logs"), "-q", "--vars", json.dumps({"nianbao_db": str(work_db)})],
                         capture_output=True, text=True)
    out["dbt_build_s"] = round(time.perf_counter() - t0, 1)
    out["dbt_exit"] = res.returncode
    print(f"[dbt] build {out['dbt_build_s']} s (exit {res.returncode})", flush=True)
    if res.returncode:
        print(res.stdout[-3000:], res.stderr[-2000:])
    results = json.loads((home / "target" / "run_results.json").read_text())["results"]
    slow = sorted(results, key=lambda r: -(r["execution_time"] or 0))[:8]
    out["dbt_slowest"] = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in slow}
    print(f"[dbt] slowest nodes: {out['dbt_slowest']}", flush=True)

    import duckdb

    from nianbao.checks.expectations import run_suites, store_outcomes
    t0 = time.perf_counter()
    outcomes = run_suites(str(work_db))
    with duckdb.connect(str(work_db)) as con:
        store_outcomes(con, outcomes)
    out["checks_s"] = round(time.perf_counter() - t0, 1)
    print(f"[checks] {out['checks_s']} s", flush=True)

    from nianbao.run.settings import Settings
    from nianbao.run.warehouse import publish
    t0 = time.perf_counter()
    published = publish(Settings(raw_dir=home, db_path=home / "nianbao.duckdb"))
    out["publish_s"] = round(time.perf_counter() - t0, 1)
    out["warehouse_mb"] = round(published.stat().st_size / 1e6, 1)
    print(f"[publish] {out['publish_s']} s, {out['warehouse_mb']} MB", flush=True)

    sys.path.insert(0, str(ROOT / "bench"))
    from scale import run_queries

    q = run_queries(published)
    out["queries"] = {k2: v for k2, v in q.items() if not k2.startswith("_table")}
    for name, v in out["queries"].items():
        if not name.startswith("_"):
            print(f"[query] {name}: {v['median_ms']} ms ({v['rows']} rows)", flush=True)
    (home / "result.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
