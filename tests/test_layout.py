"""The layout shows the flow: `monitor/` holds entry points and one package per stage, each
stage imports only the stages below it, `crawler/` never imports `monitor/`, and no module
imports itself round a cycle. Read from the source with `ast`, so lazy imports count too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first: a stage may import the ones before it, never one after it.
STAGES = (
    "errors",
    "detect",
    "config",
    "store",
    "crawl",
    "alerts",
    "events",
    "cycle",
    "distributed",
    "ops",
    "commands",
    "web",
    "demo",
    "cli",
    "__main__",
)
ENTRY_POINTS = {"__init__.py", "__main__.py", "cli.py", "cycle.py", "errors.py"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_only(tree: ast.AST) -> set[ast.AST]:
    """The import nodes under `if TYPE_CHECKING:`, which never run."""
    return {
        inner
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for stmt in node.body
        for inner in ast.walk(stmt)
    }


def imports(path: Path, *, type_only: bool = True) -> Iterator[str]:
    """Every module `path` imports, at the top or inside a function; with `type_only` False,
    not those imported only for type checking."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if type_only else _type_only(tree)
    for node in ast.walk(tree):
        if node in skip:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and package:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def stage_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def test_monitor_top_level_holds_only_entry_points_and_stage_packages() -> None:
    top = ROOT / "monitor"
    files = {p.name for p in top.iterdir() if p.is_file() and p.suffix == ".py"}
    packages = {p.name for p in top.iterdir() if (p / "__init__.py").is_file()}
    assert files <= ENTRY_POINTS, f"modules beside the stages: {sorted(files - ENTRY_POINTS)}"
    assert packages <= set(STAGES), f"packages with no place in STAGES: {packages - set(STAGES)}"


def test_crawler_never_imports_monitor() -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources("crawler")
        for name in imports(path)
        if name == "monitor" or name.startswith("monitor.")
    ]
    assert offending == []


def test_each_stage_imports_only_stages_below_it() -> None:
    rank = {stage: i for i, stage in enumerate(STAGES)}
    upward = []
    for path in sources("monitor"):
        own = stage_of(module_name(path))
        if own == "monitor":
            continue  # monitor/__init__.py
        for name in imports(path):
            if not name.startswith("monitor."):
                continue
            other = stage_of(name)
            if other != own and rank[other] > rank[own]:
                upward.append(f"{path.relative_to(ROOT)} ({own}) imports {name} ({other})")
    assert upward == []


def test_no_import_cycle_between_modules() -> None:
    paths = sources("monitor") + sources("crawler")
    known = {module_name(p): p for p in paths}
    graph = {
        name: {m for m in imports(path, type_only=False) if m in known and m != name}
        for name, path in known.items()
    }
    # A package's __init__ re-exporting its modules is not a cycle of the flow.
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
