"""The store's schema as numbered migrations applied at open (SQLite's SQL, translated for PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..normalize.reprints import content_simhash
from .dialect import MIGRATE_LOCK, postgres_ddl

if TYPE_CHECKING:
    from .dialect import PgConnection

_V1 = """
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'new',
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    encoding TEXT,
    last_poll TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_kind TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    items_last INTEGER,
    polls INTEGER NOT NULL DEFAULT 0,
    baseline_at TEXT,
    next_poll TEXT
);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    link TEXT NOT NULL,
    title TEXT NOT NULL,
    truncated INTEGER NOT NULL DEFAULT 0,
    published TEXT,
    has_time INTEGER NOT NULL DEFAULT 0,
    date_from_url INTEGER NOT NULL DEFAULT 0,
    sort_time TEXT NOT NULL,
    source_id TEXT NOT NULL,
    source_name TEXT NOT NULL,
    regions TEXT NOT NULL DEFAULT '[]',
    summary TEXT,
    first_seen TEXT NOT NULL,
    updated TEXT NOT NULL,
    baseline INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS items_sort ON items (sort_time DESC);
CREATE TABLE IF NOT EXISTS item_sources (
    item_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (source_id, item_id)
);
CREATE TABLE IF NOT EXISTS item_regions (
    region TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (region, item_id)
);
"""
# v2: email. Items wait for alerts (baseline items never do); every message is kept in the
# outbox before it is sent; deliveries remember (subscriber, item) so nothing goes twice.
_V2 = """
ALTER TABLE items ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
UPDATE items SET notified = 1;
CREATE INDEX IF NOT EXISTS items_pending ON items (notified) WHERE notified = 0;
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    raw BLOB NOT NULL,
    created TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt);
CREATE TABLE IF NOT EXISTS deliveries (
    subscriber TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (subscriber, item_id, kind)
);
CREATE TABLE IF NOT EXISTS subscribers (
    email TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    digest_until TEXT,
    unsubscribed_at TEXT
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
# v3: operations. When a source's state began (for operator alerts), recent item counts
# (for "far fewer items than usual"), evidence of a breakage, and ids of pruned items.
_V3 = """
ALTER TABLE sources ADD COLUMN state_since TEXT;
ALTER TABLE sources ADD COLUMN recent_counts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sources ADD COLUMN evidence TEXT;
ALTER TABLE sources ADD COLUMN operator_state TEXT;
ALTER TABLE sources ADD COLUMN last_error_at TEXT;
CREATE TABLE IF NOT EXISTS tombstones (
    id TEXT PRIMARY KEY,
    pruned_at TEXT NOT NULL
);
"""
# v4: article enrichment and reprint stories.
_V4 = """
ALTER TABLE items ADD COLUMN author TEXT;
ALTER TABLE items ADD COLUMN origin TEXT;
ALTER TABLE items ADD COLUMN original_url TEXT;
ALTER TABLE items ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE items ADD COLUMN simhash INTEGER;
ALTER TABLE items ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN story_id TEXT;
ALTER TABLE items ADD COLUMN enriched INTEGER NOT NULL DEFAULT 0;
UPDATE items SET story_id = id;
CREATE INDEX IF NOT EXISTS items_title_key ON items (title_key);
CREATE INDEX IF NOT EXISTS items_story ON items (story_id);
"""
# v5: reprints name their original by id, so the original joins their story when it comes.
_V5 = """
ALTER TABLE items ADD COLUMN original_id TEXT;
CREATE INDEX IF NOT EXISTS items_original ON items (original_id) WHERE original_id IS NOT NULL;
"""
# v6: region and source feeds read "newest N" straight from an index, not a sorted join.
_V6 = """
ALTER TABLE item_regions ADD COLUMN sort_time TEXT NOT NULL DEFAULT '';
ALTER TABLE item_sources ADD COLUMN sort_time TEXT NOT NULL DEFAULT '';
UPDATE item_regions SET sort_time = (SELECT sort_time FROM items WHERE items.id = item_id);
UPDATE item_sources SET sort_time = (SELECT sort_time FROM items WHERE items.id = item_id);
CREATE INDEX IF NOT EXISTS item_regions_newest ON item_regions (region, sort_time DESC, item_id);
CREATE INDEX IF NOT EXISTS item_sources_newest ON item_sources (source_id, sort_time DESC, item_id);
"""

# v7: near-duplicate bodies found through an index: each SimHash cut into 5 bands (see
# reprints.BANDS); two hashes within distance 4 share at least one band exactly.
_V7 = """
CREATE TABLE IF NOT EXISTS simhash_bands (
    band INTEGER NOT NULL,
    value INTEGER NOT NULL,
    item_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS simhash_bands_lookup ON simhash_bands (band, value);
CREATE INDEX IF NOT EXISTS simhash_bands_item ON simhash_bands (item_id);
INSERT INTO simhash_bands (band, value, item_id)
    SELECT 0, simhash & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 1, (simhash >> 13) & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 2, (simhash >> 26) & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 3, (simhash >> 39) & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 4, (simhash >> 52) & 4095, id FROM items WHERE simhash IS NOT NULL;
"""

# Full text: an article's body as sanitized HTML, published as the entry's content.
_V8_CONTENT = """
ALTER TABLE items ADD COLUMN content TEXT;
"""

# Subscriptions in the store (from the config, the web form or the CLI), each with its own
# filters and status; alerts held back by a subscriber's alert_every wait in alert_backlog.
_V9_SUBSCRIPTIONS = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT,
    mode TEXT NOT NULL DEFAULT 'instant',
    filters TEXT NOT NULL DEFAULT '{}',
    time TEXT NOT NULL DEFAULT '08:00',
    weekday TEXT NOT NULL DEFAULT 'mon',
    status TEXT NOT NULL DEFAULT 'pending',
    origin TEXT NOT NULL DEFAULT 'web',
    config_hash TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    confirmed_at TEXT,
    confirm_sent_at TEXT,
    digest_until TEXT,
    last_alert TEXT
);
CREATE INDEX IF NOT EXISTS subscriptions_address ON subscriptions (address);
CREATE UNIQUE INDEX IF NOT EXISTS subscriptions_config ON subscriptions (address)
    WHERE origin = 'config';
CREATE TABLE IF NOT EXISTS alert_backlog (
    subscription_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (subscription_id, item_id)
);
"""

# A row written by Store.writable(): a real write, so that /healthz sees a full disk.
_V10_STORE_PROBE = """
CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
"""

# Several nodes on one PostgreSQL: a source or a queued message is claimed by one node for a
# lease; a digest period is claimed once per subscription; a host's next allowed request time
# is shared. On SQLite (one node per file) the columns stay empty. Feeds of other nodes' polls
# are found by the items' update time.
_V11_LEASES = """
ALTER TABLE sources ADD COLUMN lease_owner TEXT;
ALTER TABLE sources ADD COLUMN lease_until TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_until TEXT;
CREATE TABLE IF NOT EXISTS digest_periods (
    subscription_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    PRIMARY KEY (subscription_id, period)
);
CREATE TABLE IF NOT EXISTS host_slots (host TEXT PRIMARY KEY, next_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS items_updated ON items (updated);
"""

# robots.txt of each site as last read (the fetch stage keeps it a day): a one-shot
# `zxfeed poll` or a restart would otherwise ask every host for it again first.
_V12_ROBOTS = """
CREATE TABLE IF NOT EXISTS robots (
    origin TEXT PRIMARY KEY,
    expires REAL NOT NULL,
    status INTEGER NOT NULL,
    body TEXT
);
"""


def _v13_simhash_v2(db: Any) -> None:
    """SimHash v2 (see reprints.simhash): stored values re-hashed from the stored bodies.

    An item whose body was never stored (enriched before schema v8) keeps no SimHash: a
    v1 value beside v2 ones would only give random distances. The band index is rebuilt.
    """
    last = ""
    while True:
        rows = db.execute("SELECT id, content, attachments FROM items WHERE simhash IS NOT NULL "
                          "AND id > ? ORDER BY id LIMIT 500", (last,)).fetchall()
        if not rows:
            break
        db.executemany("UPDATE items SET simhash=? WHERE id=?", [
            (content_simhash(r[1], bool(r[2]) and r[2] != "[]"), r[0]) for r in rows])
        last = rows[-1][0]
    db.execute("DELETE FROM simhash_bands")
    db.execute(_BANDS_FROM_ITEMS)


_BANDS_FROM_ITEMS = """INSERT INTO simhash_bands (band, value, item_id)
    SELECT 0, simhash & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 1, (simhash >> 13) & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 2, (simhash >> 26) & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 3, (simhash >> 39) & 8191, id FROM items WHERE simhash IS NOT NULL
    UNION ALL SELECT 4, (simhash >> 52) & 4095, id FROM items WHERE simhash IS NOT NULL"""

# Where a source's list stood on its last changed page (the extract stage's ListHint, as text):
# a restart or a one-shot poll reads a changed page there first instead of searching it again.
_V14_LIST_HINT = """
ALTER TABLE sources ADD COLUMN list_hint TEXT;
"""

# A step is a script of SQLite statements, or a function of the open connection (sqlite3's,
# or the PostgreSQL one that takes the same statements) for what SQL alone cannot compute.
MIGRATIONS: tuple[str | Callable[[Any], None], ...] = (
    _V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8_CONTENT, _V9_SUBSCRIPTIONS, _V10_STORE_PROBE,
    _V11_LEASES, _V12_ROBOTS, _v13_simhash_v2, _V14_LIST_HINT)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> None:
    """Bring the file up to ``SCHEMA_VERSION``, one transaction per step.

    The version is read again under the write lock: several processes opening a new store
    at once then run each step once, the others wait and find it done.
    """
    while db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                _apply(MIGRATIONS[version], db, db.execute)
                db.execute(f"PRAGMA user_version={version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _apply(step: str | Callable[[Any], None], db: Any, run: Callable[[str], object]) -> None:
    """One migration step: its function on the connection, or each of its statements by ``run``."""
    if callable(step):
        step(db)
    else:
        for statement in _statements(step):
            run(statement)


def postgres_version(db: PgConnection) -> int:
    """The schema version of a PostgreSQL database (0 when new)."""
    if db.execute_raw("SELECT to_regclass('schema_version')").fetchone()[0] is None:
        return 0
    row = db.execute_raw("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate_postgres(db: PgConnection) -> None:
    """Bring a PostgreSQL database up to ``SCHEMA_VERSION``, one transaction per step.

    Each step runs under a transaction-level advisory lock and reads the version again
    inside it: nodes starting together against a new database migrate it once.
    """
    if postgres_version(db) >= SCHEMA_VERSION:
        return
    while True:
        db.execute_raw("BEGIN")
        try:
            db.execute_raw("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            db.execute_raw("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = postgres_version(db)
            if version < SCHEMA_VERSION:
                _apply(MIGRATIONS[version], db, lambda sql: db.execute_raw(postgres_ddl(sql)))
                db.execute_raw("DELETE FROM schema_version")
                db.execute_raw("INSERT INTO schema_version (version) VALUES (%s)", (version + 1,))
            db.execute_raw("COMMIT")
        except BaseException:
            db.execute_raw("ROLLBACK")
            raise
        if version + 1 >= SCHEMA_VERSION:
            return


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration script (``executescript`` would commit the open transaction)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
