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
# Runs launched through the queue (UI, sensor) start one at a time per warehouse: the jobs are
# tagged with the warehouse's path (orchestration/one_writer.py).
concurrency:
  runs:
    tag_concurrency_limits:
      - key: nianbao/warehouse
        value:
          applyLimitPerUniqueValue: true
        limit: 1
"""
# What earlier versions wrote; such a file is replaced (same storage files).
_EARLIER = ("telemetry:\n  enabled: false\n", _CONFIG[:_CONFIG.index("# Runs launched through the queue")])


def ensure_dagster_home(home: Path) -> Path:
    """Create ``home`` with nianbao's dagster.yaml unless it already has one of its own."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") in {e.format(home=home.resolve()) for e in _EARLIER}:
        config.write_text(_CONFIG.format(home=home.resolve()), encoding="utf-8")
    return home


def prune_history(instance, keep: int) -> int:
    """Delete every run but the newest ``keep`` (their events, event-log files and captured
    logs). Returns the number of runs deleted. The history is bounded by this and by closing
    the instance after a run (``instance.dispose()``: SQLite then checkpoints and removes its
    WAL files; a process that exits without closing them leaves ~4 MB of WAL per run)."""
    old = instance.get_run_ids()[keep:] if keep > 0 else []
    for run_id in old:
        instance.delete_run(run_id)
        try:
            instance.compute_log_manager.delete_logs(prefix=[run_id])
        except Exception:  # a compute log manager without local files: nothing to delete
            pass
    return len(old)
