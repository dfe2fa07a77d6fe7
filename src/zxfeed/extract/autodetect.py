"""Find the dated link lists on a page without configuration.

An *item* is a repeated element (``li``, ``tr``, ``div``, ``p`` or a bare ``a``)
holding one title link; a *list* is a container of two or more such elements.
A list counts when most of its items carry a date (in the element, next to it,
or, failing that, in most of their URLs). Navigation, footers, banners and link
farms have no dates and drop out. Which of the qualifying lists are taken is
decided in :mod:`.blocks`.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from itertools import islice

from lxml import etree

from ..models import RawItem
from .blocks import Block, has_more, has_pager, heading, tab_label
from .dates import SHANGHAI, FoundDate, date_from_url, find_date, normalize_text
from .mainlink import anchor_text, main_anchor
from .page import Page, text_content
from .text import clean_title, completes, element_text
from .years import settle_years

MAX_CLIMB = 6
MIN_TITLE_CHARS = 4
# An item with its image, tags, comment and share widgets stays well below this many elements.
MAX_ITEM_ELEMENTS = 300
# Links side by side inside one repeated row (``[社会] 标题``) are parts of that row.
_INLINE = frozenset(("a", "span", "font", "em", "i", "b", "strong", "small", "label"))
# Links that lead to more of a list, not to an item.
_NAV_LABEL = re.compile(
    r"^[\[【(（<《]*\s*(更多|more|详细|详情|全文|阅读全文|查看更多|查看详情|下一页|上一页|首页|尾页|末页|"
    r"返回|进入|点击进入|进入专题)\s*[\]】)）>》»]*$",
    re.IGNORECASE,
)
_NOISE_TAGS = ("script", "style", "noscript", "select", "option", "textarea", "template")


@dataclass(slots=True)
class _Group:
    container: etree._Element
    records: list[etree._Element] = field(default_factory=list)


def _is_link(el: etree._Element, page: Page) -> bool:
    return el.tag == "a" and page.linkable(el.get("href"))


def _link_holders(links: list[etree._Element]) -> set[etree._Element]:
    """Every element that holds an item-able link (the links and their near ancestors)."""
    holders: set[etree._Element] = set()
    for a in links:
        node: etree._Element | None = a
        while node is not None and node not in holders:  # an ancestor held: so are all above it
            holders.add(node)
            node = node.getparent()
    return holders


def _group_anchors(page: Page) -> tuple[list[_Group], set[etree._Element]]:
    """Climb from each link to the nearest ancestor that repeats among its siblings.

    Also returns the elements holding a link whose URL carries a year (a date, perhaps).
    """
    links = [a for a in page.root.iter("a") if page.linkable(a.get("href"))]
    # Asked of every sibling of every ancestor of every link: answered once for all.
    holders = _link_holders(links)
    year_holders = _link_holders([a for a in links if _YEARISH.search(a.get("href", ""))])
    # How many children of each tag under each parent hold a link: counted once from the
    # holders, rather than each parent's children walked for every (parent, tag) asked.
    repeated: dict[tuple[etree._Element, str], int] = {}
    for held in holders:
        parent = held.getparent()
        if parent is not None and isinstance(held.tag, str):
            key = (parent, held.tag)
            repeated[key] = repeated.get(key, 0) + 1
    groups: dict[tuple[etree._Element, str], _Group] = {}
    seen: set[etree._Element] = set()
    for a in links:
        node = a
        for _ in range(MAX_CLIMB):
            parent = node.getparent()
            if parent is None or not isinstance(node.tag, str):
                break
            key = (parent, node.tag)
            if key not in repeated:
                repeated[key] = 0  # no child of this tag under this parent holds a link
            if repeated[key] >= 2 and node.tag in _INLINE and repeated[key] <= 3:
                # Repetition is judged where the blocks repeat: two links in each of 40 rows
                # are 40 items, not 40 lists of two.
                grand = parent.getparent()
                if grand is not None and isinstance(parent.tag, str):
                    up = (grand, parent.tag)
                    if up not in repeated:
                        repeated[up] = 0
                    if repeated[up] >= 3 and repeated[up] > repeated[key]:
                        node, parent, key = parent, grand, up
            if repeated[key] >= 2:
                if node not in seen:
                    seen.add(node)
                    groups.setdefault(key, _Group(parent)).records.append(node)
                break
            node = parent
    return list(groups.values()), year_holders


def _anchors_of(record: etree._Element, page: Page) -> list[etree._Element]:
    if record.tag == "a":
        return [record]
    return [a for a in record.iter("a") if _is_link(a, page)]


def _chunks_outside(record: etree._Element, main: etree._Element) -> list[str]:
    """Text pieces of ``record`` that are not inside the main link."""
    chunks: list[str] = []
    inside = set(main.iter())
    for node in record.iter():
        if not isinstance(node.tag, str) or node.tag in _NOISE_TAGS:
            if node is not record and node.tail:
                chunks.append(node.tail)
            continue
        if node not in inside and node.text:
            chunks.append(node.text)
        if node is not record and node.tail:
            chunks.append(node.tail)
    return [c for c in chunks if c.strip()]


def _best_date(chunks: list[str], now: datetime, tz: tzinfo) -> FoundDate | None:
    """The date in the chunk that is most nearly *only* a date (a summary may mention others)."""
    best: tuple[float, FoundDate] | None = None
    for chunk in chunks:
        found = find_date(chunk, now, tz)
        if found is None:
            continue
        share = (found.end - found.start) / max(1, len(normalize_text(chunk).strip()))
        if best is None or share > best[0]:
            best = (share, found)
    return best[1] if best else None


_LEADING_BRACKET_DATE = re.compile(r"^\s*([\[(【［（][\d\s./年月日-]{3,12}[\])】］）])\s*")


def _split_date_from_title(title: str, now: datetime, tz: tzinfo) -> tuple[str, FoundDate | None]:
    """``关于…的通知 2024-02-05`` → title and date, when the date stands at either end."""
    m = _LEADING_BRACKET_DATE.match(title)
    if m:
        found = find_date(m.group(1), now, tz)
        if found is not None:
            return title[m.end() :], found
    words = title.split()
    if len(words) < 2:
        return title, None
    for rest, token in ((words[:-1], words[-1]), (words[1:], words[0])):
        found = find_date(token, now, tz)
        if found is not None and found.end - found.start >= len(normalize_text(token)) - 2:
            return " ".join(rest), found
    return title, None


# A date beside an item is a few words: a bigger element between items is no date's place.
_GAP_CHARS = 80


def _small_text(el: etree._Element) -> str:
    """``el``'s text when it is short (a date, a separator), else a blank."""
    parts: list[str] = []
    size = 0
    for text in islice(el.itertext(), 12):
        parts.append(text)
        size += len(text.strip())
        if size > _GAP_CHARS:
            return " "
    return "".join(parts) if len(parts) < 12 else " "


def _gaps(group: _Group) -> tuple[dict, dict]:
    """Text between consecutive records of a group: before and after each record."""
    members = set(group.records)
    before: dict = {}
    after: dict = {}
    buffer = [group.container.text or ""]
    last = None
    for child in group.container:
        if child in members:
            if last is not None:
                after[last] = "".join(buffer)
            before[child] = "".join(buffer)
            buffer = [child.tail or ""]
            last = child
        else:
            if isinstance(child.tag, str) and child.tag not in _NOISE_TAGS:
                buffer.append(_small_text(child))
            buffer.append(child.tail or "")
    if last is not None:
        after[last] = "".join(buffer)
    return before, after


@dataclass(slots=True)
class _Row:
    title: str
    truncated: bool
    url: str
    found: FoundDate | None
    from_image: bool = False


def _row(record: etree._Element, page: Page, now: datetime, tz: tzinfo) -> _Row | None:
    if sum(1 for _ in islice(record.iter(), MAX_ITEM_ELEMENTS + 1)) > MAX_ITEM_ELEMENTS:
        return None  # a page section (header, footer, a whole column), not an item
    anchors = _anchors_of(record, page)
    main = main_anchor(anchors, record) if anchors else None
    if main is None:
        return None  # no link, or a section full of items rather than one item
    raw_title = anchor_text(main)
    found = _best_date(_chunks_outside(record, main), now, tz) if record is not main else None
    if found is None:
        raw_title, found = _split_date_from_title(raw_title, now, tz)
    title, truncated = clean_title(raw_title)
    attr_title, attr_cut = clean_title(main.get("title") or "")
    if attr_title and not attr_cut and attr_title != title and completes(attr_title, title):
        title, truncated = attr_title, False
    if len(title) < MIN_TITLE_CHARS or _NAV_LABEL.match(title):
        return None
    from_image = not element_text(main).strip()
    return _Row(title, truncated, page.resolve(main.get("href")) or "", found, from_image)


# Something like a date in the text, or a year in a link: otherwise a group cannot qualify.
_DATEISH = re.compile(r"\d{1,4}\s*[-/.年月]\s*\d{1,2}|[前昨今]天|小时前|分钟前")
_YEARISH = re.compile(r"(?<!\d)20\d{2}")


def _may_be_dated(group: _Group, year_holders: set[etree._Element]) -> bool:
    if _DATEISH.search(text_content(group.container)):
        return True
    return any(r in year_holders for r in group.records)


def _rows(group: _Group, page: Page, now: datetime, tz: tzinfo) -> list[_Row]:
    pairs = [(record, row) for record in group.records if (row := _row(record, page, now, tz)) is not None]
    rows = [row for _, row in pairs]
    # Items laid out as "link date<br>link date" carry their dates beside, not inside.
    if sum(row.found is not None for row in rows) * 2 < len(rows):
        before, after = _gaps(group)
        by_after = [_best_date([after.get(rec, "")], now, tz) for rec, _ in pairs]
        by_before = [_best_date([before.get(rec, "")], now, tz) for rec, _ in pairs]
        side = by_before if sum(map(bool, by_before)) > sum(map(bool, by_after)) else by_after
        for row, found in zip(rows, side, strict=True):
            row.found = row.found or found
    return rows


def _qualifies(rows: list[_Row], now: datetime, tz: tzinfo) -> bool:
    """A dated list: most items dated in text, or (for long titles) in their URLs."""
    if len(rows) < 2:
        return False
    dated = sum(row.found is not None for row in rows)
    if dated * 2 >= len(rows) and (len(rows) >= 3 or dated == len(rows)):
        return True
    # Undated lists count only by their URLs' dates, and only with real link text: image
    # carousels (alt text) and menus (short labels) drop out.
    if len(rows) < 3 or statistics.median(len(r.title) for r in rows) < 8:
        return False
    if sum(r.from_image for r in rows) * 2 > len(rows):
        return False
    url_dated = sum(date_from_url(r.url, now, tz) is not None for r in rows)
    return url_dated >= 0.7 * len(rows)


def detect_blocks(page: Page, now: datetime, tz: tzinfo = SHANGHAI) -> list[tuple[Block, list[RawItem]]]:
    """Every dated list on the page with its items, in page order; lists not yet chosen.

    Containers of one kind side by side under one heading (a column printed as 8
    ``<div><ul>`` of 5) are one block; hidden ones are tabs, each a block of its own.
    """
    found: dict[tuple, tuple[Block, list[RawItem]]] = {}
    groups, year_holders = _group_anchors(page)
    for group in groups:
        if not _may_be_dated(group, year_holders):
            continue  # menus, link farms: no row is worth building
        rows = _rows(group, page, now, tz)
        if not _qualifies(rows, now, tz):
            continue
        settled = settle_years([r.found for r in rows], [r.url for r in rows], now, tz)
        for row, settled_date in zip(rows, settled, strict=True):
            row.found = settled_date
        box = group.container
        title = tab_label(box) or heading(box, group.records[0])
        key = (box,) if _hidden(box) else (*_run_of(box), title)
        if key not in found:
            found[key] = (Block(title or _describe(box), [], heading=title), [])
        block, items = found[key]
        block.containers.append(box)
        block.records.append(group.records)
        for row in rows:
            item = _item(row, now, tz)
            items.append(item)
            block.urls.append(item.url)
    for block, _ in found.values():
        block.pager = any(has_pager(box) for box in block.containers)
        block.more = any(has_more(box) for box in block.containers)
    return list(found.values())


@dataclass(frozen=True, slots=True)
class Spot:
    """One container of a chosen list: its element path, the tag of its items, their number."""

    path: str  # ``/html/body/div[3]/ul``
    record: str
    count: int


@dataclass(frozen=True, slots=True)
class ListHint:
    """Where a page's chosen lists stood last time: read there first on the next poll."""

    spots: tuple[Spot, ...]

    @property
    def count(self) -> int:
        """Items the chosen lists gave (before one URL in two lists was merged)."""
        return sum(spot.count for spot in self.spots)

    def dumps(self) -> str:
        """The hint as JSON text, to be kept between processes."""
        return json.dumps([[s.path, s.record, s.count] for s in self.spots], ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> ListHint | None:
        """A hint from :meth:`dumps`; ``None`` for text that is not one (it is only a hint)."""
        try:
            return cls(tuple(Spot(str(p), str(r), int(c)) for p, r, c in json.loads(text)))
        except (ValueError, TypeError):
            return None


def hint_for(page: Page, blocks: list[Block]) -> ListHint | None:
    """Where the taken lists stood, when every one is a detected list; else ``None``.

    The lists not taken are not looked at while the hint holds: a column page's sidebar
    boxes may change without the column changing (a page that grows another list worth
    taking is seen once a remembered list shrinks or goes).
    """
    kept = [b for b in blocks if b.kept]
    if not kept or any(not b.containers for b in kept):  # lists from scripts have no place
        return None
    tree = page.root.getroottree()
    spots = []
    for b in kept:
        if len(b.records) != len(b.containers):
            return None
        for box, records in zip(b.containers, b.records, strict=True):
            if not records:
                return None
            record = str(records[0].tag)
            # Only where the plain rule (children of that tag holding a link) finds exactly
            # the items detection found: then it finds them again on the next version.
            if _records(box, record, page) != records:
                return None
            spots.append(Spot(tree.getpath(box), record, len(records)))
    return ListHint(tuple(spots))


def _records(box: etree._Element, tag: str, page: Page) -> list[etree._Element]:
    return [c for c in box if c.tag == tag and _holds_link(c, page)]


def _holds_link(record: etree._Element, page: Page) -> bool:
    return _is_link(record, page) or any(page.linkable(a.get("href")) for a in record.iter("a"))


def hinted_items(page: Page, hint: ListHint, now: datetime, tz: tzinfo = SHANGHAI
                 ) -> tuple[list[Block], list[RawItem], ListHint] | None:
    """The items of the remembered lists, or ``None`` when one is gone, changed kind or shrank.

    Only the remembered containers' rows are built: the page's other link groups are not
    looked at. Their records are their children of the remembered tag that hold an item
    link, as detection found them.
    """
    tree = page.root.getroottree()
    chunks: list[list[RawItem]] = []
    blocks: list[Block] = []
    spots: list[Spot] = []
    for spot in hint.spots:
        found = tree.xpath(spot.path)
        if len(found) != 1 or not isinstance(found[0], etree._Element):
            return None
        box = found[0]
        records = _records(box, spot.record, page)
        if len(records) < max(2, spot.count):
            return None
        rows = _rows(_Group(box, records), page, now, tz)
        if not _qualifies(rows, now, tz):
            return None
        settled = settle_years([r.found for r in rows], [r.url for r in rows], now, tz)
        for row, settled_date in zip(rows, settled, strict=True):
            row.found = settled_date
        chunk = [_item(row, now, tz) for row in rows]
        chunks.append(chunk)
        blocks.append(Block(_describe(box), [i.url for i in chunk], containers=[box]))
        spots.append(Spot(spot.path, spot.record, len(records)))
    return blocks, merge_items(chunks), ListHint(tuple(spots))


def _run_of(box: etree._Element) -> tuple:
    """The run of same-kind siblings the list (or its wrapper) stands in."""
    node = box
    for depth in range(2):
        parent = node.getparent()
        if parent is None:
            break
        if sum(1 for c in parent if c.tag == node.tag and c.get("class") == node.get("class")) >= 2:
            return parent, node.tag, node.get("class"), depth
        node = parent
    return box.getparent(), box.tag, box.get("class"), 0


def _hidden(box: etree._Element) -> bool:
    return "none" in (box.get("style") or "").replace(" ", "").lower().split("display:", 1)[-1][:5]


def _describe(box: etree._Element) -> str:
    cls = (box.get("class") or "").split()
    ident = box.get("id")
    # A container holds the links, so it is an element with a string tag, not a comment.
    return str(box.tag) + (f"#{ident}" if ident else "") + (f".{cls[0]}" if cls else "")


def _item(row: _Row, now: datetime, tz: tzinfo) -> RawItem:
    found, from_url = row.found, False
    if found is None:
        found, from_url = date_from_url(row.url, now, tz), True
    return RawItem(
        title=row.title,
        url=row.url,
        published=found.when if found else None,
        has_time=bool(found and found.has_time),
        truncated=row.truncated,
        date_from_url=from_url and found is not None,
    )


def merge_items(lists: list[list[RawItem]]) -> list[RawItem]:
    """Items of the chosen lists in page order, one per URL (see :func:`_merge`)."""
    items: dict[str, RawItem] = {}
    for chunk in lists:
        for item in chunk:
            _merge(items, item)
    return list(items.values())


def detect_items(page: Page, now: datetime, tz: tzinfo = SHANGHAI) -> list[RawItem]:
    """Items from every dated list on the page, in page order, one per URL."""
    return merge_items([items for _, items in detect_blocks(page, now, tz)])


def _merge(items: dict[str, RawItem], item: RawItem) -> None:
    """The same link in two lists (headline box and column) is one item with the best facts."""
    known = items.get(item.url)
    if known is None:
        items[item.url] = item
        return
    if (known.truncated and not item.truncated) or (len(item.title) > len(known.title) and (
        item.truncated == known.truncated
    )):
        known.title, known.truncated = item.title, item.truncated
    better_date = known.published is None or (known.date_from_url and not item.date_from_url)
    if better_date and item.published is not None:
        known.published, known.has_time = item.published, item.has_time
        known.date_from_url = item.date_from_url
