"""The one-shot `zxfeed poll` rewrites the feeds its polls changed, and every feed when it must."""

from __future__ import annotations

from pathlib import Path

from conftest import write_config, zxfeed
from support.pages import dated_items, list_page
from support.webserver import TestWeb


def _config(tmp_path: Path, web: TestWeb, names: dict[str, str]) -> Path:
    body = "".join(f"""
        [[sources]]
        id = "{sid}"
        name = "{name}"
        url = "{web.url(f'/{sid}/list.html')}"
        region = "{'山东省' if sid == 'pp-a' else '河南省'}"
        fetch_articles = false
        """ for sid, name in names.items())
    return write_config(tmp_path, body)


def _poll(cfg: Path) -> None:
    done = zxfeed("poll", config=cfg)
    assert done.returncode == 0, done.stdout + done.stderr


def test_only_changed_feeds_then_all_after_a_settings_change(tmp_path: Path, web: TestWeb) -> None:
    items = dated_items(6)
    web.set("/pp-a/list.html", list_page(items[1:3]))
    web.set("/pp-b/list.html", list_page(items[3:]))
    names = {"pp-a": "甲政协", "pp-b": "乙政协"}
    cfg = _config(tmp_path, web, names)
    feeds = tmp_path / "data" / "feeds"
    _poll(cfg)
    for name in ("all", "source/pp-a", "source/pp-b", "region/山东省", "region/河南省"):
        assert (feeds / f"{name}.atom").exists(), name

    # A new item on pp-a: its source feed, its region's and the merged one show it.
    web.set("/pp-a/list.html", list_page(items[0:3]))
    _poll(cfg)
    for name in ("all", "source/pp-a", "region/山东省"):
        assert items[0][1] in (feeds / f"{name}.atom").read_text(encoding="utf-8"), name

    # A renamed source: nothing new anywhere, yet its feed must say the new name.
    cfg = _config(tmp_path, web, {"pp-a": "甲政协", "pp-b": "乙市政协"})
    _poll(cfg)
    assert "乙市政协" in (feeds / "source/pp-b.atom").read_text(encoding="utf-8")


def test_a_missing_feed_file_is_written_again(tmp_path: Path, web: TestWeb) -> None:
    items = dated_items(4)
    web.set("/pp-a/list.html", list_page(items[:2]))
    web.set("/pp-b/list.html", list_page(items[2:]))
    cfg = _config(tmp_path, web, {"pp-a": "甲政协", "pp-b": "乙政协"})
    feeds = tmp_path / "data" / "feeds"
    _poll(cfg)
    (feeds / "source/pp-b.atom").unlink()
    _poll(cfg)  # nothing changed on either site
    assert items[2][1] in (feeds / "source/pp-b.atom").read_text(encoding="utf-8")
