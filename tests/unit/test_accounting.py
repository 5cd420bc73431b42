"""Every file accounted for, below dbt: a raw folder of empty files, junk, truncated and bomb
files, duplicates, links, a file over the size cap and odd names goes through the real
registration, parsing and raw loading; every file gets exactly one row with its status and a
readable reason, every distinct content one report. (tests/integration/test_robustness.py
checks the same through the marts.)"""
from __future__ import annotations

import duckdb
import pytest

from nianbao.run import pool
from nianbao.run.ingest import parse_new_reports, register_files
from nianbao.run.settings import Settings
from tests import adversarial as adv

SIZE_CAP = 1_000_000


@pytest.fixture
def messy(tmp_path):
    raw = tmp_path / "raw"
    expected = adv.make_messy_raw_dir(raw, tmp_path / "outside", SIZE_CAP)
    settings = Settings(raw_dir=raw.resolve(), db_path=(tmp_path / "data" / "nb.duckdb").resolve(),
                        max_file_bytes=SIZE_CAP, max_parse_seconds=30, workers=2)
    return settings, expected


def _tables(settings):
    con = duckdb.connect(str(settings.work_db_path), read_only=True)
    try:
        files = {r[0]: r[1:] for r in con.execute(
            "select source_path, report_id, file_status, reason from raw.source_files").fetchall()}
        reports = con.execute("select report_id, parse_status, rejection_reason from raw.reports").fetchall()
    finally:
        con.close()
    return files, reports


def test_every_file_once_with_status_and_reason(messy):
    settings, expected = messy
    register_files(settings)
    parse_new_reports(settings)
    files, reports = _tables(settings)

    assert set(files) == adv.files_on_disk(settings.raw_dir)  # every file, nothing else, once
    for path, (status, words) in expected.items():
        got_status, reason = files[path][1], files[path][2]
        assert got_status == status, (path, files[path])
        if words:
            assert words in reason, (path, reason)
    for path, (_rid, status, reason) in files.items():
        assert status in ("parsed", "duplicate", "rejected"), path
        if status != "parsed":
            assert adv.readable(reason), (path, reason)

    report_ids = [r[0] for r in reports]
    assert len(report_ids) == len(set(report_ids))  # each distinct content once
    assert set(report_ids) == {f[0] for f in files.values() if f[0]}
    by_id = {r[0]: r[1:] for r in reports}
    for path, (rid, status, _) in files.items():
        if status == "parsed":
            assert by_id[rid][0] != "rejected", path
        elif status == "rejected" and rid:
            assert by_id[rid][0] == "rejected" and by_id[rid][1] == files[path][2], path
    for rid, (status, reason) in by_id.items():
        if status != "complete":
            assert adv.readable(reason), (rid, status, reason)


def test_vanished_file_retried_and_deleted_file_removed(messy, monkeypatch):
    settings, _ = messy
    victim = settings.raw_dir / "names" / adv.LONG_ASCII_NAME
    register_files(settings)
    real = pool.parse_path

    def vanish_then_parse(path, *args, **kwargs):  # the file disappears between scan and parse
        if path.name == adv.LONG_ASCII_NAME:
            from pathlib import Path

            path = Path(str(path) + ".gone")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pool, "parse_path", vanish_then_parse)
    parse_new_reports(settings)
    files, _ = _tables(settings)
    assert files[f"names/{adv.LONG_ASCII_NAME}"][1:] == ("rejected", "cannot read file: No such file or directory")

    monkeypatch.setattr(pool, "parse_path", real)
    register_files(settings)
    summary = parse_new_reports(settings)
    assert summary.load.parsed_now == 1  # only the file that could not be read is parsed again
    files, _ = _tables(settings)
    rid = files[f"names/{adv.LONG_ASCII_NAME}"][0]
    assert files[f"names/{adv.LONG_ASCII_NAME}"][1] == "parsed"

    victim.unlink()
    register_files(settings)
    summary = parse_new_reports(settings)
    assert summary.load.parsed_now == 0 and summary.load.removed == 1
    files, reports = _tables(settings)
    assert f"names/{adv.LONG_ASCII_NAME}" not in files
    assert rid not in {r[0] for r in reports}
    con = duckdb.connect(str(settings.work_db_path), read_only=True)
    try:
        for table in ("report_cells", "parse_notes", "rule_results"):
            assert con.execute(f"select count(*) from raw.{table} where report_id = ?", [rid]).fetchall() == [(0,)]
    finally:
        con.close()
