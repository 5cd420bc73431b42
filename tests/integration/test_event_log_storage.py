"""The Dagster instance nianbao writes: its event log keeps connections open, stores the same
events in the same files as Dagster's stock SQLite storage, and a stock reader sees them."""
import os

import dagster as dg
import yaml
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration.runtime.event_log_storage import PooledSqliteEventLogStorage
from orchestration.runtime.instance import ensure_dagster_home


@dg.asset
def two() -> int:
    return 2


@dg.asset_check(asset=two)
def two_is_two(two: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=two == 2)


def _instance(home):
    return dg.DagsterInstance.from_config(str(home))


def test_home_gets_nianbao_config_once(tmp_path):
    home = ensure_dagster_home(tmp_path / "home")
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["telemetry"] == {"enabled": False}
    assert config["event_log_storage"]["class"] == "PooledSqliteEventLogStorage"
    # Dagster's default layout, so runs made before the switch stay visible
    assert config["event_log_storage"]["config"]["base_dir"] == str(home.resolve() / "history" / "runs")
    assert config["run_storage"]["config"]["base_dir"] == str(home.resolve() / "history")

    own = tmp_path / "own"
    own.mkdir()
    (own / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    ensure_dagster_home(own)
    assert (own / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"  # a user's file is theirs

    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # what nianbao wrote before
    ensure_dagster_home(earlier)
    assert "PooledSqliteEventLogStorage" in (earlier / "dagster.yaml").read_text()


def test_events_land_where_the_stock_storage_reads_them(tmp_path):
    home = ensure_dagster_home(tmp_path / "home")
    instance = _instance(home)
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    defs = dg.Definitions(assets=[two], asset_checks=[two_is_two])
    for _ in range(2):
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
        assert result.success
    # one engine per shard (the run's and the cross-run index), reused for every event
    storage = instance.event_log_storage
    assert "index" in storage._engines and result.run_id in storage._engines
    assert len(storage._engines) == 3  # the index and the two runs

    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    records = stock.get_records_for_run(result.run_id).records
    kinds = {r.event_log_entry.dagster_event_type for r in records if r.event_log_entry.is_dagster_event}
    assert dg.DagsterEventType.ASSET_MATERIALIZATION in kinds
    assert dg.DagsterEventType.ASSET_CHECK_EVALUATION in kinds
    # the cross-run index: latest materialisation and check of the asset, from both runs
    fresh = _instance(home)
    assert fresh.get_latest_materialization_event(dg.AssetKey("two")).run_id == result.run_id
    mats = fresh.fetch_materializations(dg.AssetKey("two"), limit=10).records
    assert len(mats) == 2


def test_a_forked_child_opens_its_own_connections(tmp_path):
    instance = _instance(ensure_dagster_home(tmp_path / "home"))
    storage = instance.event_log_storage
    parent_engine = storage._engine("index")
    assert storage._engine("index") is parent_engine
    pid = os.fork()
    if pid == 0:  # child: a new engine, the parent's left alone
        code = 0 if storage._engine("index") is not parent_engine else 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert storage._engine("index") is parent_engine
