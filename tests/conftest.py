"""Shared fixtures: the local test web, config files, and the zxfeed CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.webserver import TestWeb

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "real"


def corpus_file(name: str) -> Path:
    """A page of ../shared/corpus/real; skips the test, saying why, in a clone without it."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} is not here: ../shared/corpus is not part of the repository")
    return path


@pytest.fixture(scope="session")
def web() -> Iterator[TestWeb]:
    server = TestWeb()
    yield server
    server.close()


# One source nothing answers on (port 9, discard): for configs that are checked, not polled.
UNREACHABLE_SOURCE = """
[[sources]]
id = "a"
name = "A"
url = "http://127.0.0.1:9/a"
region = "山东省"
"""


def write_config(tmp: Path, body: str, top: str = "") -> Path:
    """A config file in ``tmp`` with fast fetch settings and data under ``tmp``."""
    head = top + textwrap.dedent("""\
        [storage]
        path = "data/zxfeed.db"
        [feeds]
        dir = "data/feeds"
        title = "政协动态"
        [fetch]
        host_delay = 0
        connect_timeout = 2
        read_timeout = 3
        """)
    path = tmp / "zxfeed.toml"
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return path


def one_source(tmp: Path, web: TestWeb, site: str, top: str = "") -> Path:
    """A config of one list page (``/<site>/list.html`` on the test web), article pages not read."""
    return write_config(tmp, f"""
        [[sources]]
        id = "{site}"
        name = "测试"
        url = "{web.url(f'/{site}/list.html')}"
        region = "山东省"
        fetch_articles = false
        """, top=top)


def zxfeed(*args: str, config: Path | None = None, timeout: float = 60,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess; returns the completed process (text)."""
    cmd = [sys.executable, "-m", "zxfeed.cli"]
    if config is not None:
        cmd += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or ROOT, env=env)


# -- PostgreSQL ---------------------------------------------------------------------------------

def _no_postgres(reason: str) -> None:
    """Skip, saying why; in CI (``CI`` set) a missing PostgreSQL is an error, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[object]:
    """One real PostgreSQL server for the whole session (shared by the xdist workers)."""
    from support.pgserver import SharedServer, find_bindir

    try:
        import psycopg  # noqa: F401
    except ImportError:
        _no_postgres("psycopg is not installed (pip install -e '.[test]')")
    bindir = find_bindir()
    if bindir is None:
        _no_postgres("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                     "apt-get install postgresql")
    base = tmp_path_factory.getbasetemp()
    shared = SharedServer(base.parent if worker_id != "master" else base, bindir)
    server = shared.acquire()
    try:
        yield server
    finally:
        shared.release()


@pytest.fixture
def pg_url(pg_server: object) -> Iterator[str]:
    """The URL of a new, empty database of the session's server."""
    with pg_server.database() as url:  # type: ignore[attr-defined]
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> object | None:
    """Each store test runs on SQLite and on PostgreSQL: ``None`` (SQLite) or the session's server."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("pg_server")


@pytest.fixture
def open_store(engine: object | None) -> Iterator[object]:
    """``open_store(path)``: a Store on this test's engine; one database per distinct path."""
    from contextlib import ExitStack, suppress

    from zxfeed.store import Store

    opened: list[Store] = []
    urls: dict[Path, str] = {}
    with ExitStack() as dbs:
        def _open(path: Path) -> Store:
            url = None
            if engine is not None:
                if path not in urls:
                    urls[path] = dbs.enter_context(engine.database())  # type: ignore[attr-defined]
                url = urls[path]
            store = Store(path, url=url)
            opened.append(store)
            return store

        yield _open
        for store in opened:
            with suppress(Exception):
                store.close()
