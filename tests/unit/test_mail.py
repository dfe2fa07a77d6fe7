"""Mail as real servers receive it: raw list headers, verified TLS, bounded floods, addresses."""

from __future__ import annotations

from pathlib import Path


def test_address_keys() -> None:
    from zxfeed.notify.subscriptions import address_key
    assert address_key(" Reader@Example.ORG ") == "reader@example.org"
    assert address_key("Reader@Example.ORG", "sensitive") == "Reader@example.org"


def test_secret_from_zxfeed_secret_or_the_store(tmp_path: Path, monkeypatch) -> None:
    from datetime import UTC, datetime

    from zxfeed.notify.tokens import load_secret, make_token, read_token
    from zxfeed.store import Store

    store = Store(tmp_path / "s.db")
    try:
        stored = load_secret(store)
        assert load_secret(store) == stored and len(stored) == 64  # generated once, kept
        monkeypatch.setenv("ZXFEED_SECRET", "operator-chosen-key")
        assert load_secret(store) == b"operator-chosen-key"
        now = datetime.now(UTC)
        token = make_token(b"operator-chosen-key", "manage", 42)
        assert read_token(b"operator-chosen-key", token, "manage", now) == 42
        assert read_token(stored, token, "manage", now) is None
        assert read_token(b"operator-chosen-key", token, "unsubscribe", now) is None  # one purpose
    finally:
        store.close()
