"""Dagster's SQLite event log, with its connections kept open.

The stock ``SqliteEventLogStorage`` builds a new SQLAlchemy engine and opens a new SQLite
connection for every transaction (``NullPool``), and stores each asset event in two databases
(the run's shard and the cross-run index). A ``nianbao run`` writes ~260 events (planned and
done materialisations and checks, step outputs), most of them on the run's critical path;
with the connections kept open an event costs a quarter as much (docs/scaling.md). Everything
else — file layout, schema, migrations, SQLite's durability settings, the lock that serialises
the storage's threads — is the stock class's, so the Dagster UI and ``dagster`` CLI read the
same files as before.

Connections are per process: a forked child (a multiprocess executor) opens its own.

It subclasses Dagster's storage class and overrides its private ``_connect``: verified on the
versions below (tests/unit/test_runtime_fence.py fails on any other).
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection

VERIFIED_ON = {"dagster": "1.13.27", "sqlalchemy": "2.0.58"}


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one engine (and its connection pool) per shard and process."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, sa.Engine] = {}
        self._engines_pid = os.getpid()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> sa.Engine:
        with self._engines_lock:
            if self._engines_pid != os.getpid():  # forked: the parent's connections are not ours
                self._engines, self._engines_pid = {}, os.getpid()
            engine = self._engines.get(shard)
            if engine is None:
                engine = sa.create_engine(self.conn_string_for_shard(shard),
                                          connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                self._engines[shard] = engine
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def delete_events(self, run_id: str) -> None:
        """The stock deletion empties the run's shard but leaves its file (~0.4 MB, and its WAL):
        remove the file too, so that pruning old runs bounds the history on disk."""
        super().delete_events(run_id)
        with self._engines_lock:
            engine = self._engines.pop(run_id, None)
        if engine is not None:
            engine.dispose()
        with self._db_lock:
            self._initialized_dbs.discard(run_id)
        shard = self.path_for_shard(run_id)
        for path in (shard, f"{shard}-wal", f"{shard}-shm"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def dispose(self) -> None:
        with self._engines_lock:
            engines, self._engines = self._engines, {}
        for engine in engines.values():
            engine.dispose()
        super().dispose()
