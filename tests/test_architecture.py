"""The store package is the one owner of SQL: no other module imports sqlite3, runs a statement or holds SQL."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import zxfeed

PACKAGE = Path(zxfeed.__file__).parent
# SQL as the store writes it: an upper-case statement keyword, then a space.
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT)\s")
STATEMENT_CALLS = {"execute", "executemany", "executescript"}


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
            if isinstance(node, ast.Import) and any(
                    a.name.split(".")[0] == "sqlite3" for a in node.names):
                what = "imports sqlite3"
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlite3":
                what = "imports from sqlite3"
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


def test_check_catches_planted_violations(tmp_path: Path) -> None:
    copy = tmp_path / "zxfeed"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
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
