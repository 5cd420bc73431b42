"""What the Dagster UI shows of the definitions: dbt models in groups named after their folders,
every check with a description, and every run of the CLI under the workspace's code location."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def graph():
    from orchestration.definitions import build_definitions

    return build_definitions().resolve_asset_graph()


def test_dbt_models_are_grouped_by_their_folder(graph):
    groups = {k: graph.get(k).group_name for k in graph.get_all_asset_keys() if k.path[0] in ("staging", "intermediate", "marts")}
    assert groups and all(group == key.path[0] for key, group in groups.items())
    assert "default" not in {graph.get(k).group_name for k in graph.get_all_asset_keys()}


def test_every_check_says_what_it_checks(graph):
    missing = [key.to_user_string() for key in graph.asset_check_keys if not graph.get(key).description]
    assert missing == []
    described = {key.name: graph.get(key).description for key in graph.asset_check_keys}
    assert described["dim_agency_checks"].startswith("dbt test (error): unique: agency_id; not_null: agency_id")
    assert "（七）总计" in described["t3_column_balance"]


def test_no_dbt_test_repeats_a_rule_great_expectations_checks(graph):
    """One place per failure: the rules are checked by GE (reconciliation_validation), no dbt test
    reads fct_reconciliation's verdicts or dim_report.is_reconciled."""
    tests = ROOT / "dbt_project" / "tests"
    for sql in tests.glob("*.sql"):
        text = sql.read_text("utf-8")
        assert "fct_reconciliation" not in text and "is_reconciled" not in text, sql.name


def test_the_workspace_names_the_code_location_the_cli_records():
    from orchestration.runtime.run_origin import LOCATION, MODULE, job_origin

    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text("utf-8"))
    (entry,) = workspace["load_from"]
    assert entry["python_module"]["module_name"] == MODULE and entry["python_module"]["location_name"] == LOCATION
    assert job_origin("nianbao_all").repository_origin.get_label() == f"__repository__@{LOCATION}"


def test_the_dotenv_points_dagster_at_the_default_warehouses_home(monkeypatch, tmp_path):
    from dotenv import dotenv_values

    from nianbao.run.settings import load_settings

    monkeypatch.setenv("PWD", str(tmp_path))
    home = Path(dotenv_values(ROOT / ".env")["DAGSTER_HOME"])
    monkeypatch.chdir(tmp_path)
    assert home == load_settings({}).work_root / "dagster_home"
    assert (ROOT / "data" / ".nianbao-work" / "dagster_home").is_dir()  # kept in the repository
