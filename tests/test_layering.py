"""The architecture rules, checked on the source: domain is pure, the UI never touches SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ozondesk"

FORBIDDEN = {
    "domain": ("PySide6", "sqlalchemy", "alembic", "httpx", "keyring", "ozondesk.store",
               "ozondesk.ui", "ozondesk.services", "ozondesk.ozon"),
    "store": ("PySide6", "ozondesk.ui", "ozondesk.services"),
    "ui": ("sqlalchemy", "alembic", "ozondesk.store.models", "ozondesk.store.repos"),
    "services": ("PySide6", "ozondesk.ui"),
    # The option registry serves the store, the services and the command line: no Qt in it.
    "settings": ("PySide6", "ozondesk.ui", "ozondesk.services"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_ruff_is_clean() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "ozondesk", "tests", "bench"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
