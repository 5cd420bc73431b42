"""The Dagster UI shows what `nianbao run` did: started by `dagster dev -w workspace.yaml` in the
project folder (the project's .env gives it the default warehouse's Dagster home) or by `nianbao
ui --db PATH`, it lists the CLI's run in the job's history, the dbt models in their groups with row
counts, the checks by rule (a rule with nothing to compare skipped), and leaves no temporary
Dagster home behind. Asked through the UI's own GraphQL API."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.conftest import REPO, SAMPLES

JOB_RUNS = """{ pipelineOrError(params: {repositoryLocationName: "nianbao", repositoryName: "__repository__",
                                         pipelineName: "nianbao_all"}) {
    ... on Pipeline { runs { runId status tags { key value } } } } }"""
ASSETS = """{ assetNodes { assetKey { path } groupName
    assetMaterializations(limit: 1) { metadataEntries { label ... on IntMetadataEntry { intValue } } }
    assetChecksOrError { ... on AssetChecks { checks { name description
        executionForLatestMaterialization { status } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    answer = json.loads(urllib.request.urlopen(request, timeout=120).read())
    assert "errors" not in answer, answer
    return answer["data"]


class UI:
    """A Dagster UI process (its own process group, stopped at the end)."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict, port_flag: str = "-p"):
        self.port = _free_port()
        self.log = cwd / "ui.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([*cmd, port_flag, str(self.port)], cwd=cwd, env=env, start_new_session=True,
                                         stdout=log, stderr=subprocess.STDOUT)

    def wait_for_code_location(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                data = _graphql(self.port, '{ workspaceOrError { ... on Workspace { locationEntries { name '
                                           'loadStatus locationOrLoadError { __typename } } } } }')
                entries = data["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    assert [(e["name"], e["locationOrLoadError"]["__typename"]) for e in entries] == [
                        ("nianbao", "RepositoryLocation")], entries
                    return
            except OSError:
                pass
            time.sleep(2)
        raise TimeoutError(self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME",) and not k.startswith("NIANBAO_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return {**env, **extra}


def _cli_run(args: list[str], cwd: Path) -> int:
    """`nianbao run` in this process as a user starts it: no DAGSTER_HOME (the CLI sets one for
    the run; restored after)."""
    before = os.environ.pop("DAGSTER_HOME", None)
    mp = pytest.MonkeyPatch()
    mp.chdir(cwd)
    try:
        return main(["run", *args])
    finally:
        mp.undo()
        os.environ.pop("DAGSTER_HOME", None)
        if before is not None:
            os.environ["DAGSTER_HOME"] = before


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder as a user has it (the repository's .env and workspace.yaml) in which
    `nianbao run` built the default warehouse, data/nianbao.duckdb, with no DAGSTER_HOME set."""
    root = tmp_path_factory.mktemp("project")
    for name in (".env", "workspace.yaml"):
        shutil.copy(REPO / name, root / name)
    raw = root / "raw"
    shutil.copytree(SAMPLES, raw / "samples")
    assert _cli_run(["--raw-dir", str(raw)], root) == 0
    return root


def _job_runs(port: int) -> list[dict]:
    return _graphql(port, JOB_RUNS)["pipelineOrError"]["runs"]


def test_dagster_dev_in_the_project_shows_the_cli_run(project):
    ui = UI([sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", "127.0.0.1"], project,
            _env(PWD=str(project)))
    try:
        ui.wait_for_code_location()
        runs = _job_runs(ui.port)
        assert [r["status"] for r in runs] == ["SUCCESS"]
        tags = {t["key"]: t["value"] for t in runs[0]["tags"]}
        assert tags["nianbao/warehouse"] == str(project / "data" / "nianbao.duckdb")
        nodes = {"/".join(n["assetKey"]["path"]): n for n in _graphql(ui.port, ASSETS)["assetNodes"]}
    finally:
        ui.stop()
    assert not list(project.glob(".tmp_dagster_home_*"))
    # dbt models in their folders' groups, with row counts
    dim_report = nodes["marts/dim_report"]
    assert dim_report["groupName"] == "marts" and nodes["intermediate/int_reports"]["groupName"] == "intermediate"
    counts = {e["label"]: e.get("intValue") for e in dim_report["assetMaterializations"][0]["metadataEntries"]}
    assert counts["dagster/row_count"] == 5
    checks = {c["name"]: c for c in nodes["reconciliation_validation"]["assetChecksOrError"]["checks"]}
    status = {name: (c["executionForLatestMaterialization"] or {}).get("status") for name, c in checks.items()}
    assert status["t3_column_balance"] == "FAILED" and status["t3_row_total"] == "SUCCEEDED"
    assert status["legacy_fee_sum"] == "SKIPPED"  # no report gives fees: not a green "passed"
    assert all(c["description"] for c in checks.values())


def test_nianbao_ui_shows_the_runs_of_its_warehouse(project, tmp_path):
    other = tmp_path / "elsewhere" / "w.duckdb"
    assert _cli_run(["--raw-dir", str(project / "raw"), "--db", str(other)], tmp_path) == 0
    ui = UI([sys.executable, "-m", "orchestration.cli", "ui", "--db", str(other)], project, _env(PWD=str(project)),
            port_flag="--port")
    try:
        ui.wait_for_code_location()
        runs = _job_runs(ui.port)
    finally:
        ui.stop()
    assert len(runs) == 1
    assert {t["key"]: t["value"] for t in runs[0]["tags"]}["nianbao/warehouse"] == str(other)
