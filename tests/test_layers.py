"""The layers of issue 31, read from the code: base → store → engine → services → CLI/web, one way.

Fast: parses the sources (every import, function-local ones too); builds a ``Service`` without opening
a store or loading a model.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "store", "ui")


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (``from a import b`` counts ``a.b`` when that is a module)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def test_the_store_imports_nothing_of_the_layers_above() -> None:
    graph = _graph()
    up = {m: sorted(t for t in ts if not t.startswith("store")) for m, ts in graph.items() if m.startswith("store")}
    assert {m: ts for m, ts in up.items() if ts} == {}


def test_the_engine_and_services_never_import_their_callers() -> None:
    callers = ("ui", "assistant.cli", "assistant.evaluation")
    below = {m: ts for m, ts in _graph().items() if m.startswith("assistant") and not m.startswith(callers)}
    assert {
        m: sorted(t for t in ts if t.startswith(callers))
        for m, ts in below.items()
        if any(t.startswith(callers) for t in ts)
    } == {}


def test_no_import_circle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                circles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert circles == []


def test_services_are_small_and_the_facade_only_holds_them() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "assistant" / "services").glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 300} == {}
    assert len((ROOT / "assistant" / "service.py").read_text().splitlines()) <= 300


def test_the_service_binds_each_call_to_its_feature_service(tmp_path: Path) -> None:
    from assistant.service import Service
    from assistant.settings import load_settings

    svc = Service(load_settings(store_dir=tmp_path / "store"))
    assert svc.ask.__self__ is svc.answers and svc.stream.__self__ is svc.answers
    assert svc.ingest.__self__ is svc.library and svc.sources.__self__ is svc.library
    assert svc.perspectives.__self__ is svc.perspectives_service
    assert svc.answers.components is svc.library.components is svc.components
    assert not (tmp_path / "store").exists()  # nothing opened, nothing loaded
