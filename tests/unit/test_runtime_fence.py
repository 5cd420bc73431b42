"""Code that leans on a library's internals is fenced (docs/architecture.md): it lives in
orchestration/runtime/ (and nianbao/parse/fast/), each module names the versions it was verified
on, and a different installed version fails here: re-verify the module, then update its
VERIFIED_ON. No other product module imports a library's private modules or names."""
from __future__ import annotations

import ast
import importlib
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "orchestration" / "runtime"
PARSE_FAST = ROOT / "nianbao" / "parse" / "fast"
FENCED = (RUNTIME, PARSE_FAST)
OURS = ("nianbao", "orchestration")
RUNTIME_MODULES = sorted(p.stem for p in RUNTIME.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("name", RUNTIME_MODULES)
def test_each_runtime_module_runs_on_the_versions_it_was_verified_on(name):
    module = importlib.import_module(f"orchestration.runtime.{name}")
    verified = getattr(module, "VERIFIED_ON", None)
    assert verified, f"orchestration/runtime/{name}.py names no VERIFIED_ON versions"
    installed = {package: version(package) for package in verified}
    assert installed == verified, (f"orchestration/runtime/{name}.py was verified on {verified}, installed: "
                                   f"{installed}; re-verify it against the installed versions, then update VERIFIED_ON")


@pytest.mark.parametrize("name", sorted(p.stem for p in PARSE_FAST.glob("*.py") if p.name != "__init__.py"))
def test_each_fenced_parser_module_runs_on_what_it_was_verified_on(name):
    verified = importlib.import_module(f"nianbao.parse.fast.{name}").VERIFIED_ON
    installed = {package: f"{sys.version_info.major}.{sys.version_info.minor}" if package == "python"
                 else version(package) for package in verified}
    assert installed == verified, (f"nianbao/parse/fast/{name}.py was verified on {verified}, installed: "
                                   f"{installed}; re-verify it, then update VERIFIED_ON")


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] not in OURS and any(p.startswith("_") and p != "__future__" for p in parts[1:]):
                found.append(name)
    return found


def test_no_private_library_import_outside_the_fence():
    offenders = {}
    for pkg in OURS:
        for path in (ROOT / pkg).rglob("*.py"):
            if any(path.is_relative_to(fence) for fence in FENCED):
                continue
            if private := _private_imports(path):
                offenders[str(path.relative_to(ROOT))] = private
    assert offenders == {}


def test_the_checker_sees_a_private_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from dagster._core.storage import x\nimport dagster_dbt.core._cli\n"
                     "from dagster import _check\nfrom nianbao.readers import _common\n")
    assert _private_imports(probe) == ["dagster._core.storage", "dagster._core.storage.x", "dagster_dbt.core._cli",
                                       "dagster._check"]
