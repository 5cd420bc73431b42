"""The storage format of the warehouse file: one that DuckDB 1.4 and later can open.

DuckDB 2.0 writes its own storage format by default, which DuckDB 1.x refuses ("version number
69 … can only read 64–68"), and many BI tools bundle a 1.x DuckDB. A database file keeps the
storage version it was created with, whichever DuckDB writes to it later, so the run's work copy
is created in :data:`STORAGE_VERSION` and the published file, a byte copy of it, is readable by
every DuckDB since 1.4. A work copy made by an older nianbao (in DuckDB 2.0's format) is
converted once, table by table (``COPY FROM DATABASE``), when a run opens it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

# The oldest DuckDB release that must open the published warehouse.
STORAGE_VERSION = "v1.4.0"


class StorageVersionError(RuntimeError):
    pass


def _version_tuple(version: str) -> tuple[int, ...]:
    match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", version or "")
    if not match:
        raise StorageVersionError(f"unrecognised DuckDB storage version {version!r}")
    return tuple(int(p) for p in match.groups())


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def create_database(path: Path) -> None:
    """Create an empty database file at ``path`` in :data:`STORAGE_VERSION`."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH {_quote(path)} AS nianbao_new (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("DETACH nianbao_new")


def storage_version(con: duckdb.DuckDBPyConnection) -> str:
    """The storage version of the connection's database file, e.g. ``v1.4.0+``."""
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    return (tags or {}).get("storage_version", "")


def is_readable_by_target(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether DuckDB :data:`STORAGE_VERSION` can open the connection's database file."""
    return _version_tuple(storage_version(con)) <= _version_tuple(STORAGE_VERSION)


def convert_database(path: Path, memory_limit: str | None = None) -> None:
    """Rewrite the database file at ``path`` in :data:`STORAGE_VERSION` (schemas, tables with their
    comments, views), then rename the new file over it. Nobody may hold ``path`` open."""
    tmp = path.with_name(f".{path.name}.converting")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        catalog = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH {_quote(tmp)} AS nianbao_converted (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f'COPY FROM DATABASE "{catalog}" TO nianbao_converted')
        con.execute("DETACH nianbao_converted")
    Path(f"{path}.wal").unlink(missing_ok=True)  # checkpointed into the copy by COPY FROM DATABASE
    os.replace(tmp, path)


def check_publishable(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to publish a file that DuckDB :data:`STORAGE_VERSION` clients could not open."""
    if not is_readable_by_target(con):
        raise StorageVersionError(
            f"the work database is in DuckDB storage version {storage_version(con)}, which DuckDB "
            f"{STORAGE_VERSION.lstrip('v')} cannot read; it is converted when a run opens it (nianbao.run.storage)")
