"""Strictly valid feeds: RFC 4287 RELAX NG (jing), JSON Feed 1.1 schema, RSS 2.0 structure, dates."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import feedparser
import jsonschema
import pytest
from lxml import etree

from conftest import write_config, zxfeed
from support.pages import dated_items, serve_site
from support.validators import SCHEMAS, jing
from support.webserver import TestWeb

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory, web: TestWeb) -> Path:
    """A store after a baseline and a poll with one new, read article; one source empty."""
    tmp = tmp_path_factory.mktemp("valid")
    site = "valid-a"
    items = dated_items(4)
    serve_site(web, site, items[1:])
    web.set("/valid-empty/list.html", "<html><body><p>暂无信息</p></body></html>")
    cfg = write_config(tmp, f"""
        [[sources]]
        id = "{site}"
        name = "测试政协 · 工作动态"
        url = "{web.url(f'/{site}/list.html')}"
        region = "山东省"
        city = "济南市"
        [[sources]]
        id = "valid-empty"
        name = "空来源"
        url = "{web.url('/valid-empty/list.html')}"
        region = "河南省"
        """)
    assert zxfeed("poll", config=cfg).returncode == 0
    serve_site(web, site, items)
    assert zxfeed("poll", config=cfg).returncode == 0
    return tmp / "data" / "feeds"


def test_every_atom_feed_passes_the_rfc4287_schema(feeds: Path) -> None:
    files = sorted(feeds.rglob("*.atom"))
    assert {f.name for f in files} >= {"all.atom", "valid-a.atom", "valid-empty.atom", "山东省.atom"}
    done = jing(*files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_rejects_an_entry_without_id(feeds: Path, tmp_path: Path) -> None:
    """The schema really checks: the same feed with one entry's id removed fails."""
    root = etree.fromstring((feeds / "all.atom").read_bytes())
    entry = root.find(f"{A}entry")
    entry.remove(entry.find(f"{A}id"))
    broken = tmp_path / "broken.atom"
    broken.write_bytes(etree.tostring(root))
    assert jing(broken).returncode != 0


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_dates_tell_the_truth(feeds: Path) -> None:
    for file in feeds.rglob("*.atom"):
        root = etree.fromstring(file.read_bytes())
        updated = _when(root.findtext(f"{A}updated"))
        assert updated.year > 2000, file  # an empty feed makes up no date
        seen = set()
        for entry in root.iter(f"{A}entry"):
            when = _when(entry.findtext(f"{A}updated"))
            assert when <= updated, file
            assert when not in seen, file  # readers take equal updated values as one entry
            seen.add(when)
            published = entry.findtext(f"{A}published")
            if published:
                assert _when(published) <= when
            # Every entry has text.
            assert (entry.findtext(f"{A}summary") or "").strip() or entry.find(f"{A}content") is not None
    # Baseline items unchanged since: updated is the publish time, not our first poll.
    root = etree.fromstring((feeds / "source/valid-a.atom").read_bytes())
    old = root.findall(f"{A}entry")[-1]
    assert old.findtext(f"{A}published") == old.findtext(f"{A}updated")
    assert _when(old.findtext(f"{A}updated")).date() < datetime.now().date()
    empty = etree.fromstring((feeds / "source/valid-empty.atom").read_bytes())
    assert empty.find(f"{A}entry") is None


def test_json_feed_matches_the_1_1_schema_and_the_atom_entries(feeds: Path) -> None:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for file in feeds.rglob("*.json"):
        doc = json.loads(file.read_bytes())
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, (file, errors[0].message)
        for item in doc["items"]:
            _when(item["date_modified"])
        atom = feedparser.parse(file.with_suffix(".atom").read_bytes())
        assert [i["id"] for i in doc["items"]] == [e.id for e in atom.entries]
        assert unquote(doc["feed_url"]).endswith("/feeds/" + file.relative_to(feeds).as_posix())


def test_rss_is_rss_2_0_with_the_same_items(feeds: Path) -> None:
    for file in feeds.rglob("*.rss"):
        data = file.read_bytes()
        parsed = feedparser.parse(data)
        assert parsed.version == "rss20" and not parsed.bozo, file
        root = etree.fromstring(data)
        channel = root.find("channel")
        for child in ("title", "link", "description"):
            assert channel.findtext(child), (file, child)
        atom = feedparser.parse(file.with_suffix(".atom").read_bytes())
        assert [e.id for e in parsed.entries] == [e.id for e in atom.entries]
        for item in channel.iter("item"):
            assert item.find("guid").get("isPermaLink") == "false"
            assert item.findtext("description")
