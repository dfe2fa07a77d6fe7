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


def zxfeed(*args: str, config: Path | None = None, timeout: float = 60,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess; returns the completed process (text)."""
    cmd = [sys.executable, "-m", "zxfeed.cli"]
    if config is not None:
        cmd += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or ROOT, env=env)
