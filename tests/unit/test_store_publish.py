from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from lxml import etree

from zxfeed.models import RawItem
from zxfeed.normalize.items import canonical_url, item_id, normalize_item
from zxfeed.publish.publisher import Publisher
from zxfeed.store import Store
from zxfeed.store.schema import SCHEMA_VERSION

NOW = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)


def _items(n: int, source: str = "s1", base: str = "http://zx.example.gov.cn/a/", **kw) -> list:
    out = []
    for i in range(n):
        raw = RawItem(title=kw.get("title", f"政协要闻第{i}条"), url=f"{base}{i}.html",
                      published=NOW - timedelta(days=i), truncated=kw.get("truncated", False))
        out.append(normalize_item(raw, source_id=source, source_name="测试政协",
                                  regions=("山东省",), now=NOW))
    return out


def test_canonical_url_identity() -> None:
    a = "http://WWW.Zx.gov.cn:80/xwzx/index.html?utm_source=wx&id=3#top"
    b = "https://www.zx.gov.cn/xwzx/?id=3"
    assert canonical_url(a) == canonical_url(b) == "//www.zx.gov.cn/xwzx/?id=3"
    assert item_id(a) == item_id(b)
    assert item_id("http://zx.gov.cn/a/1.html") != item_id("http://zx.gov.cn/a/2.html")
    assert item_id("http://zx.gov.cn/show.asp?id=1") != item_id("http://zx.gov.cn/show.asp?id=2")


def test_repoll_restart_and_scheme_change_never_duplicate(tmp_path: Path, open_store) -> None:
    db = tmp_path / "z.db"
    store = open_store(db)
    store.sync_sources([("s1", "测试", "http://x/")])
    first = store.save_poll("s1", _items(3), NOW)
    assert len(first.new) == 3 and first.baseline
    store.close()

    store = open_store(db)  # a restart
    again = store.save_poll("s1", _items(4, base="https://zx.example.gov.cn/a/"), NOW)
    assert [it.title for it in again.new] == ["政协要闻第3条"] and not again.baseline
    assert store.item_count() == 4
    assert store.source("s1").baseline_at is not None
    store.close()


def test_title_repair_updates_the_item(tmp_path: Path, open_store) -> None:
    store = open_store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试", "http://x/")])
    store.save_poll("s1", _items(1, title="政协委员深入社区开展", truncated=True), NOW)
    later = NOW + timedelta(hours=1)
    res = store.save_poll("s1", _items(1, title="政协委员深入社区开展协商议事活动"), later)
    assert not res.new and len(res.updated) == 1
    (item,) = store.items()
    assert item.title == "政协委员深入社区开展协商议事活动" and not item.truncated
    assert item.updated == later


def test_one_publisher_shows_repairs_and_new_copies(tmp_path: Path, open_store) -> None:
    """Entries are rendered once and reused: a repaired title or a new reprint must still show."""
    store = open_store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试", "http://x/"), ("s2", "转载站", "http://y/")])
    pub = Publisher(store, tmp_path / "feeds", title="政协动态", base_url="http://127.0.0.1:8080",
                    source_names={"s1": "测试", "s2": "转载站"})
    store.save_poll("s1", _items(1, title="政协委员深入社区开展", truncated=True), NOW)
    pub.publish()
    store.save_poll("s1", _items(1, title="政协委员深入社区开展协商议事活动"), NOW + timedelta(hours=1))
    copy = _items(1, source="s2", base="http://y.example.org/zz/", title="政协委员深入社区开展协商议事活动")
    store.save_poll("s2", copy, NOW + timedelta(hours=1))
    pub.publish()
    merged = feedparser.parse((tmp_path / "feeds/all.atom").read_bytes())
    (entry,) = merged.entries  # the reprint joined its story
    assert entry.title == "政协委员深入社区开展协商议事活动"
    assert {lk.href for lk in entry.links if lk.rel in ("alternate", "related")} == {
        "http://zx.example.gov.cn/a/0.html", "http://y.example.org/zz/0.html"}
    own = feedparser.parse((tmp_path / "feeds/source/s1.atom").read_bytes())
    assert {e.title for e in own.entries} == {"政协委员深入社区开展协商议事活动"}


def test_feed_is_valid_stable_capped_and_clean(tmp_path: Path, open_store) -> None:
    store = open_store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试", "http://x/"), ("s2", "测试2", "http://y/")])
    items = _items(5)
    items[0].title = "控制字符\x0b与\x00替换\ufffe"
    store.save_poll("s1", items, NOW)
    store.save_poll("s2", _items(2, source="s2", base="http://other.example/"), NOW)
    pub = Publisher(store, tmp_path / "feeds", title="政协动态", base_url="http://127.0.0.1:8080",
                    limit=4, source_names={"s1": "测试", "s2": "测试2"})
    written = pub.publish()
    all_atom = tmp_path / "feeds" / "all.atom"
    assert all_atom in written and (tmp_path / "feeds" / "source" / "s2.atom") in written
    parsed = feedparser.parse(all_atom.read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 4
    assert parsed.entries[0].title == "控制字符与替换"
    dates = [e.published for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    etree.fromstring(all_atom.read_bytes())  # well-formed XML
    # Nothing new: nothing rewritten, bytes identical.
    before = all_atom.read_bytes()
    assert pub.publish() == []
    assert all_atom.read_bytes() == before
    s2 = feedparser.parse((tmp_path / "feeds" / "source" / "s2.atom").read_bytes())
    assert {e.link for e in s2.entries} == {"http://other.example/0.html", "http://other.example/1.html"}


def test_reprint_story_is_one_whatever_the_order(tmp_path: Path, open_store) -> None:
    import itertools

    body = ("市政协召开专题协商会，围绕推进黄河流域生态保护和高质量发展协商议政。委员们结合调研实际，"
            "从加强湿地保护修复、推进水资源节约集约利用、发展沿黄特色产业等方面提出意见建议。") * 2
    title = "市政协召开专题协商会聚焦黄河流域生态保护和高质量发展"
    raws = {
        "sd": RawItem(title=title, url="http://sd.example.gov.cn/a/1.html", published=NOW, body=body),
        "agg": RawItem(title=title, url="http://agg.example.com/9.html", published=NOW,
                       body=body + "原文链接 免责声明：本文来源于网络转载，仅供学习交流使用，版权归原作者所有。",
                       original_url="http://sd.example.gov.cn/a/1.html"),
        "city": RawItem(title=title, url="http://city.example.gov.cn/3.html", published=NOW,
                        body="短讯：市政协召开专题协商会。"),
        "county": RawItem(title="黄河流域生态保护专题协商会召开（转载）", url="http://county.example.gov.cn/7.html",
                          published=NOW, body=body),
        "other": RawItem(title="市政协召开专题协商会聚焦职业教育产教融合发展", url="http://x.example.gov.cn/1.html",
                         published=NOW, body="职业教育产教融合" * 30),
    }
    for n, order in enumerate(itertools.permutations(["sd", "agg", "city", "county", "other"])):
        if n % 5:
            continue  # 24 of the 120 orders keep the test quick
        store = open_store(tmp_path / f"s{n}.db")
        store.sync_sources([(k, k, "http://x/") for k in raws])
        for key in order:
            item = normalize_item(raws[key], source_id=key, source_name=key, regions=("山东省",), now=NOW)
            store.save_poll(key, [item], NOW)
        stories = {it.link: it.story_id for it in store.items()}
        assert len({stories[raws[k].url] for k in ("sd", "agg", "city", "county")}) == 1, order
        assert stories[raws["other"].url] != stories[raws["sd"].url], order
        store.close()


def test_same_wording_under_another_title_is_another_story(tmp_path: Path, open_store) -> None:
    # Templated notices: near-identical bodies, different subjects in the titles.
    body = ("各专门委员会、各界别：为做好相关工作，现将有关事项通知如下。请各单位高度重视，认真组织，"
            "按时报送材料，确保工作取得实效。联系人：办公室，联系电话见附件。") * 3
    store = open_store(tmp_path / "z.db")
    store.sync_sources([("a", "a", "http://a/"), ("b", "b", "http://b/")])
    for key, title in (("a", "关于开展2024年度优秀提案评选工作的通知"), ("b", "关于报送社情民意信息年度统计表的通知")):
        raw = RawItem(title=title, url=f"http://{key}.example.gov.cn/1.html", published=NOW, body=body)
        store.save_poll(key, [normalize_item(raw, source_id=key, source_name=key, regions=("山东省",),
                                             now=NOW)], NOW)
    assert len({it.story_id for it in store.items()}) == 2


def test_unchanged_polls_are_kept_in_order_and_across_close(tmp_path: Path, open_store) -> None:
    store = open_store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试", "http://x/"), ("s2", "测试二", "http://y/")])
    store.record_failure("s1", NOW, "timeout", "timed out")
    store.record_unchanged("s1", NOW + timedelta(minutes=30), etag='"v1"')
    store.record_unchanged("s2", NOW + timedelta(minutes=30))
    store.record_failure("s2", NOW + timedelta(minutes=60), "network", "refused")
    s1, s2 = store.source("s1"), store.source("s2")
    assert s1.failures == 0 and s1.etag == '"v1"' and s1.state == "ok"  # the later success counts
    assert s2.failures == 1 and s2.last_poll == NOW + timedelta(minutes=60)  # the later failure wins
    store.record_unchanged("s2", NOW + timedelta(minutes=90))
    store.close()
    again = open_store(tmp_path / "z.db").source("s2")  # nothing lost by closing
    assert again.last_poll == NOW + timedelta(minutes=90) and again.failures == 0


def test_band_index_backfilled_by_migration(tmp_path: Path) -> None:
    import sqlite3

    body = ("市政协召开专题协商会，围绕推进黄河流域生态保护和高质量发展协商议政。委员们结合调研实际，"
            "从加强湿地保护修复、推进水资源节约集约利用、发展沿黄特色产业等方面提出意见建议。") * 2
    title = "市政协召开专题协商会聚焦黄河流域生态保护和高质量发展"
    store = Store(tmp_path / "z.db")
    store.sync_sources([("a", "a", "http://a/"), ("b", "b", "http://b/")])
    first = RawItem(title=title, url="http://a.example.gov.cn/1.html", published=NOW, body=body)
    store.save_poll("a", [normalize_item(first, source_id="a", source_name="a", regions=("山东省",),
                                         now=NOW)], NOW)
    store.close()
    db = sqlite3.connect(tmp_path / "z.db")  # as a store written before the band index existed
    # (columns added by later migrations go too, so that replaying them works)
    db.executescript("DROP TABLE simhash_bands; ALTER TABLE items DROP COLUMN content; "
                     "ALTER TABLE sources DROP COLUMN lease_owner; "
                     "ALTER TABLE sources DROP COLUMN lease_until; "
                     "ALTER TABLE sources DROP COLUMN list_hint; "
                     "ALTER TABLE outbox DROP COLUMN claimed_by; ALTER TABLE outbox DROP COLUMN claim_until; "
                     "PRAGMA user_version = 6;")
    db.close()
    store = Store(tmp_path / "z.db")
    # Replayed to the last version; v13 re-hashes stored bodies (SimHash v2): this item's body was
    # never stored (no content before v8), so it keeps no SimHash rather than a v1 value.
    assert [it.simhash for it in store.items()] == [None]
    copy = RawItem(title=title + "（转载）", url="http://b.example.org/9.html", published=NOW,
                   body=body + "来源：网络")
    store.save_poll("b", [normalize_item(copy, source_id="b", source_name="b", regions=("山东省",),
                                         now=NOW)], NOW)
    assert len({it.story_id for it in store.items()}) == 2  # another title, no body to compare
    assert store.database()["schema_version"] == SCHEMA_VERSION


def test_v1_simhashes_rehashed_from_stored_bodies(tmp_path: Path, open_store) -> None:
    from support.simhash import simhash_v1
    from zxfeed.normalize.reprints import MAX_DISTANCE, bands, distance, simhash

    body = ("市政协召开专题协商会，围绕推进黄河流域生态保护和高质量发展协商议政。委员们结合调研实际，"
            "从加强湿地保护修复、推进水资源节约集约利用、发展沿黄特色产业等方面提出意见建议。"
            "会议指出，要坚持生态优先、绿色发展，统筹推进山水林田湖草沙一体化保护和系统治理，"
            "加快构建现代化产业体系，让黄河成为造福人民的幸福河。市政协主席出席会议并讲话。")
    title = "市政协召开专题协商会聚焦黄河流域生态保护和高质量发展"
    path = tmp_path / "z.db"
    store = open_store(path)
    store.sync_sources([("a", "a", "http://a/"), ("b", "b", "http://b/")])
    first = RawItem(title=title, url="http://a.example.gov.cn/1.html", published=NOW, body=body,
                    content=f"<p>{body[:60]}</p>\n<p>{body[60:]}</p>", enriched=True,
                    attachments=[("http://a.example.gov.cn/f.doc", "报名表", "application/msword")])
    item = normalize_item(first, source_id="a", source_name="a", regions=("山东省",), now=NOW)
    item.content = first.content + '<p>附件：</p><ul><li><a href="http://a.example.gov.cn/f.doc">报名表</a></li></ul>'
    store.save_poll("a", [item], NOW)
    old = simhash_v1(body)
    assert old is not None and old != item.simhash
    copy_body = body + "来源：网络"
    assert distance(simhash(body), simhash(copy_body) or 0) <= MAX_DISTANCE  # a copy by its body
    # As a v12 store wrote it: the v1 value and its bands.
    db = store._pg() if store.url else store._db
    db.execute("UPDATE items SET simhash=? WHERE id=?", (old, item.id))
    db.execute("DELETE FROM simhash_bands")
    db.executemany("INSERT INTO simhash_bands (band, value, item_id) VALUES (?, ?, ?)",
                   [(b, v, item.id) for b, v in bands(old)])
    db.execute("ALTER TABLE sources DROP COLUMN list_hint")  # added after v12
    if store.url:
        db.execute_raw("UPDATE schema_version SET version = 12")
    else:
        db.execute("PRAGMA user_version = 12")
    store.close()
    store = open_store(path)
    assert [it.simhash for it in store.items()] == [simhash(body)]
    copy = RawItem(title=title + "（转载）", url="http://b.example.org/9.html", published=NOW,
                   body=copy_body)
    store.save_poll("b", [normalize_item(copy, source_id="b", source_name="b", regions=("山东省",),
                                         now=NOW)], NOW)
    assert len({it.story_id for it in store.items()}) == 1  # found through the rebuilt bands
