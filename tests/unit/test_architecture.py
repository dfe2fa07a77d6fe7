"""The layout is the pipeline: the store alone speaks SQL, and no stage imports a later one."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

import zxfeed

PACKAGE = Path(zxfeed.__file__).parent
# SQL as the store writes it: an upper-case statement keyword, then a space.
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT)\s")
STATEMENT_CALLS = {"execute", "executemany", "executescript"}
DRIVERS = {"sqlite3", "psycopg", "psycopg_pool"}
# The pipeline's order. A module may import its own unit, the base (rank 0) and earlier stages;
# publish and notify are siblings that both read the store and must not lean on each other.
RANKS = {
    "": 0, "models": 0, "files": 0, "config": 0,
    "fetch": 1, "extract": 2, "normalize": 3, "store": 4, "poll": 5,
    "publish": 6, "notify": 6, "web": 7, "daemon": 8, "cli": 9, "__main__": 10,
}


def _sql_text(node: ast.AST) -> str | None:
    """The leading text of a string literal or f-string, if it is one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def violations(package: Path, owner: str = "store") -> list[str]:
    """``path:line: what`` for every SQL use in ``package`` outside its ``owner`` subpackage."""
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if rel.parts[0] == owner:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Import) and (
                    db := next((a.name for a in node.names if a.name.split(".")[0] in DRIVERS), None)):
                what = f"imports {db.split('.')[0]}"
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DRIVERS:
                what = f"imports from {(node.module or '').split('.')[0]}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in STATEMENT_CALLS:
                what = f"calls .{node.func.attr}()"
            elif (text := _sql_text(node)) is not None and SQL.match(text):
                what = f"holds SQL {text.strip()[:30]!r}"
            if what:
                found.append(f"{rel}:{getattr(node, 'lineno', 0)}: {what}")
    # An f-string's first part is also a Constant node inside it: report a line once.
    return sorted(set(found))


def test_only_the_store_speaks_sql() -> None:
    assert violations(PACKAGE) == []


def test_store_package_does_speak_sql() -> None:
    """The check looks where SQL is: the store itself would be reported if it were not the owner."""
    found = violations(PACKAGE, owner="no-such-package")
    assert any(v.startswith("store/core.py") and "sqlite3" in v for v in found)
    assert any(v.startswith("store/items.py") and "execute" in v for v in found)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package to plant violations in."""
    target = tmp_path / "zxfeed"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_check_catches_planted_violations(copy: Path) -> None:
    assert violations(copy) == []
    (copy / "notify" / "planted.py").write_text(
        "import sqlite3\n"
        "from sqlite3 import Row\n"
        "def f(db, table):\n"
        "    db.execute('x')\n"
        "    db.executescript('y')\n"
        "    a = \"SELECT id FROM items\"\n"
        "    b = f\"DELETE FROM {table} WHERE id=?\"\n"
        "    return a, b, \"Update the page\"\n",
        encoding="utf-8")
    found = violations(copy)
    assert found == [
        "notify/planted.py:1: imports sqlite3",
        "notify/planted.py:2: imports from sqlite3",
        "notify/planted.py:4: calls .execute()",
        "notify/planted.py:5: calls .executescript()",
        "notify/planted.py:6: holds SQL 'SELECT id FROM items'",
        "notify/planted.py:7: holds SQL 'DELETE FROM'",
    ]


def _unit(package: Path, module: str) -> str:
    """The top-level unit (``fetch``, ``store``, ``""`` for the package root) a dotted module is in."""
    parts = module.split(".")[1:]
    return parts[0] if parts else ""


def _imported(package: Path, path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    """Absolute ``zxfeed.…`` modules an import statement names, submodules included."""
    rel = path.relative_to(package).with_suffix("")
    here = [package.name, *rel.parts][:-1]  # the package a relative import starts from
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == package.name]
    if node.level:
        base = here[: len(here) - (node.level - 1)]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    if module.split(".")[0] != package.name:
        return []
    names = []
    for alias in node.names:
        sub = package.parent.joinpath(*module.split("."), alias.name)
        names.append(f"{module}.{alias.name}" if sub.is_dir() or sub.with_suffix(".py").exists() else module)
    return names


def direction_violations(package: Path) -> list[str]:
    """``path:line: unit imports later`` for every import of a later (or sibling) stage."""
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        unit = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else ""
        if unit not in RANKS:
            found.append(f"{rel}:0: unit {unit!r} has no place in the pipeline (add it to RANKS)")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for module in _imported(package, path, node):
                other = _unit(package, module)
                if other == unit or other not in RANKS:
                    continue
                if RANKS[other] < RANKS[unit] or RANKS[other] == RANKS[unit] == 0:
                    continue
                found.append(f"{rel}:{node.lineno}: {unit or 'zxfeed'} imports {other} ({module})")
    return sorted(set(found))


def test_no_stage_imports_a_later_one() -> None:
    assert direction_violations(PACKAGE) == []


def test_direction_check_catches_planted_violations(copy: Path) -> None:
    assert direction_violations(copy) == []
    (copy / "extract" / "planted.py").write_text(
        "from ..store import Store\n"
        "from zxfeed.poll import source\n"
        "def f():\n"
        "    from ..models import Item\n"
        "    from .. import web\n"
        "    return Store, source, Item, web\n",
        encoding="utf-8")
    (copy / "notify" / "planted.py").write_text("from ..publish.formats import atom\n", encoding="utf-8")
    (copy / "gadgets.py").write_text("x = 1\n", encoding="utf-8")
    assert direction_violations(copy) == [
        "extract/planted.py:1: extract imports store (zxfeed.store)",
        "extract/planted.py:2: extract imports poll (zxfeed.poll.source)",
        "extract/planted.py:5: extract imports web (zxfeed.web)",
        "gadgets.py:0: unit 'gadgets' has no place in the pipeline (add it to RANKS)",
        "notify/planted.py:1: notify imports publish (zxfeed.publish.formats.atom)",
    ]
