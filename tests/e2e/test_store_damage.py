"""A damaged store file: one line naming it and the way out, exit 1, never a traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import write_config, zxfeed
from support.smtpsink import free_port
from support.webserver import TestWeb


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, web: TestWeb) -> Path:
    """A real store after a poll of 40 items (several pages deep)."""
    tmp = tmp_path_factory.mktemp("seed")
    rows = "".join(f"<li><a href='/dmg/{i}.html'>政协常委会第{i}次会议审议通过多项提案办理报告 " + "内容" * 40
                   + f"</a> <span>2024-01-{i % 28 + 1:02d}</span></li>" for i in range(40))
    web.set("/dmg/list.html", f"<html><body><ul>{rows}</ul></body></html>")
    cfg = write_config(tmp, f'[[sources]]\nid = "dmg"\nname = "损坏"\nurl = "{web.url("/dmg/list.html")}"\n'
                       'region = "北京市"\nfetch_articles = false\n')
    assert zxfeed("poll", config=cfg).returncode == 0
    return tmp


def _damage(db: Path, how: str) -> None:
    size = db.stat().st_size
    if how == "truncated":
        os.truncate(db, size // 2)
    elif how == "overwritten":
        with db.open("r+b") as fh:
            fh.write(b"\0" * 100)
    else:  # pages in the middle scribbled over
        with db.open("r+b") as fh:
            fh.seek(size // 3)
            fh.write(b"\xa5" * (size // 2))


@pytest.mark.parametrize("how", ["truncated", "overwritten", "scribbled"])
def test_damaged_store_is_one_line(seeded: Path, tmp_path: Path, how: str) -> None:
    shutil.copytree(seeded, tmp_path, dirs_exist_ok=True)
    cfg = tmp_path / "zxfeed.toml"
    text = cfg.read_text("utf-8").replace("[feeds]", f"[server]\nport = {free_port()}\n[feeds]")
    cfg.write_text(text, "utf-8")
    db = tmp_path / "data" / "zxfeed.db"
    _damage(db, how)
    for command in (["sources"], ["feeds"], ["run"]):
        proc = zxfeed(*command, config=cfg, timeout=60)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1, (command, proc.stderr)
        assert len(lines) == 1 and "Traceback" not in proc.stderr, (command, proc.stderr)
        assert str(db) in lines[0] and ".recover" in lines[0] and "backup" in lines[0], lines[0]
