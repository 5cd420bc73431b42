"""Paths follow the raw folder: after a file is renamed, or the raw folder changes, dim_report
shows the current path and dim_source_file marks it as the first path, although the report is
not parsed again (same bytes) and no per-report model is rebuilt for a rename."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.conftest import SAMPLES
from tests.integration.test_dbt_incremental import _changed, _dbt_build, _ingest

NANXUN = "huzhou-nanxun-district-2020-pipe-tables.txt"
PANJIN = "panjin-business-environment-bureau-2021-traditional-cell-per-line.txt"


def _paths(db: Path) -> tuple[dict, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        reports = dict(con.execute("select agency_name, source_path from marts.dim_report").fetchall())
        files = {p: (status, first) for p, status, first in con.execute(
            "select source_path, file_status, is_first_path from marts.dim_source_file").fetchall()}
    return reports, files


def test_paths_follow_renames_and_a_new_raw_folder(tmp_path, monkeypatch):
    raw, db = tmp_path / "raw", tmp_path / "nianbao.duckdb"
    (raw / "a").mkdir(parents=True)
    shutil.copy(SAMPLES / NANXUN, raw / "a" / "nanxun.txt")
    shutil.copy(SAMPLES / PANJIN, raw / "a" / "panjin.txt")
    shutil.copy(SAMPLES / PANJIN, raw / "a" / "panjin-copy.txt")
    _, work_db = _ingest(monkeypatch, raw, db)
    _dbt_build(work_db, tmp_path / "target")
    reports, files = _paths(work_db)
    assert sorted(reports.values()) == ["a/nanxun.txt", "a/panjin-copy.txt"]
    assert files["a/panjin-copy.txt"] == ("parsed", True) and files["a/panjin.txt"] == ("duplicate", False)

    # a rename, and the first path of a duplicated content goes away (the other path takes
    # over): same bytes, nothing parsed, nothing rebuilt per report
    (raw / "a" / "nanxun.txt").rename(raw / "a" / "南浔 2020.txt")
    (raw / "a" / "panjin-copy.txt").unlink()
    load, _ = _ingest(monkeypatch, raw, db)
    assert load.parsed_now == 0
    _dbt_build(work_db, tmp_path / "target")
    assert _changed(work_db) == 0
    reports, files = _paths(work_db)
    assert reports["湖州市南浔区人民政府"] == "a/南浔 2020.txt"
    assert sorted(reports.values()) == ["a/panjin.txt", "a/南浔 2020.txt"]
    assert files == {"a/南浔 2020.txt": ("parsed", True), "a/panjin.txt": ("parsed", True)}

    # another raw folder with the same files one level deeper
    moved = tmp_path / "archive"
    shutil.copytree(raw, moved / "2024")
    _ingest(monkeypatch, moved, db)
    _dbt_build(work_db, tmp_path / "target")
    reports, files = _paths(work_db)
    assert sorted(reports.values()) == ["2024/a/panjin.txt", "2024/a/南浔 2020.txt"]
    assert files == {"2024/a/panjin.txt": ("parsed", True), "2024/a/南浔 2020.txt": ("parsed", True)}
