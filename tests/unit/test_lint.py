"""The project's linters, run by the test suite so that CI (`python -m pytest -q`) fails fast on
them: ruff on the Python code, sqlfluff on the dbt project (dbt templater, DuckDB dialect,
lower-case keywords), and `dbt parse` with warnings as errors. Each is configured in
pyproject.toml (rules left out are listed there with the reason); a failure shows the tool's
own output."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "dbt_project"


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, **kwargs)


def test_ruff():
    done = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "nianbao", "orchestration", "tests", "bench"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_sqlfluff_on_the_dbt_project(tmp_path):
    # the dbt templater compiles the project: its target and logs go to a temporary folder
    env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    done = _run([sys.executable, "-m", "sqlfluff", "lint", "--disable-progress-bar",
                 "dbt_project"], env=env)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-3000:]


def test_dbt_parse_with_warnings_as_errors(tmp_path):
    done = _run([sys.executable, "-m", "dbt.cli.main", "--warn-error", "parse", "--project-dir", str(DBT_PROJECT),
                 "--profiles-dir", str(DBT_PROJECT), "--target-path", str(tmp_path / "target"),
                 "--log-path", str(tmp_path / "logs")])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert (tmp_path / "target" / "manifest.json").exists()
