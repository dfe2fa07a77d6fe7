"""Reprints: a title alone ties copies only when long and specific; bodies known to differ never tie."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zxfeed.models import Item, RawItem
from zxfeed.normalize.items import normalize_item
from zxfeed.normalize.reprints import simhash
from zxfeed.store import Store

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
BODY_A = ("市政协召开主席会议，传达学习全国政协全会精神，研究部署黄河流域生态保护专题协商有关工作。会议听取了"
          "关于湿地保护修复情况的调研报告，审议了年度协商计划。") * 2
BODY_B = ("县政协主席会议围绕农村人居环境整治提升开展协商，委员们实地察看了垃圾分类和厕所改造项目，"
          "提出完善长效管护机制的建议，会议还通报了近期委员履职情况。") * 2


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "z.db")
    store.sync_sources([("heze", "菏泽政协", "http://hz/"), ("linyi", "临沂政协", "http://ly/")])
    return store


def _save(store: Store, source: str, title: str, n: int, body: str = "") -> Item:
    raw = RawItem(title=title, url=f"http://{source}.example.gov.cn/a/{n}.html", published=NOW, body=body,
                  enriched=bool(body))
    it = normalize_item(raw, source_id=source, source_name=source, regions=("山东省",), now=NOW)
    store.save_poll(source, [it], NOW)
    return it


def _stories(store: Store) -> int:
    return len({it.story_id for it in store.items()})


def test_generic_title_from_two_committees_stays_two_stories(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _save(store, "heze", "市政协召开十四届常委会第十二次会议", 1)
    _save(store, "linyi", "市政协召开十四届常委会第十二次会议", 2)
    assert _stories(store) == 2
    store.close()


def test_long_specific_title_ties_copies_before_their_bodies(tmp_path: Path) -> None:
    store = _store(tmp_path)
    title = "政协委员为黄河流域生态保护和高质量发展建言献策"
    _save(store, "heze", title, 1)
    _save(store, "linyi", title, 2)
    assert _stories(store) == 1
    store.close()


def test_bodies_known_to_differ_never_tie(tmp_path: Path) -> None:
    store = _store(tmp_path)
    title = "区政协召开十届四次常委会议 协商讨论区域发展规划"
    _save(store, "heze", title, 1, BODY_A)
    _save(store, "linyi", title, 2, BODY_B)
    assert _stories(store) == 2
    store.close()


def _read(store: Store, it: Item, body: str) -> None:
    """The article of a stored item read later (background enrichment)."""
    store.save_articles([replace(it, simhash=simhash(body), enriched=True, summary=body[:50])],
                        NOW + timedelta(hours=2))


def test_title_tie_undone_when_bodies_turn_out_different(tmp_path: Path) -> None:
    store = _store(tmp_path)
    title = "区政协召开十届四次常委会议 协商讨论区域发展规划"
    first = _save(store, "heze", title, 1)
    second = _save(store, "linyi", title, 2)
    assert _stories(store) == 1
    _read(store, first, BODY_A)  # the story's first copy
    assert _stories(store) == 1  # one body known: nothing to tell apart yet
    _read(store, second, BODY_B)
    assert _stories(store) == 2
    assert {it.story_id for it in store.items()} == {first.id, second.id}
    store.close()


def test_generic_title_joins_once_bodies_agree(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = _save(store, "heze", "市政协召开十四届常委会第十二次会议", 1)
    second = _save(store, "linyi", "市政协召开十四届常委会第十二次会议", 2)
    assert _stories(store) == 2
    _read(store, first, BODY_A)
    _read(store, second, BODY_A + "（来源：菏泽政协）")
    assert _stories(store) == 1
    store.close()
