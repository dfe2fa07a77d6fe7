"""Several processes opening one new store at the same moment: one migrates, the others wait."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

_OPEN = """
import sqlite3, sys, time
from zxfeed.store import Store
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
Store(sys.argv[1]).close()
print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])
"""


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    import time

    db = tmp_path / "new.db"
    start = time.time() + 3  # every process has imported zxfeed by then
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN, str(db), str(start)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    results = [p.communicate(timeout=60) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
    from zxfeed.store.schema import SCHEMA_VERSION
    assert {out.strip() for out, _ in results} == {str(SCHEMA_VERSION)}


_OPEN_PG = """
import sys, time
from zxfeed.store import Store
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
store = Store(sys.argv[1], url=sys.argv[2])
print(store.database()["schema_version"])
store.close()
"""


def test_nodes_starting_at_once_on_a_new_postgresql_database_migrate_it_once(
        tmp_path: Path, pg_url: str) -> None:
    import time

    import psycopg

    start = time.time() + 3
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN_PG, str(tmp_path / f"n{k}" / "zxfeed.db"),
                               pg_url, str(start)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for k in range(6)]
    results = [p.communicate(timeout=60) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
    from zxfeed.store.schema import SCHEMA_VERSION
    assert {out.strip() for out, _ in results} == {str(SCHEMA_VERSION)}
    with psycopg.connect(pg_url) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
