"""The status page at ``/``: every source's health, filterable, in the operator's language and zone.

Filtering, search and sorting happen here (query parameters), so the page works
without JavaScript; the template autoescapes everything a site or a config wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import parse_qs, quote, urlencode
from zoneinfo import ZoneInfo

import jinja2

from ..config.settings import Config
from ..models import SourceStateName
from ..normalize.items import region_keys
from ..publish.publisher import feed_filename
from ..store import SourceState, Store

STATES: tuple[SourceStateName, ...] = ("failing", "blocked", "broken", "degraded", "new", "ok")  # worst first
PAGE_ROWS = 500  # a phone should not load 3,000 cards; ?all=1 shows every match
SORTS = ("state", "id", "name", "region", "last_success", "failures", "items", "next_poll")



class Words(TypedDict):
    """The page's text in one language (the template reads it as ``t``)."""

    lang: str
    colon: str
    title: str
    n_sources: str
    n_items: str
    all_states: str
    all_regions: str
    search: str
    filter: str
    sort: str
    reset: str
    merged: str
    times: str
    shown: str
    of: str
    none: str
    more: str
    show_all: str
    col: dict[str, str]
    sort_by: dict[str, str]
    state: dict[str, str]
    evidence: str
    feed: str
    never: str
    kind: dict[str, str]  # an error kind (or ``http-blocked``, ``other``) -> what it means


TEXT: dict[str, Words] = {
    "zh": {
        "lang": "zh-CN", "colon": "：", "title": "运行状态", "n_sources": "个来源", "n_items": "条信息",
        "all_states": "全部状态", "all_regions": "全部地区", "search": "搜索名称、编号、网址或错误",
        "filter": "筛选", "sort": "排序", "reset": "清除", "merged": "合并订阅源",
        "times": "时间均为", "shown": "显示", "of": "/", "none": "没有符合条件的来源。",
        "more": "条件内还有更多来源：缩小筛选范围，或", "show_all": "显示全部",
        "col": {"source": "来源", "state": "状态", "region": "地区", "stored": "条目（库中 / 上次）",
                "last_success": "上次成功", "failures": "连续失败", "next_poll": "下次抓取",
                "problem": "问题", "feeds": "订阅源"},
        "sort_by": {"state": "状态（问题在前）", "id": "编号", "name": "名称", "region": "地区",
                    "last_success": "上次成功", "failures": "连续失败", "items": "条目数",
                    "next_poll": "下次抓取"},
        "state": {"ok": "正常", "degraded": "有损失", "broken": "列表失效", "blocked": "被拒绝",
                  "failing": "无法访问", "new": "尚未抓取"},
        "evidence": "当时的页面", "feed": "本来源", "never": "从未",
        "kind": {
            "timeout": "网站在限定时间内没有回应（超时）。",
            "network": "连不上网站：域名无法解析、连接被拒绝或网络中断。",
            "invalid-url": "地址无效，或被重定向到了非 HTTP 地址。",
            "too-large": "页面超过了大小上限（[fetch] max_bytes）。",
            "redirects": "重定向次数过多（可能是重定向循环）。",
            "robots": "网站的 robots.txt 不允许抓取这个页面。",
            "tls": "HTTPS 证书验证失败。",
            "http": "网站返回了错误状态。",
            "http-blocked": "网站拒绝了访问（403/412 或反爬虫验证页）。",
            "blocked": "网站返回了反爬虫验证页，而不是列表。",
            "broken": "页面能打开，但条目列表不见了或残缺不全。",
            "degraded": "可以抓取，但有损失。",
            "other": "抓取失败。",
        },
    },
    "en": {
        "lang": "en", "colon": ": ", "title": "Status", "n_sources": "sources", "n_items": "items",
        "all_states": "All states", "all_regions": "All regions",
        "search": "Search name, id, address or error", "filter": "Filter", "sort": "Sort",
        "reset": "Clear", "merged": "Merged feed", "times": "Times in", "shown": "Showing",
        "of": "of", "none": "No source matches.",
        "more": "More sources match: narrow the filter, or", "show_all": "show them all",
        "col": {"source": "Source", "state": "State", "region": "Region",
                "stored": "Items (stored / last poll)", "last_success": "Last success",
                "failures": "Failures in a row", "next_poll": "Next poll", "problem": "Problem",
                "feeds": "Feeds"},
        "sort_by": {"state": "State (problems first)", "id": "Id", "name": "Name",
                    "region": "Region", "last_success": "Last success", "failures": "Failures",
                    "items": "Items", "next_poll": "Next poll"},
        "state": {"ok": "ok", "degraded": "degraded", "broken": "broken", "blocked": "blocked",
                  "failing": "failing", "new": "new"},
        "evidence": "page as seen", "feed": "this source", "never": "never",
        "kind": {
            "timeout": "The site did not answer in time.",
            "network": "Could not reach the site: name not found, connection refused or cut.",
            "invalid-url": "Invalid address, or a redirect to a non-HTTP address.",
            "too-large": "The page is larger than [fetch] max_bytes.",
            "redirects": "Too many redirects (probably a loop).",
            "robots": "The site's robots.txt does not allow this page.",
            "tls": "The HTTPS certificate could not be verified.",
            "http": "The site answered with an error status.",
            "http-blocked": "The site refused us (403/412 or an anti-bot page).",
            "blocked": "The site sent an anti-bot challenge instead of the list.",
            "broken": "The page loads, but its list is gone or mangled.",
            "degraded": "Works, with losses.",
            "other": "The poll failed.",
        },
    },
}

_env = jinja2.Environment(loader=jinja2.PackageLoader("zxfeed", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)


@dataclass(slots=True)
class Row:
    """One source as the page shows it."""

    id: str
    name: str
    state: SourceStateName
    region: str
    place: str
    url: str
    items: int
    items_last: int | None
    failures: int
    last_success: datetime | None
    next_poll: datetime | None
    problem: str | None
    detail: str | None
    evidence: str | None
    feed: str
    region_feeds: list[tuple[str, str]]
    keys: tuple[str, ...] = ()  # province, city, district: what ?region= matches


def _feed_url(kind: str, key: str) -> str:
    return f"/feeds/{kind}/{quote(feed_filename(key))}.atom"


def _problem(st: SourceState | None, words: dict[str, str]) -> tuple[str | None, str | None]:
    if st is None or not st.last_error or st.state == "ok":
        return None, None
    kind: str = st.last_error_kind or "other"
    if kind == "http" and st.state == "blocked":
        kind = "http-blocked"
    return words.get(kind, words["other"]), st.last_error


def _evidence(st: SourceState | None) -> str | None:
    page = (st.evidence or {}).get("page") if st else None
    if not page or st is None or st.state not in ("broken", "blocked"):
        return None
    return f"/evidence/{quote(st.id)}/{quote(Path(str(page)).name)}"


def rows(cfg: Config, store: Store, next_runs: dict[str, datetime], lang: str) -> list[Row]:
    """Every configured source (and pages found by ``discover``) with its stored state."""
    states = {s.id: s for s in store.sources()}
    stored = store.source_names()
    configured = {s.id: s for s in cfg.sources}
    words = TEXT[lang]["kind"]
    with_items = set(store.regions())  # a region without items has no feed yet

    def region_feeds(keys: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(k, _feed_url("region", k)) for k in keys if k in with_items]

    out = []
    for sid, st in sorted(states.items()):
        base = configured.get(sid) or configured.get(sid.split("--")[0])
        if base is None or (sid not in configured and not base.discover):
            continue  # removed from the config: no longer polled, not shown
        name, url = (base.name, base.url) if sid in configured else stored[sid]
        places = region_keys(base.region, base.city, base.district)
        problem, detail = _problem(st, words)
        out.append(Row(
            id=sid, name=name, state=st.state if st.polls else "new", region=base.region,
            place=" · ".join(dict.fromkeys(p for p in (base.region, base.city, base.district)
                                           if p)),
            url=url, items=st.item_count,
            items_last=st.items_last, failures=st.failures, last_success=st.last_success,
            next_poll=st.next_poll or next_runs.get(sid), problem=problem, detail=detail,
            evidence=_evidence(st), feed=_feed_url("source", sid),
            region_feeds=region_feeds(places), keys=places,
        ))
    for sid, src in configured.items():
        if sid not in states:  # configured, not yet synced to the store
            places = region_keys(src.region, src.city, src.district)
            out.append(Row(sid, src.name, "new", src.region, src.region, src.url, 0, None, 0,
                           None, next_runs.get(sid), None, None, None, _feed_url("source", sid),
                           region_feeds(places), places))
    return out


def _sort_key(sort: str) -> Callable[[Row], Any]:
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    keys = {
        "state": lambda r: (STATES.index(r.state) if r.state in STATES else 0, r.id),
        "id": lambda r: r.id, "name": lambda r: (r.name, r.id),
        "region": lambda r: (r.region, r.place, r.id),
        "last_success": lambda r: (r.last_success or far.replace(year=1), r.id),
        "failures": lambda r: (-r.failures, r.id), "items": lambda r: (-r.items, r.id),
        "next_poll": lambda r: (r.next_poll or far, r.id),
    }
    return keys[sort]


def render_status(cfg: Config, store: Store, next_runs: dict[str, datetime],
                  query: str = "", now: datetime | None = None,
                  notices: list[str] | None = None) -> str:
    """The whole page for one request (``query``: the URL's query string).

    ``notices``: plain-text lines about zxfeed itself (mail stopped, …), shown first."""
    lang = cfg.server.language
    words = TEXT[lang]
    zone = cfg.zone
    params = {k: v[0].strip() for k, v in parse_qs(query).items() if v}
    state = params.get("state", "") if params.get("state") in STATES else ""
    region = params.get("region", "")
    q = params.get("q", "")
    sort = params.get("sort", "state") if params.get("sort") in SORTS else "state"
    everything = rows(cfg, store, next_runs, lang)
    counts = {s: 0 for s in STATES}
    for r in everything:
        counts[r.state] = counts.get(r.state, 0) + 1
    regions = sorted({r.region for r in everything})
    needle = q.lower()
    shown = [r for r in everything
             if (not state or r.state == state) and (not region or region in r.keys)
             and (not needle or any(needle in (x or "").lower()
                                    for x in (r.id, r.name, r.url, r.place, r.detail)))]
    shown.sort(key=_sort_key(sort))
    matches = len(shown)
    if not params.get("all"):
        shown = shown[:PAGE_ROWS]

    def when(dt: datetime | None) -> str:
        return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M") if dt else "—"

    def link(**change: str) -> str:
        merged = {"state": state, "region": region, "q": q, "sort": sort, "all": "", **change}
        return "/?" + urlencode({k: v for k, v in merged.items()
                                 if v and not (k == "sort" and v == "state")})

    offset = (now or datetime.now(zone)).astimezone(zone).strftime("%z")
    return _env.get_template("status.html").render(
        t=words, cfg=cfg, rows=shown, total=len(everything), matches=matches, counts=counts,
        states=STATES,
        regions=regions, state=state, region=region, q=q, sort=sort, sorts=SORTS, when=when,
        iso=lambda dt: dt.astimezone(zone).isoformat(timespec="minutes") if dt else "",
        link=link, zone=f"{cfg.schedule.timezone} (UTC{offset[:3]}:{offset[3:]})",
        item_count=store.item_count(), notices=notices or [],
    )
