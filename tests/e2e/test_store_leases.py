"""Leases on one PostgreSQL shared by two stores (two nodes): sources, hosts, queued mail, digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.helpers import wait_for
from zxfeed.models import Mail
from zxfeed.store import Store

NOW = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)


def _nodes(tmp_path: Path, url: str) -> tuple[Store, Store]:
    a, b = Store(tmp_path / "a" / "z.db", url=url), Store(tmp_path / "b" / "z.db", url=url)
    a.node, b.node = "node-a", "node-b"
    a.sync_sources([("s1", "测试", "http://x.example/")])
    return a, b


def test_a_source_is_claimed_by_one_node_until_its_lease_or_hold_ends(tmp_path: Path, pg_url: str) -> None:
    a, b = _nodes(tmp_path, pg_url)
    assert a.claim_source("s1", NOW, lease=30)
    assert not b.claim_source("s1", NOW + timedelta(seconds=29), lease=30)
    # A dead node's lease runs out: the other takes the source over.
    assert b.claim_source("s1", NOW + timedelta(seconds=30), lease=30)
    assert a.leases()["s1"][0] == "node-b"
    # After its poll the owner holds it till shortly before the next one is due.
    b.hold_source("s1", NOW + timedelta(seconds=100))
    assert not a.claim_source("s1", NOW + timedelta(seconds=99), lease=30)
    assert a.claim_source("s1", NOW + timedelta(seconds=100), lease=30)
    a.hold_source("s1", None)  # given back at once (a stop mid-poll)
    assert b.claim_source("s1", NOW + timedelta(seconds=101), lease=30)
    a.close()
    b.close()


def test_host_slots_keep_the_delay_across_nodes(tmp_path: Path, pg_url: str) -> None:
    a, b = _nodes(tmp_path, pg_url)
    starts = [s.claim_host("x.example", NOW, 2.0) for s in (a, b, a)]
    assert starts == [NOW, NOW + timedelta(seconds=2), NOW + timedelta(seconds=4)]
    later = NOW + timedelta(seconds=60)
    assert b.claim_host("x.example", later, 2.0) == later  # an idle host: at once
    a.close()
    b.close()


def test_queued_mail_goes_to_one_node_and_comes_back_after_its_claim(tmp_path: Path, pg_url: str) -> None:
    a, b = _nodes(tmp_path, pg_url)
    with a.mail_batch() as batch:
        for k in range(3):
            batch.enqueue(Mail(message_id=f"<m{k}@x>", recipient="r@example.org", kind="alert",
                               subject="s", raw=b"raw"), NOW, [])
    mine = a.due_mail(NOW, lease=60)
    assert [m.message_id for m in mine] == ["<m0@x>", "<m1@x>", "<m2@x>"]
    assert b.due_mail(NOW, lease=60) == []  # claimed by a
    a.mark_sent(mine[0].id, NOW)
    # a dies before marking the others: b sends them once the claim ran out, never the sent one.
    assert [m.message_id for m in b.due_mail(NOW + timedelta(seconds=61), lease=60)] == ["<m1@x>", "<m2@x>"]
    a.close()
    b.close()


def test_a_digest_period_is_taken_once(tmp_path: Path, pg_url: str) -> None:
    a, b = _nodes(tmp_path, pg_url)
    with a.mail_batch() as batch:
        assert batch.claim_digest(7, NOW)
    with b.mail_batch() as batch:
        assert not batch.claim_digest(7, NOW)
        assert batch.claim_digest(7, NOW + timedelta(days=1))
    a.close()
    b.close()


def test_a_singleton_job_runs_on_one_node_until_it_dies(tmp_path: Path, pg_url: str) -> None:
    a, b = _nodes(tmp_path, pg_url)
    assert a.singleton("backlog") and a.singleton("backlog")
    assert not b.singleton("backlog") and b.singleton("retention")
    a.close()  # the node's session ends (its backend exits a moment later): its jobs are free
    assert wait_for(lambda: b.singleton("backlog"), 10)
    b.close()


def test_an_unreachable_server_is_one_line_naming_the_url(tmp_path: Path) -> None:
    from conftest import zxfeed

    cfg = tmp_path / "zxfeed.toml"
    cfg.write_text('[storage]\npath = "data/zxfeed.db"\nurl = "postgresql://zxfeed@127.0.0.1:9/zx"\n',
                   "utf-8")
    done = zxfeed("sources", config=cfg)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "postgresql://zxfeed@127.0.0.1:9/zx" in lines[0] and "无法连接" in lines[0]
