"""The project's linters, run by the test suite so that CI (`python -m pytest -q`) fails fast on
them: ruff on the Python code, sqlfluff on the dbt project (dbt templater, DuckDB dialect,
lower-case keywords), and `dbt parse` with warnings as errors. Each is configured in
pyproject.toml (rules left out are listed there with the reason); a failure shows the tool's
own output."""
from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
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


# a duration, a speed-up factor or a before → after figure
TIMING = re.compile(r"(?<![\w.])~?\d[\d,.]*\s?(?:ms|µs|CPU-s|s|seconds)\b|~?\d+(?:\.\d+)?\s?[×x]\s?(?:faster|slower)"
                    r"|\d+\.\d+\s?(?:→|->)\s?\d")


def _comments_and_docstrings(path: Path):
    source = path.read_text("utf-8")
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if doc := ast.get_docstring(node, clean=False):
                for i, line in enumerate(doc.split("\n")):
                    yield node.body[0].lineno + i, line


def test_no_timing_figures_in_code_comments():
    """Comments say why; the measured figures live in docs/scaling.md, where they can be kept current."""
    found = [f"{path.relative_to(ROOT)}:{line}: {text.strip()}"
             for pkg in ("nianbao", "orchestration") for path in sorted((ROOT / pkg).rglob("*.py"))
             for line, text in _comments_and_docstrings(path) if TIMING.search(text)]
    assert found == []


def test_the_timing_pattern_catches_figures():
    assert all(TIMING.search(t) for t in ("(~0.2 ms a report)", "0.46 → 0.15 ms", "~3× faster", "takes 4.0 s"))
    assert not any(TIMING.search(t) for t in ("t2s rewrite", "k8s executor", "at most 2% replaced", "2019 → 2020"))
