"""Settings in one place (nianbao/run/settings.py): every NIANBAO_* variable is read there and
nowhere else, documented, given to dbt as vars, and nothing writes settings into the environment."""
from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest

from nianbao.run.settings import ENV_VARS, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
TEST_HOOKS = {"NIANBAO_TEST_CRASH_AT"}


def _python_files():
    for pkg in ("nianbao", "orchestration"):
        yield from (ROOT / pkg).rglob("*.py")


def _environ_uses(path: Path) -> list[tuple[int, str]]:
    """Reads and writes of os.environ / os.getenv / os.putenv in a module, as (line, source)."""
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv"):
            found.append((node.lineno, ast.get_source_segment(path.read_text("utf-8"), node)))
    return found


def test_only_the_settings_module_reads_nianbao_variables():
    readers = {}
    for path in _python_files():
        source = path.read_text("utf-8")
        if re.search(r"""(environ|getenv)\b[^\n]*["']NIANBAO_""", source) and path.name != "settings.py":
            readers[str(path.relative_to(ROOT))] = True
    assert readers == {}


def test_the_library_never_touches_the_environment_outside_settings():
    uses = {str(p.relative_to(ROOT)): _environ_uses(p) for p in (ROOT / "nianbao").rglob("*.py")
            if p.name != "settings.py"}
    assert {k: v for k, v in uses.items() if v} == {}


def test_orchestration_writes_no_setting_into_the_environment():
    """Only the CLI sets DAGSTER_HOME (Dagster's own variable) and hands the UI's processes an
    environment of their own; nothing sets a NIANBAO_* variable for later code to read back."""
    for path in (ROOT / "orchestration").rglob("*.py"):
        source = path.read_text("utf-8")
        assert not re.search(r"""environ\[["']NIANBAO_""", source), path
        assert not re.search(r"""environ\.(setdefault|update|pop)\(["']NIANBAO_""", source), path


def test_every_variable_is_documented_and_every_documented_one_is_read():
    documented = set(re.findall(r"`(NIANBAO_[A-Z_]+)`", (ROOT / "README.md").read_text("utf-8")))
    documented |= set(re.findall(r"\| `(NIANBAO_[A-Z_]+)` \|", (ROOT / "docs" / "scaling.md").read_text("utf-8")))
    assert documented == set(ENV_VARS) - TEST_HOOKS


def test_values_overrides_and_defaults(tmp_path):
    env = {"NIANBAO_DB": str(tmp_path / "w.duckdb"), "NIANBAO_MAX_PAGES": "12", "NIANBAO_PARSE_PARTITIONS": "4",
           "NIANBAO_DUCKDB_MEMORY_LIMIT": "3GB", "NIANBAO_PARQUET_DIR": str(tmp_path / "pq")}
    s = load_settings(env)
    assert s.db_path == tmp_path / "w.duckdb" and s.work_db_path == tmp_path / ".nianbao-work" / "w.duckdb"
    assert (s.max_pages, s.parse_partitions, s.duckdb_memory_limit) == (12, 4, "3GB")
    assert s.parquet_dir == tmp_path / "pq"
    assert s.max_parse_seconds == Settings.max_parse_seconds  # unset: the default
    over = load_settings(env, raw_dir=tmp_path / "r", db_path=tmp_path / "other.duckdb")
    assert over.raw_dir == tmp_path / "r" and over.db_path == tmp_path / "other.duckdb"
    assert load_settings({}).parquet_dir == load_settings({}).work_dir / "parquet"
    assert load_settings(over.as_environ()) == over  # what `nianbao ui` hands its processes


@pytest.mark.parametrize("var, value", [("NIANBAO_MAX_PAGES", "many"), ("NIANBAO_PARSE_PARTITIONS", "12"),
                                        ("NIANBAO_PARTITION_EXECUTOR", "slurm")])
def test_a_bad_value_is_refused_by_name(var, value):
    with pytest.raises(SettingsError, match=var):
        load_settings({var: value})


def test_dbt_gets_the_settings_as_vars(tmp_path):
    from orchestration.assets.dbt import dbt_build_args

    s = load_settings({"NIANBAO_DB": str(tmp_path / "w.duckdb"), "NIANBAO_DUCKDB_MEMORY_LIMIT": "2GB"})
    args = dbt_build_args(s, raw_parquet=False)
    assert json.loads(args[args.index("--vars") + 1]) == {"nianbao_db": str(s.work_db_path),
                                                         "nianbao_duckdb_memory_limit": "2GB"}
    parquet = json.loads((a := dbt_build_args(s, raw_parquet=True))[a.index("--vars") + 1])
    assert parquet["nianbao_db"] == str(s.work_db_path) and parquet["raw_parquet_dir"] == str(s.parquet_dir)
    profile = (ROOT / "dbt_project" / "profiles.yml").read_text("utf-8")
    assert set(re.findall(r"var\('(\w+)'", profile)) == set(s.dbt_vars())


def test_the_resource_reads_settings_without_writing_the_environment(tmp_path):
    from orchestration.resources import NianbaoResource

    before = dict(os.environ)
    s = NianbaoResource(raw_dir=str(tmp_path / "r"), db_path=str(tmp_path / "d.duckdb")).settings()
    assert dict(os.environ) == before
    assert s.raw_dir == tmp_path / "r" and s.db_path == tmp_path / "d.duckdb"
