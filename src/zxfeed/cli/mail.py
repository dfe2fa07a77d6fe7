"""The mail commands of ``zxfeed``: ``subscribers [--json|add|remove]`` and ``digest``."""

from __future__ import annotations

import argparse
import email
import json
import sys
from email.message import EmailMessage
from email.policy import default
from typing import TypedDict

from ..config.checks import check_secrets
from ..config.settings import Config, load_config
from ..daemon.lock import StoreLock
from ..notify import subscriptions as subs
from ..notify.notifier import Notifier
from ..store import Store

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The ``subscribers`` command and its actions."""
    p = sub.add_parser("subscribers", help="邮件订阅者：列出、添加、退订")
    p.add_argument("--json", action="store_true", help="输出 JSON 列表")
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    add = acts.add_parser("add", help="添加（立即生效，不发确认邮件）")
    add.add_argument("email")
    add.add_argument("--mode", choices=list(subs.MODES), default="instant")
    add.add_argument("--region", action="append", default=[], metavar="地区")
    add.add_argument("--source", action="append", default=[], metavar="ID")
    add.add_argument("--keyword", action="append", default=[], metavar="关键词")
    rm = acts.add_parser("remove", help="退订此地址的全部订阅")
    rm.add_argument("email")


class SubscriberRow(TypedDict):
    """One subscription in ``zxfeed subscribers --json`` (a contract: keys may grow, never change)."""

    id: int
    email: str
    mode: str
    status: str
    origin: str
    regions: list[str]
    sources: list[str]
    keywords: list[str]
    exclude: list[str]


def _row(sub: subs.Subscription) -> SubscriberRow:
    return {"id": sub.id, "email": sub.email, "mode": sub.mode, "status": sub.status,
            "origin": sub.origin, "regions": sub.regions, "sources": sub.sources,
            "keywords": sub.keywords, "exclude": sub.exclude}


def cmd_subscribers(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    store = Store.for_config(cfg)
    try:
        notifier = Notifier(cfg, store)
        if args.action == "add":
            return _add(cfg, notifier, args)
        if args.action == "remove":
            key = notifier.key(args.email)
            live = [s for s in subs.of_address(store, key) if s.status != "unsubscribed"]
            if not live:
                print(f"zxfeed: no subscription for {args.email}", file=sys.stderr)
                return EXIT_FAIL
            for s in live:
                notifier.change(s, status="unsubscribed")
            print(f"{args.email}: {len(live)} subscription(s) ended")
            return EXIT_OK
        rows = [_row(s) for s in subs.listing(store)]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return EXIT_OK
        print(f"{'id':>4}  {'email':<32} {'mode':<8} {'status':<9} {'origin':<7} filters")
        for r in rows:
            filters = " ".join([*(f"region={x}" for x in r["regions"]),
                                *(f"source={x}" for x in r["sources"]),
                                *(f"keyword={x}" for x in r["keywords"])])
            print(f"{r['id']:>4}  {r['email']:<32} {r['mode']:<8} {r['status']:<9} "
                  f"{r['origin']:<7} {filters}")
        return EXIT_OK
    finally:
        store.close()


def _add(cfg: Config, notifier: Notifier, args: argparse.Namespace) -> int:
    if not subs.EMAIL_RE.match(args.email):
        print(f"zxfeed: {args.email!r} is not an email address — use name@domain", file=sys.stderr)
        return EXIT_USAGE
    regions = {r for s in cfg.sources for r in (s.region, s.city, s.district) if r}
    for r in args.region:
        if r not in regions:
            print(f"zxfeed: unknown region {r!r} — use a region, city or district named by a source",
                  file=sys.stderr)
            return EXIT_USAGE
    ids = {s.id for s in cfg.sources}
    for s in args.source:
        if s not in ids:
            print(f"zxfeed: unknown source {s!r} — see `zxfeed check`", file=sys.stderr)
            return EXIT_USAGE
    filters = {"regions": args.region, "sources": args.source,
               "keywords": [k for w in args.keyword for k in subs.split_words(w)], "exclude": []}
    key = notifier.key(args.email)
    mine = [s for s in subs.of_address(notifier.store, key) if s.origin != "config"]
    if mine:
        notifier.change(mine[0], mode=args.mode, filters=filters, status="active")
        print(f"{args.email}: subscription {mine[0].id} updated ({args.mode})")
    else:
        sub = subs.create(notifier.store, args.email, key, notifier._now(), mode=args.mode,
                          filters=filters, status="active", origin="cli")
        print(f"{args.email}: subscription {sub.id} added ({args.mode})")
    return EXIT_OK


def _text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(("plain",))
    return body.get_content() if body is not None else ""


def cmd_digest(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    store = Store.for_config(cfg)
    lock = StoreLock(cfg.db_path)
    owned = lock.try_acquire()
    if args.send and owned:
        check_secrets(cfg)  # this process sends them itself
    try:
        notifier = Notifier(cfg, store)
        chosen = notifier.digest_subscriptions()
        if args.preview:
            key = notifier.key(args.preview)
            chosen = [s for s in chosen if s.address == key]
            if not chosen:
                print(f"zxfeed: {args.preview} has no active daily or weekly subscription",
                      file=sys.stderr)
                return EXIT_FAIL
            for sub in chosen:
                mail = notifier.digest(sub, dry_run=True)
                if mail is None:
                    print(f"{sub.email}: nothing new since the last digest")
                    continue
                print(f"Subject: {mail.subject}\n\n{_text(mail.raw)}")
            return EXIT_OK
        if not args.all:
            due = {s.id for s in notifier.due_digests()}
            chosen = [s for s in chosen if s.id in due]
        queued = 0
        for sub in chosen:
            mail = notifier.digest(sub, dry_run=not args.send)
            if mail is None:
                print(f"{sub.email}: nothing new")
                continue
            queued += 1
            print(f"{sub.email}: {mail.subject}" + ("" if args.send else "  (not sent: add --send)"))
        if args.send and not owned:
            # The running daemon owns delivery; its mail thread sends the outbox within seconds.
            print(f"mail: queued={queued}; the running zxfeed sends them")
        elif args.send:
            report = notifier.deliver()
            print(f"mail: queued={queued} sent={report.sent} deferred={report.retried} "
                  f"failed={report.failed}")
    finally:
        lock.release()
        store.close()
    return EXIT_OK
