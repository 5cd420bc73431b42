"""`nianbao docs`: the dbt documentation of the warehouse, built from the published file opened
read-only (profile target ``docs``), and served as static files on this machine.

Read-only matters twice: a run never writes the published file, so the docs never take a lock a
run or a reader needs; and any number of readers (a BI tool, a notebook) may hold the file open
while the docs are built. The documentation covers the dbt models and the sources, including the
raw tables and the reconciliation tables the checks step writes.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from nianbao.run.settings import DBT_PROJECT_DIR, Settings

DOCS_TARGET = "docs"  # dbt_project/profiles.yml


def docs_dir(settings: Settings) -> Path:
    return settings.work_dir / "dbt-docs"


def generate(settings: Settings) -> Path:
    """Run ``dbt docs generate --static`` against the published warehouse; returns the folder."""
    if not settings.db_path.is_file():
        raise FileNotFoundError(f"no warehouse at {settings.db_path}: run `nianbao run` first (or pass --db)")
    target = docs_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [sys.executable, "-W", "ignore::RuntimeWarning", "-m", "dbt.cli.main", "docs", "generate", "--static",
           "--target", DOCS_TARGET, "--vars", json.dumps({"nianbao_db": str(settings.db_path)}),
           "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(target), "--log-path", str(target)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dbt docs generate failed (log: {target / 'dbt.log'}):\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return target


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the parent's signature)
        pass


def server(folder: Path, host: str, port: int) -> ThreadingHTTPServer:
    """A static-file server for ``folder`` (dbt's index.html reads manifest.json and catalog.json)."""
    return ThreadingHTTPServer((host, port), functools.partial(_QuietHandler, directory=str(folder)))
