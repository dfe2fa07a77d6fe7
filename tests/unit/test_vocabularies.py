"""Flags and kinds are typed: a stored "0" reads as False, a failure's kind is not parsed from its text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zxfeed.models import POLL_STATUSES, SOURCE_STATES, RawItem
from zxfeed.normalize.items import normalize_item
from zxfeed.poll.source import PollResult
from zxfeed.store import Store
from zxfeed.web.metrics import Metrics

NOW = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)


def _item(url: str, published: datetime | None = None, date_from_url: bool = False):
    raw = RawItem(title="政协委员深入社区开展协商议事活动", url=url, published=published,
                  date_from_url=date_from_url)
    return normalize_item(raw, source_id="s1", source_name="测试政协", regions=("山东省",), now=NOW)


def test_flags_read_back_from_the_store_are_booleans(tmp_path: Path) -> None:
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试", "http://x/")])
    store.save_poll("s1", [_item("http://zx.example.gov.cn/2024/0301/a.html", NOW, True),
                           _item("http://zx.example.gov.cn/b.html", NOW)], NOW)
    store.save_poll("s1", [_item("http://zx.example.gov.cn/c.html", NOW)], NOW + timedelta(hours=1))
    by_url = {it.url.rsplit("/", 1)[1]: it for it in Store(tmp_path / "z.db").items()}
    assert by_url["a.html"].date_from_url is True and by_url["b.html"].date_from_url is False
    assert by_url["a.html"].baseline is True and by_url["c.html"].baseline is False


def test_a_stored_item_without_a_url_date_takes_a_real_date(tmp_path: Path) -> None:
    """An item read back from the store (date_from_url stored as 0) can still get its date repaired."""
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试", "http://x/")])
    store.save_poll("s1", [_item("http://zx.example.gov.cn/d.html")], NOW)
    (stored,) = store.items()
    assert stored.published is None
    dated = NOW - timedelta(days=2)
    changed = store.save_articles([replace(stored, published=dated, has_time=True, enriched=True)],
                                  NOW + timedelta(hours=1))
    assert len(changed) == 1
    (item,) = Store(tmp_path / "z.db").items()
    assert item.published == dated and item.date_from_url is False


def test_failure_metrics_count_the_kind_not_the_message(tmp_path: Path) -> None:
    metrics = Metrics(Store(tmp_path / "z.db"))
    metrics.observe(PollResult("s1", "failed", "failing", error="HTTP 503: Service Unavailable",
                               error_kind="http"))
    text = metrics.render().decode()
    assert 'zxfeed_poll_failures_total{kind="http"} 1.0' in text
    assert "HTTP 503" not in text


def test_vocabularies_are_declared_once() -> None:
    assert set(SOURCE_STATES) == {"new", "ok", "degraded", "broken", "blocked", "failing"}
    assert set(POLL_STATUSES) == {"ok", "unchanged", "failed", "aborted"}
