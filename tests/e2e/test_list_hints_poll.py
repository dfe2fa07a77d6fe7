"""Polls keep a hint of where each source's list stood and store what detection finds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import one_source
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.extract import ListHint, extract_items
from zxfeed.extract.dates import SHANGHAI
from zxfeed.fetch.client import Fetcher, FetchSettings
from zxfeed.poll.source import poll_source
from zxfeed.store import Store


def _page(count: int) -> str:
    rows = "".join(f'<li><a href="/t/2026/1{k:03d}.html">政协委员视察民生实事项目第{k}次</a>'
                   f"<span>2026-11-{(k % 28) + 1:02d}</span></li>" for k in range(count))
    return f"<html><body><div class='main'><ul class='list'>{rows}</ul></div></body></html>"


def _hint(store: Store, site: str) -> ListHint | None:
    state = store.source(site, counts=False)
    assert state is not None
    return ListHint.loads(state.list_hint.partition(" ")[2]) if state.list_hint else None


def test_polls_remember_the_list_and_store_what_detection_finds(tmp_path: Path, web: TestWeb) -> None:
    site = "hint-poll"
    web.set(f"/{site}/list.html", _page(6))
    path = one_source(tmp_path, web, site)
    cfg = load_config(path)
    store = Store(cfg.db_path)
    store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
    with Fetcher(FetchSettings(host_delay=0)) as fetcher:
        first = poll_source(cfg.sources[0], cfg, store, fetcher)
        hint = _hint(store, site)
        assert first.found == 6 and hint is not None and hint.count == 6
        # What is kept is the hint detection made of this page, whole.
        assert hint == extract_items(_page(6).encode(), web.url(f"/{site}/list.html"),
                                     now=datetime.now(SHANGHAI)).hint
    store.close()
    store = Store(cfg.db_path)  # a restart: the hint is read from the store
    with Fetcher(FetchSettings(host_delay=0)) as fetcher:
        web.set(f"/{site}/list.html", _page(7))  # one more item: read where the list was
        second = poll_source(cfg.sources[0], cfg, store, fetcher)
        assert second.found == 7 and len(second.new) == 1 and _hint(store, site).count == 7
        web.set(f"/{site}/list.html", "<html><body><p>维护中</p></body></html>")
        third = poll_source(cfg.sources[0], cfg, store, fetcher)
        assert third.found == 0 and _hint(store, site) is None  # no list: nothing to remember
    store.close()
