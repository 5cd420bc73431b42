"""``nianbao-dbt`` (orchestration/dbt_guard.py), the dbt process dagster-dbt starts: dbt's own
output and exit code, dbt from this interpreter's environment whatever PATH says, and never a dbt
that outlives the run that started it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from orchestration import dbt_guard

ROOT = Path(__file__).resolve().parents[2]
GUARD = [sys.executable, "-m", "orchestration.dbt_guard"]
CRON_PATH = "/usr/bin:/bin"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_console_script_is_declared():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts[dbt_guard.COMMAND] == "orchestration.dbt_guard:console_main"


def test_output_and_exit_code_are_dbts(tmp_path):
    ok = subprocess.run([*GUARD, "--help"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "Usage:" in ok.stdout and "Runs tests on data in deployed models" in ok.stdout  # dbt's help
    real = subprocess.run([sys.executable, "-m", "dbt.cli.main", "no-such-command"], capture_output=True, text=True)
    failed = subprocess.run([*GUARD, "no-such-command"], capture_output=True, text=True, timeout=120)
    assert real.returncode == failed.returncode == 2
    assert "no-such-command" in failed.stderr


def test_the_command_runs_without_dbt_on_path(tmp_path):
    assert shutil.which("dbt", path=CRON_PATH) is None  # otherwise this proves nothing
    command = dbt_guard.executable(tmp_path)
    done = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=120,
                          env={"PATH": CRON_PATH, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "Core:" in done.stdout and "duckdb" in done.stdout


def test_it_refuses_to_start_when_the_run_is_gone():
    """dagster-dbt reads dbt's output from a pipe only the run holds: no reader, no dbt."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([*GUARD, "--version"], stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 3
    assert "the run that started dbt is gone" in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux parent-death signal")
def test_it_dies_with_the_run(tmp_path):
    """A run killed with SIGKILL while dbt parses: dbt goes with it and writes nothing."""
    target = tmp_path / "target"
    run = textwrap.dedent(f"""
        import subprocess, sys, time
        child = subprocess.Popen({GUARD!r} + ["parse", "--project-dir", {str(ROOT / "dbt_project")!r},
                                 "--profiles-dir", {str(ROOT / "dbt_project")!r}, "--target-path", {str(target)!r},
                                 "--log-path", {str(target)!r}], stdout=subprocess.PIPE)
        print(child.pid, flush=True)
        time.sleep(0.5)  # the guard is up (its first act), dbt is still importing
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = dict(os.environ, NIANBAO_DB=str(tmp_path / "w.duckdb"))
    parent = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, timeout=60, env=env)
    assert parent.returncode == -signal.SIGKILL
    pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    time.sleep(1.0)
    assert not (target / "manifest.json").exists()  # dbt never got to parse
