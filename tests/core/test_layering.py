"""The core is pure domain logic: it must not import Qt or SQLAlchemy."""
import ast
import subprocess
import sys
from pathlib import Path

import rws_desktop.core

CORE_DIR = Path(rws_desktop.core.__file__).parent
FORBIDDEN = ("PySide6", "sqlalchemy", "alembic", "rws_desktop.storage", "rws_desktop.ui")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_qt_or_sqlalchemy_in_its_source():
    """Every import statement in rws_desktop/core names neither Qt, SQLAlchemy, storage nor the UI."""
    offenders = {
        f"{path.name}: {name}"
        for path in CORE_DIR.rglob("*.py")
        for name in _imported_modules(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders, f"core imports outer layers: {sorted(offenders)}"


def test_importing_every_core_module_loads_neither_qt_nor_sqlalchemy():
    """Importing the whole core in a fresh interpreter pulls in no Qt or SQLAlchemy module, even indirectly."""
    modules = [f"rws_desktop.core.{p.stem}" for p in CORE_DIR.glob("*.py") if p.stem != "__init__"]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'alembic')]\n"
        "print(','.join(loaded))\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == ""
