"""Publish never ships a broken warehouse, and a damaged work copy is told from a locked one.

Small warehouses made here (no nianbao run): a work database with a damaged data block or
header, another process holding it, row counts that disagree with the registry, a disk too
small for the copy and a disk that fills during it. In each case the published file is left
byte for byte as it was and no partial copy stays behind.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from nianbao.run.disk import DiskFull, is_disk_full
from nianbao.run.settings import Settings
from nianbao.run.storage import create_database
from nianbao.run.verify import find_damage
from nianbao.run.warehouse import PublishFailed, WorkCopyDamaged, WorkCopyLocked, _connect_rw, connect_work, publish
from tests.faults import corrupt_a_data_block, corrupt_header, fill_disk, small_disk

REPO = Path(__file__).resolve().parents[2]


def _warehouse(path: Path, value: int, files: int = 3, rows: int = 400_000) -> None:
    """A warehouse shaped like ours where it matters: a registry and the marts built from it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create_database(path)  # in the storage version a run's work database has (publish checks it)
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists raw; create schema if not exists marts")
    con.execute("create or replace table raw.file_registry as select 'f' || range as source_path from range(?)", [files])
    con.execute("create or replace table raw.source_files as "
                "select source_path, 'r' || source_path as report_id from raw.file_registry")
    con.execute("create or replace table marts.dim_source_file as select * from raw.source_files")
    con.execute("create or replace table marts.dim_report as select distinct report_id from raw.source_files")
    con.execute("create or replace table marts.fct_big as select range as i, ? as v, md5(range::varchar) as s "
                "from range(?)", [value, rows])
    con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _value(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select min(v) from marts.fct_big").fetchall()[0][0]


@pytest.fixture
def pub(tmp_path) -> Settings:
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "data" / "nianbao.duckdb")
    _warehouse(settings.db_path, 1)
    _warehouse(settings.work_db_path, 2)
    return settings


def _publishing(settings: Settings) -> Path:
    return settings.db_path.parent / f".{settings.db_path.name}.publishing"


def test_a_sound_work_copy_is_published(pub):
    publish(pub)
    assert _value(pub.db_path) == 2 and not _publishing(pub).exists()


def test_a_damaged_data_block_is_never_published(pub):
    before = _sha(pub.db_path)
    corrupt_a_data_block(pub.work_db_path)
    with pytest.raises(WorkCopyDamaged, match="checksum|rebuilt from the raw files"):
        publish(pub)
    assert _sha(pub.db_path) == before and _value(pub.db_path) == 1
    assert not _publishing(pub).exists()
    assert not pub.work_db_path.exists()  # deleted: the next run rebuilds it from the raw files


def test_row_counts_that_disagree_with_the_registry_are_not_published(pub):
    before = _sha(pub.db_path)
    with duckdb.connect(str(pub.work_db_path)) as con:
        con.execute("insert into raw.file_registry values ('one more file')")
    with pytest.raises(PublishFailed, match="dim_source_file has 3 rows for 4 registered files"):
        publish(pub)
    assert _sha(pub.db_path) == before and not _publishing(pub).exists()
    assert pub.work_db_path.exists()  # readable in full: not deleted


def test_a_damaged_header_is_rebuilt_not_waited_for(pub):
    corrupt_header(pub.work_db_path)
    t0 = time.monotonic()
    con = connect_work(pub)  # a fresh, empty work database
    try:
        assert con.execute("select count(*) from raw.reports").fetchall()[0][0] == 0
    finally:
        con.close()
    assert time.monotonic() - t0 < 30  # no lock wait (it was 120 s when taken for a lock)


def test_another_process_holding_the_work_copy_is_waited_for_then_named(pub):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               "con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
                               str(pub.work_db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(WorkCopyLocked, match=f"process {holder.pid}"):
            _connect_rw(pub.work_db_path, wait_seconds=2.0)
        assert time.monotonic() - t0 >= 2.0
        assert pub.work_db_path.exists() and find_damage(pub.work_db_path) is None  # not taken for damage
    finally:
        holder.kill()
        holder.wait()
    publish(pub)  # once it is gone
    assert _value(pub.db_path) == 2


def test_a_disk_without_room_for_the_copy_is_told_before_copying(tmp_path):
    with small_disk(tmp_path / "disk", 48) as disk:
        settings = Settings(raw_dir=tmp_path / "raw", db_path=disk / "nianbao.duckdb")
        _warehouse(settings.db_path, 1, rows=20_000)
        _warehouse(settings.work_db_path, 2, rows=20_000)
        fill_disk(disk, leave_bytes=settings.work_db_path.stat().st_size + 2 * 1024 * 1024)  # the copy, not the margin
        before = _sha(settings.db_path)
        with pytest.raises(DiskFull, match="not enough disk space to publish the warehouse"):
            publish(settings)
        assert _sha(settings.db_path) == before and not _publishing(settings).exists()


def test_a_disk_that_fills_during_the_copy_leaves_no_partial_copy(tmp_path, monkeypatch):
    """The space check passed, then the disk filled (another writer): the copy fails with the
    system's "no space", and its partial file is removed so the space comes back."""
    import nianbao.run.warehouse as warehouse

    monkeypatch.setattr(warehouse, "ensure_space", lambda *a, **k: None)
    with small_disk(tmp_path / "disk", 32) as disk:  # a published file of ~1 MB, a work copy of ~18
        settings = Settings(raw_dir=tmp_path / "raw", db_path=disk / "nianbao.duckdb")
        _warehouse(settings.db_path, 1, rows=20_000)
        _warehouse(settings.work_db_path, 2, rows=1_000_000)
        before = _sha(settings.db_path)
        with pytest.raises(OSError) as raised:
            publish(settings)
        assert is_disk_full(raised.value)
        assert _sha(settings.db_path) == before and not _publishing(settings).exists()
