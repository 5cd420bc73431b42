"""Real DuckDB 1.x Python clients for tests: each release installed once with pip into its own
folder (outside the repository, kept between runs) and run in a separate interpreter, where it
comes before the project's DuckDB 2.0 on ``sys.path``.

The folder is ``$NIANBAO_TEST_CLIENTS_DIR`` or ``~/.cache/nianbao/duckdb-clients``. A client that
cannot be installed fails the test that needs it (a published file 1.x cannot open must not
pass unnoticed because pip had no network)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The oldest release that must read the warehouse (nianbao.run.storage.STORAGE_VERSION) and the
# newest 1.x.
CLIENT_VERSIONS = ("1.4.4", "1.5.6")


def clients_dir() -> Path:
    return Path(os.environ.get("NIANBAO_TEST_CLIENTS_DIR") or Path.home() / ".cache" / "nianbao" / "duckdb-clients")


def ensure_client(version: str) -> Path:
    """The folder holding DuckDB ``version``'s Python package, installed if missing."""
    target = clients_dir() / f"duckdb-{version}"
    if (target / "duckdb").is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".duckdb-{version}-", dir=target.parent))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--target", str(staging), f"duckdb=={version}"],
            capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"could not install duckdb=={version} for the client tests:\n{done.stderr[-2000:]}")
        try:
            staging.rename(target)  # another test process may have won the race: theirs is as good
        except OSError:
            if not (target / "duckdb").is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def client_command(version: str, script: str, *args: str) -> list[str]:
    """argv running ``script`` (Python source) with DuckDB ``version`` as ``import duckdb``."""
    folder = ensure_client(version)
    prelude = f"import sys; sys.path.insert(0, {str(folder)!r})\n"
    # -I: no PYTHONPATH, no user site: the project's duckdb 2.0 comes after the client's
    return [sys.executable, "-I", "-c", prelude + script, *args]


def run_client(version: str, script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(client_command(version, script, *args), capture_output=True, text=True, timeout=timeout)
