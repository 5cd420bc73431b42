"""The asset graph Dagster loads (orchestration/definitions.py), checked against what it is built
from: the raw tables (nianbao/run/raw_schema.py, the vocabulary's dimension tables), the dbt
project's models and tests, the vocabulary's rules and the parse partitions. A refactor that drops
or renames an asset, a dependency or a check fails here."""
from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from nianbao.run.parquet import partition_keys
from nianbao.run.raw_schema import RAW_TABLES
from nianbao.run.settings import load_settings
from nianbao.vocabulary.dimensions import dimension_tables
from nianbao.vocabulary.loader import load

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "dbt_project" / "models"
PUBLISH = dg.AssetKey(["published_warehouse"])
VALIDATION = dg.AssetKey(["reconciliation_validation"])


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


@pytest.fixture(scope="module")
def graph(defs):
    return defs.resolve_asset_graph()


def _dbt_model_keys() -> set[dg.AssetKey]:
    """One asset per dbt model that is not ephemeral (the staging folder's default)."""
    keys = set()
    for sql in MODELS.rglob("*.sql"):
        folder = sql.parent.name
        materialized = re.search(r"materialized\s*=\s*'(\w+)'", sql.read_text("utf-8"))
        if folder == "staging" and not (materialized and materialized.group(1) != "ephemeral"):
            continue
        keys.add(dg.AssetKey([folder, sql.stem]))
    return keys


def test_the_asset_keys(graph):
    raw = {dg.AssetKey(["raw", t]) for t in [*RAW_TABLES, *dimension_tables()]}
    parts = {dg.AssetKey(["raw_parquet", f"part_{k}"]) for k in partition_keys(load_settings().parse_partitions)}
    expected = raw | parts | {dg.AssetKey(["raw_parquet", "file_registry"])} | _dbt_model_keys() | {VALIDATION, PUBLISH}
    assert set(graph.get_all_asset_keys()) == expected


def test_publish_is_downstream_of_everything_the_main_job_builds(defs, graph):
    from orchestration.definitions import MAIN_JOB

    job_keys = set(defs.resolve_job_def(MAIN_JOB).asset_layer.selected_asset_keys)
    assert PUBLISH in job_keys and not any(k.path[0] == "raw_parquet" for k in job_keys)
    assert job_keys - {PUBLISH} <= _ancestors(graph, PUBLISH)
    assert graph.get(PUBLISH).parent_keys == _dbt_model_keys() | {VALIDATION}
    assert not graph.get(PUBLISH).child_keys


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_the_dependencies_run_raw_then_dbt_then_checks(graph):
    registry = dg.AssetKey(["raw", "file_registry"])
    parsed = {dg.AssetKey(["raw", t]) for t in [*RAW_TABLES, *dimension_tables()]} - {registry}
    for key in parsed:
        assert registry in graph.get(key).parent_keys, key
    dbt_keys = _dbt_model_keys()
    for key in dbt_keys:  # dbt's sources resolve to the raw assets: no dangling external asset
        assert graph.get(key).parent_keys <= dbt_keys | parsed | {registry}, key
    assert {k for key in dbt_keys for k in graph.get(key).parent_keys} & parsed
    assert graph.get(VALIDATION).parent_keys == dbt_keys


def test_the_checks(graph):
    checks = {(c.asset_key, c.name) for c in graph.asset_check_keys}
    rules = {r.id for r in load().rules}
    assert {name for key, name in checks if key == VALIDATION} == rules  # one check per rule of the vocabulary
    singular = {p.stem for p in (ROOT / "dbt_project" / "tests").glob("*.sql")}
    assert singular <= {name for _, name in checks}  # every dbt singular test is a check
    for key in _dbt_model_keys():
        if key.path[1].startswith("fct_"):
            assert (key, f"{key.path[1]}_checks") in checks, key


def test_the_sensor_starts_the_main_job(defs):
    from orchestration.definitions import MAIN_JOB

    sensor = defs.get_sensor_def("raw_dir_sensor")
    assert sensor.job_name == MAIN_JOB
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
