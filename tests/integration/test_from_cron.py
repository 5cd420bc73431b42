"""Issue 18, item 6: cron runs ``<venv>/bin/nianbao run`` without the venv on PATH. On a fresh copy
of the project (the dbt manifest not prepared yet), the installed command must still find dbt in
its own interpreter's environment and publish a warehouse."""
from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
CRON_PATH = "/usr/bin:/bin"


def _fresh_copy(dest: Path) -> Path:
    """The project's files as a checkout has them: no dbt target, logs or caches."""
    dest.mkdir()
    skip = shutil.ignore_patterns("target", "logs", "__pycache__", ".user.yml", "*.duckdb*")
    for name in ("nianbao", "orchestration", "dbt_project"):
        shutil.copytree(ROOT / name, dest / name, ignore=skip)
    shutil.copytree(ROOT / "raw" / "samples", dest / "raw" / "samples")
    for name in ("pyproject.toml", "workspace.yaml"):
        shutil.copy(ROOT / name, dest / name)
    return dest


def test_the_installed_command_runs_without_the_venv_on_path(tmp_path):
    command = Path(sysconfig.get_path("scripts")) / "nianbao"
    assert command.exists(), f"the nianbao command is not installed beside the interpreter ({command})"
    assert shutil.which("dbt", path=CRON_PATH) is None and shutil.which("dagster", path=CRON_PATH) is None
    project = _fresh_copy(tmp_path / "checkout")
    assert not (project / "dbt_project" / "target" / "manifest.json").exists()
    db = tmp_path / "warehouse" / "nianbao.duckdb"
    env = {"PATH": CRON_PATH, "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(project),
           "NIANBAO_DB": str(db)}
    done = subprocess.run([str(command), "run"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    assert (project / "dbt_project" / "target" / "manifest.json").exists()  # prepared by this run
    with duckdb.connect(str(db), read_only=True) as con:
        files = con.execute("select count(*) from marts.dim_source_file").fetchone()[0]
    assert files == len(list((project / "raw" / "samples").iterdir()))
