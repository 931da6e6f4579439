"""Keeps the layers honest (DESIGN §1) by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "deskguard"

FORBIDDEN = {
    "core": (
        "PySide6",
        "apscheduler",
        "plyer",
        "sqlite3",
        "platformdirs",
        "deskguard.adapters",
        "deskguard.ui",
        "deskguard.app",
    ),
    "adapters": (
        "PySide6.QtWidgets",
        "PySide6.QtGui",
        "PySide6.QtCharts",
        "deskguard.ui",
        "deskguard.app",
    ),
    "ui": ("deskguard.adapters", "deskguard.app", "sqlite3", "apscheduler"),
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


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    files = sorted((PACKAGE / layer).glob("*.py"))
    assert files, f"no modules found in {layer}"
    broken = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files
        for name in sorted(imports_of(path))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert broken == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport sqlite3\n")
    assert {"PySide6.QtWidgets", "sqlite3"} <= imports_of(sample)
