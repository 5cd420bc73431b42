"""The layout rule of docs/architecture.md, checked on the source: imports point downward only
(vocabulary → readers → parse → run → checks → overview → orchestration), the library imports no Dagster
and no orchestration module, and no two modules import each other, directly or round a cycle.
Imports inside functions count: hiding a cycle in a function does not remove it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["nianbao.vocabulary", "nianbao.readers", "nianbao.parse", "nianbao.run", "nianbao.checks", "nianbao.overview",
          "orchestration"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in ("nianbao", "orchestration") for p in (ROOT / pkg).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules ``name`` imports (``from pkg import mod`` counts as importing ``pkg.mod``)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    # a package's own __init__ is not an edge target (importing a submodule runs it, but it holds no code here)
    return {n: {t for t in _imports(n, p, known) if not (modules[t].name == "__init__.py" and n.startswith(t + "."))}
            for n, p in modules.items()}


def _layer(module: str) -> int:
    return max(i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")
               or (layer == "orchestration" and module == "orchestration"))


def _third_party(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_module_belongs_to_a_stage_folder():
    loose = sorted(p.name for p in (ROOT / "nianbao").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules outside the stage folders: {loose}"


def test_the_library_imports_no_dagster_and_no_orchestration():
    offenders = {n: sorted(_third_party(p) & {"dagster", "dagster_dbt", "dagster_duckdb", "orchestration"})
                 for n, p in _modules().items() if n.startswith("nianbao")}
    assert {n: v for n, v in offenders.items() if v} == {}


def test_imports_point_downward_only():
    upward = sorted((src, dst) for src, targets in _graph().items() for dst in targets if _layer(dst) > _layer(src))
    assert upward == []


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_the_checker_sees_a_hidden_cycle(tmp_path):
    """The checker itself: an import inside a function is found, and resolved relative to its package."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "b.py").write_text("from pkg import a\n")
    known = {"pkg", "pkg.a", "pkg.b"}
    assert _imports("pkg.a", pkg / "a.py", known) == {"pkg.b"}
    assert _imports("pkg.b", pkg / "b.py", known) == {"pkg", "pkg.a"}
