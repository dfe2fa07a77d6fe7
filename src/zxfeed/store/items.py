"""Items: one poll's results in one transaction, title/date repair, feeds' queries, retention."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import Item, SourceStateName
from .base import Connection, Row, StoreBase
from .rows import _iso, item_from_row
from .stories import assign_story, index_simhash, revisit_story

RECENT = 10


@dataclass(slots=True)
class SaveResult:
    """Items a poll added and items whose title or date it repaired."""

    new: list[Item]
    updated: list[Item]
    baseline: bool


@dataclass(frozen=True, slots=True)
class KnownItem:
    """What a poll needs to know of a stored item before its article pages are read."""

    title: str
    truncated: bool
    enriched: bool
    baseline: bool


class ItemsMixin(StoreBase):
    """Item tables of :class:`~zxfeed.store.Store`."""

    # -- items -----------------------------------------------------------------

    def _rows_by_id(self, columns: str, ids: Iterable[str]) -> list[Row]:
        """``SELECT columns FROM items`` for the rows among ``ids`` (500 ids a statement)."""
        ids = list(ids)
        rows: list[Row] = []
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(f"SELECT {columns} FROM items WHERE id IN ({marks})",
                                         chunk).fetchall()
        return rows

    def known(self, ids: Iterable[str]) -> dict[str, Item]:
        """Stored items among ``ids`` (for title-repair caching and dedupe)."""
        return {row["id"]: item_from_row(row) for row in self._rows_by_id("*", ids)}

    def known_facts(self, ids: Iterable[str]) -> dict[str, KnownItem]:
        """Title and enrichment state of the stored items among ``ids`` (no bodies read)."""
        return {row[0]: KnownItem(row[1], bool(row[2]), bool(row[3]), bool(row[4]))
                for row in self._rows_by_id("id, title, truncated, enriched, baseline", ids)}

    def save_poll(
        self,
        source_id: str,
        items: list[Item],
        now: datetime,
        *,
        state: SourceStateName = "ok",
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        encoding: str | None = None,
        warning: str | None = None,
        evidence: dict | None = None,
        list_hint: str | None = None,
    ) -> SaveResult:
        """Store one poll's items and the source's new state in a single transaction.

        ``list_hint`` replaces the source's remembered list position (``None`` forgets it).
        """
        new: list[Item] = []
        updated: list[Item] = []
        stamp = _iso(now)
        with self._transaction() as db:
            row = db.execute("SELECT baseline_at, recent_counts FROM sources WHERE id=?",
                             (source_id,)).fetchone()
            baseline = row is None or row["baseline_at"] is None
            recent = json.loads(row["recent_counts"]) if row else []
            if items:
                recent = [*recent, len(items)][-RECENT:]
            marks = ",".join("?" * len(items))
            # Pruned items stay pruned: a page still listing them must not announce them again.
            gone = {r[0] for r in db.execute(f"SELECT id FROM tombstones WHERE id IN ({marks})",
                                             [it.id for it in items])} if items else set()
            items = [it for it in items if it.id not in gone]
            known = {
                r["id"]: r
                for r in db.execute(
                    f"SELECT id, title, truncated, published, date_from_url, enriched FROM items "
                    f"WHERE id IN ({','.join('?' * len(items))})",
                    [it.id for it in items],
                )
            } if items else {}
            for it in items:
                old = known.get(it.id)
                if old is None:
                    self._insert(db, it, baseline)
                    new.append(it)
                elif self._improve(db, it, old, stamp):
                    updated.append(it)
            # After every item's own rows (and any date repair), as each one's did before.
            db.executemany(
                "INSERT OR IGNORE INTO item_sources (item_id, source_id, first_seen, sort_time) "
                "VALUES (?, ?, ?, (SELECT sort_time FROM items WHERE id = ?))",
                [(it.id, source_id, stamp, it.id) for it in items],
            )
            db.execute(
                # A page whose list is broken loaded, but it was no success: keep the last one.
                "UPDATE sources SET last_poll=?, last_success=CASE WHEN ? IN ('broken', 'blocked') "
                "THEN last_success ELSE ? END, failures=0, polls=polls+1, "
                "next_poll=NULL, state_since=CASE WHEN state=? THEN state_since ELSE ? END, "
                "state=?, etag=?, last_modified=?, body_hash=?, encoding=COALESCE(?, encoding), "
                "items_last=?, last_error=?, last_error_kind=?, recent_counts=?, "
                "evidence=COALESCE(?, evidence), baseline_at=COALESCE(baseline_at, ?), list_hint=? "
                "WHERE id=?",
                # The baseline is the first poll that found items: an empty or broken first
                # page must not turn the whole list into "new" once it is fixed.
                (stamp, state, stamp, state, stamp, state, etag, last_modified, body_hash, encoding,
                 len(items) + len(gone), warning, state if warning else None, json.dumps(recent),
                 json.dumps(evidence, ensure_ascii=False) if evidence else None,
                 stamp if items else None, list_hint, source_id),
            )
        return SaveResult(new=new, updated=updated, baseline=baseline)

    @staticmethod
    def _insert(db: Connection, it: Item, baseline: bool) -> None:
        published = _iso(it.published)
        it.baseline = baseline
        it.story_id = assign_story(db, it)
        db.execute(
            "INSERT INTO items (id, url, link, title, truncated, published, has_time, "
            "date_from_url, sort_time, source_id, source_name, regions, summary, first_seen, "
            "updated, baseline, notified, author, origin, original_url, attachments, simhash, "
            "title_key, story_id, enriched, original_id, content) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (it.id, it.url, it.link, it.title, int(it.truncated), published, int(it.has_time),
             int(it.date_from_url), published or _iso(it.first_seen),
             it.source_id, it.source_name, json.dumps(list(it.regions), ensure_ascii=False),
             it.summary, _iso(it.first_seen), _iso(it.updated), int(baseline), int(baseline),
             it.author, it.origin, it.original_url,
             json.dumps([list(a) for a in it.attachments], ensure_ascii=False), it.simhash,
             it.title_key, it.story_id, int(it.enriched), it.original_id, it.content),
        )
        if it.simhash is not None:
            index_simhash(db, it.id, it.simhash)
        db.executemany(
            "INSERT OR IGNORE INTO item_regions (region, item_id, sort_time) VALUES (?, ?, ?)",
            [(r, it.id, published or _iso(it.first_seen)) for r in it.regions],
        )

    @staticmethod
    def _improve(db: Connection, it: Item, old: Row, stamp: str | None) -> bool:
        """Repair a stored item from a better sighting: a full title, a real date, its article."""
        changed = False
        if it.enriched and not old["enriched"]:
            db.execute(
                "UPDATE items SET summary=COALESCE(?, summary), author=?, origin=?, "
                "original_url=?, original_id=?, attachments=?, simhash=?, enriched=1, updated=?, "
                "content=COALESCE(?, content) WHERE id=?",
                (it.summary, it.author, it.origin, it.original_url, it.original_id,
                 json.dumps([list(a) for a in it.attachments], ensure_ascii=False), it.simhash,
                 stamp, it.content, it.id))
            index_simhash(db, it.id, it.simhash)
            revisit_story(db, it)
            changed = True
        if old["truncated"] and not it.truncated and it.title != old["title"]:
            db.execute("UPDATE items SET title=?, title_key=?, truncated=0, updated=? WHERE id=?",
                       (it.title, it.title_key, stamp, it.id))
            # The full title may name a story the cut one could not.
            db.execute("UPDATE items SET story_id=? WHERE id=?", (assign_story(db, it), it.id))
            changed = True
        better_date = it.published is not None and not it.date_from_url and (
            old["published"] is None or old["date_from_url"]
        )
        if better_date and _iso(it.published) != old["published"]:
            published = _iso(it.published)
            db.execute(
                "UPDATE items SET published=?, sort_time=?, has_time=?, date_from_url=0, "
                "updated=? WHERE id=?",
                (published, published, int(it.has_time), stamp, it.id),
            )
            for table in ("item_regions", "item_sources"):
                db.execute(f"UPDATE {table} SET sort_time=? WHERE item_id=?", (published, it.id))
            changed = True
        return changed

    def save_articles(self, items: list[Item], now: datetime) -> list[Item]:
        """Store what article pages said about already stored items (background enrichment)."""
        changed = []
        with self._transaction() as db:
            for it in items:
                old = db.execute("SELECT id, title, truncated, published, date_from_url, enriched "
                                 "FROM items WHERE id=?", (it.id,)).fetchone()
                if old is not None and self._improve(db, it, old, _iso(now)):
                    changed.append(it)
        return changed

    def prune(self, before: datetime, now: datetime) -> int:
        """Delete items first seen and dated before ``before``; remember their ids forever."""
        cutoff = _iso(before)
        with self._transaction() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM items WHERE first_seen < ? AND sort_time < ?", (cutoff, cutoff))]
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                db.executemany("INSERT OR IGNORE INTO tombstones (id, pruned_at) VALUES (?, ?)",
                               [(x, _iso(now)) for x in chunk])
                for table, col in (("items", "id"), ("item_sources", "item_id"),
                                   ("item_regions", "item_id"), ("deliveries", "item_id"),
                                   ("simhash_bands", "item_id")):
                    db.execute(f"DELETE FROM {table} WHERE {col} IN ({marks})", chunk)
            # Sent mail is kept a month for the record, then dropped.
            db.execute("DELETE FROM outbox WHERE status='sent' AND sent_at < ?",
                       (_iso(now - timedelta(days=30)),))
        return len(ids)

    def items(self, *, region: str | None = None, source_id: str | None = None,
              limit: int = 200) -> list[Item]:
        """Stored items, newest first; all, or one region's, or one source's."""
        sql = "SELECT items.* FROM items"
        args: list[object] = []
        if region is not None or source_id is not None:
            table, column, key = (("item_regions", "region", region) if region is not None
                                  else ("item_sources", "source_id", source_id))
            # Newest N from the (key, sort_time) index first, then only those rows.
            sql += (f" JOIN (SELECT item_id FROM {table} WHERE {column} = ? "
                    "ORDER BY sort_time DESC, item_id LIMIT ?) pick ON pick.item_id = items.id")
            args += [key, limit]
            if region is not None and source_id is not None:
                sql += " JOIN item_sources s ON s.item_id = items.id AND s.source_id = ?"
                args.append(source_id)
        sql += " ORDER BY sort_time DESC, first_seen DESC, id LIMIT ?"
        args.append(limit)
        with self._lock:
            return [item_from_row(r) for r in self._db.execute(sql, args)]

    def regions(self) -> list[str]:
        """Every region key that has items."""
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT DISTINCT region FROM item_regions ORDER BY region")]

    def item_count(self) -> int:
        """How many items are stored."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0]

    def fingerprint(self) -> str:
        """Changes whenever any stored item is added or repaired (cheap "anything new?" check)."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*), MAX(updated) FROM items").fetchone()
        return f"{row[0]}:{row[1]}"

    item_from_row = staticmethod(item_from_row)

    def changed_since(self, since: datetime) -> list[tuple[str, str, list[str], tuple[str, ...]]]:
        """(id, updated, sources listing it, regions) of items added or repaired from ``since`` on.

        Other nodes' polls show up here: on PostgreSQL each node republishes the feeds of
        what any node stored.
        """
        rows = self._query(
            "SELECT items.id, items.updated, items.regions, s.source_id FROM items "
            "LEFT JOIN item_sources s ON s.item_id = items.id WHERE items.updated >= ?",
            (_iso(since),))
        found: dict[tuple[str, str], tuple[list[str], tuple[str, ...]]] = {}
        for r in rows:
            entry = found.setdefault((r[0], r[1]), ([], tuple(json.loads(r[2]))))
            if r[3] is not None:
                entry[0].append(r[3])
        return [(i, u, srcs, regions) for (i, u), (srcs, regions) in found.items()]

    def unenriched(self, source_ids: list[str], limit: int) -> list[Item]:
        """Items of these sources whose article was not read yet, newest sources first."""
        marks = ",".join("?" * len(source_ids))
        rows = self._query(
            f"SELECT items.* FROM items JOIN sources ON sources.id = items.source_id "
            f"WHERE items.enriched = 0 AND items.source_id IN ({marks}) "
            "ORDER BY sources.baseline_at DESC, items.sort_time DESC LIMIT ?",
            [*source_ids, limit])
        return [item_from_row(r) for r in rows]

    def filtered_items(self, regions: Iterable[str], sources: Iterable[str] | None,
                       words: Iterable[str], limit: int) -> list[Item]:
        """Newest items in every one of ``regions``, from any of ``sources``, holding all ``words``."""
        sql = ["SELECT items.* FROM items"]
        args: list[object] = []
        for i, region in enumerate(regions):
            sql.append(f"JOIN item_regions r{i} ON r{i}.item_id = items.id AND r{i}.region = ?")
            args.append(region)
        where = []
        if sources is not None:
            allowed = sorted(sources)
            marks = ",".join("?" * len(allowed))
            where.append("EXISTS (SELECT 1 FROM item_sources s WHERE s.item_id = items.id "
                         f"AND s.source_id IN ({marks}))")
            args += allowed
        for word in words:
            where.append("(items.title LIKE ? ESCAPE '\\' OR items.summary LIKE ? ESCAPE '\\')")
            args += [_like(word), _like(word)]
        if where:
            sql.append("WHERE " + " AND ".join(where))
        sql.append("ORDER BY items.sort_time DESC, items.first_seen DESC, items.id LIMIT ?")
        args.append(limit)
        return [item_from_row(r) for r in self._query(" ".join(sql), args)]

    def archive_after(self, after: int, size: int, region: str | None = None,
                      source_id: str | None = None) -> list[tuple[int, Item]]:
        """Up to ``size`` items of a feed's archive stored after ``after``, oldest first, with
        their position in storage order (``rowid``: append-only)."""
        where, args = _scope(region, source_id)
        if region is not None or source_id is not None:
            # The feed's rowids first, from the covering indexes; then only those rows (item
            # rows are wide: reading every row of a big region to sort them cost 3x more).
            where = (f"items WHERE items.rowid IN (SELECT items.rowid FROM {where} "
                     "AND items.rowid > ? ORDER BY items.rowid LIMIT ?)")
            args = [*args, after, size]
        else:
            where, args = f"{where} AND items.rowid > ?", [*args, after]
        rows = self._query(f"SELECT items.rowid AS archive_seq, items.* FROM {where} "
                           "ORDER BY items.rowid LIMIT ?", [*args, size])
        return [(r["archive_seq"], item_from_row(r)) for r in rows]

    def archive_count_after(self, after: int, region: str | None = None,
                            source_id: str | None = None, upto: int | None = None) -> int:
        """How many items of a feed's archive were stored after ``after`` (a ``rowid``), up to
        ``upto`` when given (a region's or source's from its index alone)."""
        where, args = _scope(region, source_id)
        where, args = f"{where} AND items.rowid > ?", [*args, after]
        if upto is not None:
            where, args = f"{where} AND items.rowid <= ?", [*args, upto]
        return self._query(f"SELECT COUNT(*) FROM {where}", args)[0][0]

    def archive_seq(self, offset: int, region: str | None = None,
                    source_id: str | None = None) -> int | None:
        """The ``rowid`` of a feed's archive item number ``offset`` (0: the first stored)."""
        where, args = _scope(region, source_id)
        rows = self._query(f"SELECT items.rowid FROM {where} ORDER BY items.rowid LIMIT 1 OFFSET ?",
                           [*args, offset])
        return rows[0][0] if rows else None

    def archive_newest(self) -> int | None:
        """The newest item's ``rowid`` on SQLite (one index step); ``None`` on PostgreSQL, whose
        ``rowid`` column has no index (counts there start from a feed's newest page each time)."""
        if self.url:
            return None
        return self._query("SELECT MAX(rowid) FROM items")[0][0] or 0


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scope(region: str | None, source_id: str | None) -> tuple[str, list[object]]:
    """FROM/WHERE of a feed's items (stories once, in the merged feed)."""
    if region is not None:
        return ("item_regions k JOIN items ON items.id = k.item_id WHERE k.region = ?", [region])
    if source_id is not None:
        return ("item_sources k JOIN items ON items.id = k.item_id WHERE k.source_id = ?",
                [source_id])
    # A story's first stored copy stands for it, whichever copy heads it later.
    return ("items WHERE (items.story_id IS NULL OR items.story_id = items.id)", [])
