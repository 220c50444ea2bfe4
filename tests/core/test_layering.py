"""The core is pure domain logic in packages stacked from the kernel up.

It must not import Qt, SQLAlchemy, storage or the UI, and no core package may import one above it.
Every check walks the core recursively, so a module added in a new sub-package is checked too.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import rws_desktop.core

CORE_DIR = Path(rws_desktop.core.__file__).parent
FORBIDDEN = ("PySide6", "sqlalchemy", "alembic", "rws_desktop.storage", "rws_desktop.ui")

# A package may import packages of a lower rank only (and itself). Equal ranks do not import each other.
RANK = {"kernel": 0, "faces": 1, "accounts": 2, "keys": 2, "register": 3, "audit": 3, "captions": 3, "clips": 4,
        "vetting": 5, "posts": 6}


def _core_modules() -> list[Path]:
    return sorted(p for p in CORE_DIR.rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = path.relative_to(CORE_DIR.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, dotted: str) -> set[str]:
    """Absolute names of every module imported by `path` (module `dotted`), relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names.add(base)
            if node.module is None:  # "from . import x" imports the sub-modules themselves
                names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _core_package(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[:2] != ["rws_desktop", "core"] or len(parts) < 3:
        return None
    return parts[2]


def layering_offences(modules: list[tuple[Path, str]]) -> list[str]:
    """Every import in `modules` (path, dotted name) that leaves the core's rules: outer layers, or a
    higher core package."""
    offences = []
    for path, dotted in modules:
        own = _core_package(dotted)
        for name in _imports(path, dotted):
            if name.startswith(FORBIDDEN):
                offences.append(f"{dotted} imports {name}")
                continue
            other = _core_package(name)
            if other is None or own is None or other == own:
                continue
            if other not in RANK or own not in RANK:
                offences.append(f"{dotted} imports {name}: package not in the layering table")
            elif RANK[other] >= RANK[own]:
                offences.append(f"{dotted} ({own}) imports {name} ({other}), which is not below it")
    return offences


def test_every_core_sub_package_is_in_the_layering_table_and_says_what_it_holds():
    """Each folder under core is a ranked package whose __init__ opens with a docstring."""
    packages = [p for p in CORE_DIR.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert {p.name for p in packages} == set(RANK)
    for package in packages:
        init = package / "__init__.py"
        assert init.is_file(), f"{package.name} has no __init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{package.name} has no docstring"


def test_the_core_root_holds_only_a_handful_of_modules():
    """The domain lives in sub-packages, not in a flat folder."""
    assert [p.name for p in CORE_DIR.glob("*.py")] == ["__init__.py"]


def test_no_core_module_imports_outer_layers_or_a_higher_package():
    """Every import statement in rws_desktop/core, at any depth, keeps to the layering."""
    offences = layering_offences([(p, _dotted(p)) for p in _core_modules()])
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize("source, offence", [
    ("from ..vetting.analysis import Decision\n", "rws_desktop.core.vetting.analysis"),
    ("from rws_desktop.core.register import service\n", "rws_desktop.core.register"),
    ("import PySide6.QtCore\n", "PySide6.QtCore"),
    ("from sqlalchemy import select\n", "sqlalchemy"),
])
def test_the_layering_check_catches_an_upward_or_outward_import(tmp_path, source, offence):
    """A module read as if it sat in the audit package, importing vetting, register, Qt or SQLAlchemy, is reported."""
    planted = tmp_path / "planted.py"
    planted.write_text(source, encoding="utf-8")
    offences = layering_offences([(planted, "rws_desktop.core.audit.planted")])
    assert len(offences) == 1 and offence in offences[0]


def test_importing_every_core_module_loads_neither_qt_nor_sqlalchemy():
    """Importing the whole core in a fresh interpreter pulls in no Qt or SQLAlchemy module, even indirectly."""
    modules = [_dotted(p) for p in _core_modules()]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'alembic')]\n"
        "print(','.join(loaded))\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == ""
