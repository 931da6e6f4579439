"""Keeps the layers honest (DESIGN §1) by reading every module's imports, transitively.

core imports nothing of ours outside core; services import only core (and QtCore);
adapters never import widgets, services or ui; ui never imports adapters; only the
entry points (app.py, and cli.py and __main__.py which start it) know every layer.
Imports inside functions count too: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "deskguard"
ENTRY_POINTS = {"deskguard.app", "deskguard.cli", "deskguard.__main__"}
OUTSIDE = ("PySide6", "apscheduler", "plyer", "sqlite3", "platformdirs", "tomlkit")

FORBIDDEN = {
    "core": (
        *OUTSIDE,
        "deskguard.adapters",
        "deskguard.services",
        "deskguard.ui",
        *ENTRY_POINTS,
    ),
    "services": (
        "PySide6.QtWidgets",
        "PySide6.QtGui",
        "PySide6.QtCharts",
        "PySide6.QtDBus",
        "PySide6.QtNetwork",
        "apscheduler",
        "plyer",
        "sqlite3",
        "platformdirs",
        "deskguard.adapters",
        "deskguard.ui",
        *ENTRY_POINTS,
    ),
    "adapters": (
        "PySide6.QtWidgets",
        "PySide6.QtGui",
        "PySide6.QtCharts",
        "deskguard.services",
        "deskguard.ui",
        *ENTRY_POINTS,
    ),
    "ui": ("deskguard.adapters", "sqlite3", "apscheduler", *ENTRY_POINTS),
}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def own_modules(names: Iterable[str]) -> set[str]:
    """The deskguard modules among imported names (`from a.b import c` may name a module
    a.b.c or an attribute c of a.b: whichever exists)."""
    return {n for n in names if n in MODULES}


def closure(module: str) -> dict[str, str]:
    """Every name imported by `module` and by the deskguard modules it imports, mapped to
    the first module of ours that imports it (for the failure message)."""
    seen: dict[str, str] = {}
    todo = [module]
    visited: set[str] = set()
    while todo:
        current = todo.pop()
        if current in visited:
            continue
        visited.add(current)
        names = imports_of(MODULES[current])
        for name in names:
            seen.setdefault(name, current)
        for inner in own_modules(names):
            # A package's own __init__ runs first: count it too.
            parent = inner.rsplit(".", 1)[0]
            todo.extend(m for m in (inner, parent) if m in MODULES)
    return seen


def bad(name: str, rules: Iterable[str]) -> bool:
    return any(name == rule or name.startswith(rule + ".") for rule in rules)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_transitively(layer: str) -> None:
    members = [m for m in MODULES if m.startswith(f"deskguard.{layer}.")]
    assert members, f"no modules found in {layer}"
    broken = [
        f"{module} reaches {name} (imported by {origin})"
        for module in members
        for name, origin in sorted(closure(module).items())
        if bad(name, FORBIDDEN[layer])
    ]
    assert broken == []


def test_only_the_entry_points_know_every_layer() -> None:
    layers = ("deskguard.adapters", "deskguard.services", "deskguard.ui")
    knowing = sorted(
        module
        for module in MODULES
        if all(any(bad(name, [layer]) for name in closure(module)) for layer in layers)
    )
    assert set(knowing) <= ENTRY_POINTS, knowing


def test_every_module_belongs_to_a_layer_or_is_an_entry_point() -> None:
    loose = [
        m
        for m in MODULES
        if m.count(".") == 1
        and MODULES[m].name != "__init__.py"
        and m not in ENTRY_POINTS
        and m not in {"deskguard.footprint"}  # start-up memory housekeeping, stdlib only
    ]
    assert loose == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text(
        "from PySide6.QtWidgets import QWidget\nimport sqlite3\n"
        "def late():\n    from deskguard.ui import tray\n"
    )
    found = imports_of(sample)
    assert {"PySide6.QtWidgets", "sqlite3", "deskguard.ui.tray"} <= found
    assert bad("deskguard.ui.tray", FORBIDDEN["services"])
    assert not bad("PySide6.QtCore", FORBIDDEN["services"])


def test_the_closure_follows_our_own_imports() -> None:
    # services.commands imports services.breaks, which imports core.planner.
    reached = closure("deskguard.services.commands")
    assert "deskguard.core.planner" in reached
    assert reached["deskguard.core.planner"] == "deskguard.services.breaks"
