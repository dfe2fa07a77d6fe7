"""Store stage: SQLite (WAL) holding sources' poll state and items keyed by canonical URL.

Each poll's results commit in one transaction, so a kill at any moment leaves
either the whole poll or none of it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from .files import private_dir, private_file
from .models import Item
from .reprints import assign_story, index_simhash, revisit_story
from .schema import migrate
from .store_errors import StoreWriteError, damaged, is_corrupt, is_write_failure, write_failed

RECENT = 10
PENDING_MAX = 500  # unchanged polls held before they are written anyway


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@lru_cache(maxsize=4096)
def _regions(text: str) -> tuple[str, ...]:
    # Feeds read thousands of rows whose few distinct region lists repeat.
    return tuple(json.loads(text))


def _attachments(text: str | None) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(a) for a in json.loads(text)) if text and text != "[]" else ()


@dataclass(slots=True)
class SourceState:
    """What the store remembers about a source between polls."""

    id: str
    state: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    encoding: str | None
    last_poll: datetime | None
    last_success: datetime | None
    last_error: str | None
    last_error_kind: str | None
    failures: int
    items_last: int | None
    polls: int
    baseline_at: datetime | None
    item_count: int = 0
    state_since: datetime | None = None
    recent_counts: list[int] = field(default_factory=list)
    evidence: dict | None = None
    next_poll: datetime | None = None
    last_error_at: datetime | None = None
    operator_state: str | None = None


@dataclass(slots=True)
class SaveResult:
    """Items a poll added and items whose title or date it repaired."""

    new: list[Item]
    updated: list[Item]
    baseline: bool


class Store:
    """One SQLite file; safe to share between threads (writes are serialized)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        private_dir(self.path.parent)
        # SQLite gives the -wal and -shm files the database file's mode.
        for file in (self.path, *(Path(f"{self.path}{s}") for s in ("-wal", "-shm"))):
            if file == self.path or file.exists():
                private_file(file)
        self._lock = threading.RLock()
        self._pending: list[tuple[str | None, str | None, str | None, str]] = []
        self._pending_lock = threading.Lock()
        # Why the last write failed (disk full, read-only), until one succeeds again.
        self.write_failure: str | None = None
        self._probed_at = float("-inf")
        try:
            self._db = sqlite3.connect(
                self.path, timeout=30, check_same_thread=False, isolation_level=None
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    def _migrate(self) -> None:
        with self._lock:
            migrate(self._db)

    def query(self, sql: str, args: Iterable[object] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query."""
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``with store.transaction() as db:`` — one BEGIN IMMEDIATE … COMMIT, serialized."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise self._failed(exc) from None
            try:
                # Earlier unchanged polls first, so that what this transaction writes wins.
                self._write_pending(self._db)
                yield self._db
            except BaseException as exc:
                with suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, StoreWriteError):
                    raise self._failed(exc) from None
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise self._failed(exc) from None
            self.write_failure = None

    def _failed(self, exc: sqlite3.DatabaseError) -> Exception:
        """The exception to raise for a failed statement: damaged, unwritable, or as it was."""
        if is_write_failure(exc):
            error = write_failed(self.path, exc)
            self.write_failure = str(error)
            return error
        if is_corrupt(exc):
            return damaged(self.path, exc)
        return exc

    def writable(self) -> bool:
        """Whether a write reaches the file right now (a real one: a full disk fails it)."""
        self._probed_at = time.monotonic()
        try:
            with self.transaction() as db:
                db.execute("INSERT OR REPLACE INTO store_probe (id, at) VALUES (1, ?)",
                           (_iso(datetime.now(UTC)),))
        except sqlite3.Error:
            return False
        return True

    def can_write(self, max_age: float = 2.0) -> bool:
        """:meth:`writable`, probed at most every ``max_age`` seconds (``/healthz`` may be hammered)."""
        if time.monotonic() - self._probed_at >= max_age:
            self.writable()
        return self.write_failure is None

    def close(self) -> None:
        """Write what is pending and close the connection (checkpointing the WAL)."""
        with self._lock:
            self.flush()
            self._db.close()

    # -- sources ---------------------------------------------------------------

    def sync_sources(self, sources: Iterable[tuple[str, str, str]]) -> None:
        """Make sure each configured (id, name, url) has a row; keep poll state of known ones."""
        with self.transaction() as db:
            for sid, name, url in sources:
                db.execute(
                    "INSERT INTO sources (id, name, url) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET name=excluded.name, url=excluded.url, "
                    "etag=CASE WHEN sources.url=excluded.url THEN etag END, "
                    "last_modified=CASE WHEN sources.url=excluded.url THEN last_modified END, "
                    "body_hash=CASE WHEN sources.url=excluded.url THEN body_hash END",
                    (sid, name, url),
                )

    def source(self, source_id: str, *, counts: bool = True) -> SourceState | None:
        """Poll state of one source (item count unless ``counts=False``), or ``None``."""
        with self._lock:
            row = self._db.execute("SELECT * FROM sources WHERE id=?", (source_id,)).fetchone()
            if row is None:
                return None
            count = self._db.execute(
                "SELECT COUNT(*) FROM item_sources WHERE source_id=?", (source_id,)
            ).fetchone()[0] if counts else 0
        return self._state(row, count)

    def sources(self, *, counts: bool = True) -> list[SourceState]:
        """Poll state of every source, with item counts unless ``counts=False`` (cheaper)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM sources ORDER BY id").fetchall()
            counts = dict(
                self._db.execute(
                    "SELECT source_id, COUNT(*) FROM item_sources GROUP BY source_id"
                ).fetchall()
            ) if counts else {}
        states = [self._state(r, counts.get(r["id"], 0)) for r in rows]
        if self.write_failure:
            # What is stored says "ok", but no poll's result can be kept: say so.
            for s in states:
                s.state, s.last_error_kind, s.last_error = "failing", "store", self.write_failure
        return states

    @staticmethod
    def _state(row: sqlite3.Row, count: int) -> SourceState:
        return SourceState(
            id=row["id"], state=row["state"], etag=row["etag"],
            last_modified=row["last_modified"], body_hash=row["body_hash"],
            encoding=row["encoding"], last_poll=_dt(row["last_poll"]),
            last_success=_dt(row["last_success"]), last_error=row["last_error"],
            last_error_kind=row["last_error_kind"], failures=row["failures"],
            items_last=row["items_last"], polls=row["polls"],
            baseline_at=_dt(row["baseline_at"]), item_count=count,
            state_since=_dt(row["state_since"]), recent_counts=json.loads(row["recent_counts"]),
            evidence=json.loads(row["evidence"]) if row["evidence"] else None,
            next_poll=_dt(row["next_poll"]), last_error_at=_dt(row["last_error_at"]),
            operator_state=row["operator_state"],
        )

    def record_unchanged(self, source_id: str, now: datetime, *, etag: str | None = None,
                         last_modified: str | None = None) -> None:
        """A poll that found the page unchanged (304 or same body hash): a success.

        Written with the next write transaction (or :meth:`flush`), not in one of its own:
        most polls are unchanged, and their bookkeeping was a third of their CPU. A crash
        can lose only these timestamps, never an item.
        """
        with self._pending_lock:
            self._pending.append((_iso(now), etag, last_modified, source_id))
            full = len(self._pending) >= PENDING_MAX
        if full:
            self.flush()

    def flush(self) -> None:
        """Write the unchanged polls recorded since the last write."""
        if self._pending:
            with self.transaction():
                pass  # a transaction writes what is pending first

    def _write_pending(self, db: sqlite3.Connection) -> None:
        with self._pending_lock:
            rows, self._pending = self._pending, []
        if rows:
            db.executemany(
                "UPDATE sources SET last_poll=?1, failures=0, polls=polls+1, "
                "last_success=CASE WHEN state='broken' THEN last_success ELSE ?1 END, "
                "next_poll=NULL, etag=COALESCE(?2, etag), last_modified=COALESCE(?3, last_modified), "
                "last_error=CASE WHEN state IN ('new','failing','blocked') THEN NULL "
                "ELSE last_error END, "
                "last_error_kind=CASE WHEN state IN ('new','failing','blocked') THEN NULL "
                "ELSE last_error_kind END, "
                "state_since=CASE WHEN state IN ('new','failing','blocked') THEN ?1 "
                "ELSE state_since END, "
                "state=CASE WHEN state IN ('new','failing','blocked') THEN 'ok' ELSE state END "
                "WHERE id=?4", rows)

    def record_failure(self, source_id: str, now: datetime, kind: str, message: str,
                       state: str = "failing") -> None:
        """A poll that failed; the source keeps its items and its place in the schedule."""
        with self.transaction() as db:
            db.execute(
                "UPDATE sources SET last_poll=?, last_error=?, last_error_kind=?, last_error_at=?, "
                "failures=failures+1, polls=polls+1, "
                "state_since=CASE WHEN state=? THEN state_since ELSE ? END, state=? WHERE id=?",
                (_iso(now), message[:500], kind, _iso(now), state, _iso(now), state, source_id),
            )

    def set_next_poll(self, source_id: str, when: datetime | None) -> None:
        """When the scheduler will poll this source next (shown to the operator)."""
        with self.transaction() as db:
            db.execute("UPDATE sources SET next_poll=? WHERE id=?", (_iso(when), source_id))

    # -- items -----------------------------------------------------------------

    def known(self, ids: Iterable[str]) -> dict[str, Item]:
        """Stored items among ``ids`` (for title-repair caching and dedupe)."""
        ids = list(ids)
        found: dict[str, Item] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(f"SELECT * FROM items WHERE id IN ({marks})", chunk):
                    found[row["id"]] = self.item_from_row(row)
        return found

    def save_poll(
        self,
        source_id: str,
        items: list[Item],
        now: datetime,
        *,
        state: str = "ok",
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        encoding: str | None = None,
        warning: str | None = None,
        evidence: dict | None = None,
    ) -> SaveResult:
        """Store one poll's items and the source's new state in a single transaction."""
        new: list[Item] = []
        updated: list[Item] = []
        stamp = _iso(now)
        with self.transaction() as db:
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
                db.execute(
                    "INSERT OR IGNORE INTO item_sources (item_id, source_id, first_seen, sort_time) "
                    "VALUES (?, ?, ?, (SELECT sort_time FROM items WHERE id = ?))",
                    (it.id, source_id, stamp, it.id),
                )
            db.execute(
                # A page whose list is broken loaded, but it was no success: keep the last one.
                "UPDATE sources SET last_poll=?, last_success=CASE WHEN ? IN ('broken', 'blocked') "
                "THEN last_success ELSE ? END, failures=0, polls=polls+1, "
                "next_poll=NULL, state_since=CASE WHEN state=? THEN state_since ELSE ? END, "
                "state=?, etag=?, last_modified=?, body_hash=?, encoding=COALESCE(?, encoding), "
                "items_last=?, last_error=?, last_error_kind=?, recent_counts=?, "
                "evidence=COALESCE(?, evidence), baseline_at=COALESCE(baseline_at, ?) WHERE id=?",
                # The baseline is the first poll that found items: an empty or broken first
                # page must not turn the whole list into "new" once it is fixed.
                (stamp, state, stamp, state, stamp, state, etag, last_modified, body_hash, encoding,
                 len(items) + len(gone), warning, state if warning else None, json.dumps(recent),
                 json.dumps(evidence, ensure_ascii=False) if evidence else None,
                 stamp if items else None, source_id),
            )
        return SaveResult(new=new, updated=updated, baseline=baseline)

    @staticmethod
    def _insert(db: sqlite3.Connection, it: Item, baseline: bool) -> None:
        published = _iso(it.published)
        it.story_id = assign_story(db, it)
        db.execute(
            "INSERT INTO items (id, url, link, title, truncated, published, has_time, "
            "date_from_url, sort_time, source_id, source_name, regions, summary, first_seen, "
            "updated, baseline, notified, author, origin, original_url, attachments, simhash, "
            "title_key, story_id, enriched, original_id, content) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (it.id, it.url, it.link, it.title, int(it.truncated), published, int(it.has_time),
             int(bool(it.extra.get("date_from_url"))), published or _iso(it.first_seen),
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
    def _improve(db: sqlite3.Connection, it: Item, old: sqlite3.Row, stamp: str | None) -> bool:
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
        better_date = it.published is not None and not it.extra.get("date_from_url") and (
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
        with self.transaction() as db:
            for it in items:
                old = db.execute("SELECT id, title, truncated, published, date_from_url, enriched "
                                 "FROM items WHERE id=?", (it.id,)).fetchone()
                if old is not None and self._improve(db, it, old, _iso(now)):
                    changed.append(it)
        return changed

    def prune(self, before: datetime, now: datetime) -> int:
        """Delete items first seen and dated before ``before``; remember their ids forever."""
        cutoff = _iso(before)
        with self.transaction() as db:
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
            return [self.item_from_row(r) for r in self._db.execute(sql, args)]

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

    @staticmethod
    def item_from_row(row: sqlite3.Row) -> Item:
        """An :class:`Item` from a row of the items table."""
        return Item(
            id=row["id"], url=row["url"], link=row["link"], title=row["title"],
            truncated=bool(row["truncated"]), published=_dt(row["published"]),
            has_time=bool(row["has_time"]), source_id=row["source_id"],
            source_name=row["source_name"], regions=_regions(row["regions"]),
            summary=row["summary"], first_seen=_dt(row["first_seen"]),
            updated=_dt(row["updated"]),
            extra={"baseline": str(row["baseline"]), "date_from_url": str(row["date_from_url"])},
            author=row["author"], origin=row["origin"], original_url=row["original_url"],
            attachments=_attachments(row["attachments"]),
            simhash=row["simhash"], title_key=row["title_key"], story_id=row["story_id"],
            enriched=bool(row["enriched"]), original_id=row["original_id"],
            content=row["content"],
        )
