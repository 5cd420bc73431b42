"""The Dagster instance (DAGSTER_HOME) that ``nianbao run`` and ``nianbao ui`` share.

Its dagster.yaml names Dagster's storage classes by their (private) module paths: verified on
the versions below (tests/unit/test_runtime_fence.py fails on any other).
"""

from pathlib import Path

VERIFIED_ON = {"dagster": "1.13.27"}

# Dagster's default SQLite layout under DAGSTER_HOME (runs.db, runs/<run>.db, schedules/), with
# the event log's connections kept open (orchestration/runtime/event_log_storage.py) and telemetry off.
_CONFIG = """\
# Written by nianbao. Same files as Dagster's default SQLite storage; see
# orchestration/runtime/event_log_storage.py for why the event log class differs.
telemetry:
  enabled: false
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {home}/history
event_log_storage:
  module: orchestration.runtime.event_log_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {home}/history/runs
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {home}/schedules
"""
# what earlier versions wrote; such a file is replaced (same storage files, faster event log)
_EARLIER_DEFAULT = "telemetry:\n  enabled: false\n"


def ensure_dagster_home(home: Path) -> Path:
    """Create ``home`` with nianbao's dagster.yaml unless it already has one of its own."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") == _EARLIER_DEFAULT:
        config.write_text(_CONFIG.format(home=home.resolve()), encoding="utf-8")
    return home
