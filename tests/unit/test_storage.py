"""The warehouse's storage version (nianbao/run/storage.py): new work databases are created in a
format DuckDB 1.4 reads, a work copy left by an older nianbao in DuckDB 2.0's format is converted
once with everything in it, and publish refuses a file 1.x clients could not open."""
from __future__ import annotations

import json

import duckdb
import pytest

from nianbao.run import storage
from nianbao.run.settings import Settings
from nianbao.run.warehouse import connect_work, publish
from tests.duckdb_clients import run_client

OLDEST = "1.4.4"


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts; create schema staging")
    con.execute("create table marts.t as select range as id, 'x' || range as label from range(5000)")
    con.execute("comment on table marts.t is '表 t'")
    con.execute("comment on column marts.t.label is 'a label 标签'")
    con.execute("create view staging.v as select id * 2 as twice from marts.t")


def _newest_format(path) -> None:
    with duckdb.connect(str(path)) as con:
        _fill(con)
    with duckdb.connect(str(path)) as con:
        assert not storage.is_readable_by_target(con)  # DuckDB 2.0's own format


READ_ALL = r'''
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "t": con.execute("select count(*), sum(id) from marts.t").fetchall()[0],
    "v": con.execute("select max(twice) from staging.v").fetchall()[0][0],
    "comments": con.execute("select comment from duckdb_tables() where table_name = 't'").fetchall()[0][0] + " / " +
                con.execute("select comment from duckdb_columns() where column_name = 'label'").fetchall()[0][0],
}))
'''


def test_new_database_is_readable_by_duckdb_1_4(tmp_path):
    path = tmp_path / "new.duckdb"
    storage.create_database(path)
    with duckdb.connect(str(path)) as con:
        _fill(con)  # written by DuckDB 2.0 after creation: the file keeps its version
        assert storage.storage_version(con).startswith(storage.STORAGE_VERSION)
    done = run_client(OLDEST, READ_ALL, str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"t": [5000, 12497500], "v": 9998, "comments": "表 t / a label 标签"}


def test_duckdb_1_4_cannot_read_duckdb_2_format(tmp_path):
    """Why this module exists (if DuckDB 1.4 learns to read 2.0's format, it can go)."""
    path = tmp_path / "newest.duckdb"
    _newest_format(path)
    done = run_client(OLDEST, READ_ALL, str(path))
    assert done.returncode != 0 and "version" in done.stderr


def test_conversion_keeps_everything(tmp_path):
    path = tmp_path / "old-work.duckdb"
    _newest_format(path)
    storage.convert_database(path, "200MB")
    with duckdb.connect(str(path)) as con:
        assert storage.is_readable_by_target(con)
    assert not list(tmp_path.glob(".*converting"))
    done = run_client(OLDEST, READ_ALL, str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"t": [5000, 12497500], "v": 9998, "comments": "表 t / a label 标签"}


def test_a_run_converts_an_old_work_copy_and_publishes_it_readable(tmp_path):
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "data" / "nianbao.duckdb")
    settings.work_dir.mkdir(parents=True)
    _newest_format(settings.work_db_path)
    connect_work(settings).close()
    published = publish(settings)
    done = run_client(OLDEST, READ_ALL, str(published))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["t"] == [5000, 12497500]


def test_publish_refuses_a_file_duckdb_1_cannot_open(tmp_path):
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "data" / "nianbao.duckdb")
    settings.work_dir.mkdir(parents=True)
    _newest_format(settings.work_db_path)
    with pytest.raises(storage.StorageVersionError, match="cannot read"):
        publish(settings)
    assert not settings.db_path.exists()


def test_version_comparison():
    assert storage._version_tuple("v1.4.0+") == (1, 4, 0)
    assert storage._version_tuple("v2.0.0+") > storage._version_tuple(storage.STORAGE_VERSION)
    with pytest.raises(storage.StorageVersionError):
        storage._version_tuple("")
