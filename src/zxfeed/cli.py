"""The ``zxfeed`` command: wires config and stages together; no pipeline logic lives here."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from . import __version__
from .config import Config, ConfigError, SourceConfig, load_config
from .discover import discover, to_toml
from .extract import extract_items
from .extract.dates import SHANGHAI
from .extract.listing import Selectors
from .fetch import Fetcher, FetchError
from .httpauth import status_credentials
from .lock import AlreadyRunning, StoreLock
from .notify.digest import is_due
from .notify.notifier import Notifier
from .opml import build_opml
from .poll import enrich_items, poll_source
from .process import raise_fd_limit
from .schedule import Daemon, fetch_settings, log_poll, make_publisher
from .store import SourceState, Store
from .store_errors import StoreDamaged, StoreWriteError, damaged, is_corrupt
from .web import FeedServer
from .web_server import Limits

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
               "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def _log_thread_exception(hook: threading.ExceptHookArgs) -> None:
    if hook.exc_type is SystemExit:
        return
    logging.getLogger("zxfeed").error(
        "uncaught exception in thread %s", hook.thread.name if hook.thread else "?",
        exc_info=(hook.exc_type, hook.exc_value, hook.exc_traceback))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="zxfeed", description="政协网站信息聚合：抓取列表页，生成 Atom 订阅源。")
    p.add_argument("--config", help="配置文件 (default: $ZXFEED_CONFIG or config/zxfeed.toml)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--log-format", default="text", choices=["text", "json"],
                   help="json: one JSON object per line, for log collectors")
    p.add_argument("--version", action="version", version=f"zxfeed {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="守护进程：定时抓取、发布订阅源、提供 HTTP 服务")
    poll = sub.add_parser("poll", help="立即抓取一次（全部或指定来源）并发布，然后退出")
    poll.add_argument("--source", action="append", metavar="ID", help="只抓取此来源（可重复）")
    _filters(poll)
    ext = sub.add_parser("extract", help="预览一个页面能抽取出的条目（不入库）")
    ext.add_argument("url")
    ext.add_argument("--json", action="store_true", help="输出 JSON 列表")
    ext.add_argument("--item", help="CSS 选择器：每个条目")
    ext.add_argument("--title", default="a", help="CSS 选择器：标题（相对条目）")
    ext.add_argument("--date", help="CSS 选择器：日期（相对条目）")
    ext.add_argument("--no-articles", action="store_true", help="不访问文章页补全截断标题")
    sub.add_parser("feeds", help="根据库中条目重写 Atom 文件")
    src = sub.add_parser("sources", help="各来源的状态")
    src.add_argument("--json", action="store_true")
    _filters(src)
    sub.add_parser("check", help="校验配置并显示将要做的事")
    sub.add_parser("opml", help="以 OPML 输出所有订阅源（供阅读器导入）")
    disc = sub.add_parser("discover", help="扫描网站首页及栏目页，输出可直接粘贴的来源配置")
    disc.add_argument("url")
    disc.add_argument("--max-pages", type=int, default=20, help="最多访问的栏目页数")
    dig = sub.add_parser("digest", help="生成到期的每日/每周摘要（--send 才发送）")
    dig.add_argument("--send", action="store_true", help="放入发件箱并发送")
    dig.add_argument("--all", action="store_true", help="不论是否到期，为所有摘要订阅者生成")
    demo = sub.add_parser("demo", help="在 127.0.0.1 上启动示例站点并对其运行完整流程")
    demo.add_argument("--port", type=int, default=8080, help="feeds server port (default 8080)")
    demo.add_argument("--seconds", type=float, default=0, help="stop after this many seconds")
    return p


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--region", action="append", metavar="地区",
                   help="只看此地区（省、市或区县，可重复）")
    p.add_argument("--level", action="append",
                   choices=["national", "provincial", "municipal", "district"])


def _selected(cfg: Config, args: argparse.Namespace) -> list[SourceConfig]:
    """Sources matching --region/--level (all when neither is given)."""
    regions, levels = set(args.region or []), set(args.level or [])
    return [s for s in cfg.sources
            if (not regions or regions & {s.region, s.city, s.district})
            and (not levels or s.level in levels)]


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def cmd_run(args: argparse.Namespace, cfg: Config | None = None,
            stop_after: float | None = None) -> int:
    cfg = cfg or _config(args)
    status_auth = status_credentials(cfg)
    raise_fd_limit()  # idle clients and polls both need descriptors; the server keeps to a share
    daemon = Daemon(cfg)
    server = None
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        daemon.start()
    except AlreadyRunning as exc:
        print(f"zxfeed: {exc}", file=sys.stderr)
        return EXIT_FAIL
    try:
        if cfg.server.enabled:
            try:
                server = FeedServer(cfg.server.host, cfg.server.port, cfg.feeds_dir,
                                    daemon.store, healthy=daemon.healthy,
                                    notifier=daemon.notifier, metrics=daemon.metrics.render,
                                    next_runs=daemon.next_runs,
                                    opml=lambda: build_opml(cfg, datetime.now(SHANGHAI)),
                                    limits=server_limits(cfg), status_auth=status_auth)
            except OSError as exc:
                print(f"zxfeed: cannot listen on {cfg.server.host}:{cfg.server.port} ({exc}) — "
                      f"change [server] port in {cfg.path}", file=sys.stderr)
                return EXIT_FAIL
            server.start()
            logging.getLogger("zxfeed").info("serving %s/feeds/all.atom", server.url)
            print(f"feeds: {server.url}/feeds/all.atom   status: {server.url}/", flush=True)
        stop.wait(stop_after)
    finally:
        if server is not None:
            server.stop()
        daemon.stop()
    return EXIT_OK


def server_limits(cfg: Config) -> Limits:
    """Connection limits from the ``[server]`` table."""
    s = cfg.server
    return Limits(max_connections=s.max_connections, idle_timeout=s.idle_timeout,
                  request_timeout=s.request_timeout)


def cmd_poll(args: argparse.Namespace) -> int:
    cfg = _config(args)
    wanted = set(args.source or [])
    unknown = wanted - {s.id for s in cfg.sources}
    if unknown:
        print(f"zxfeed: unknown source {sorted(unknown)[0]!r} — see `zxfeed check`",
              file=sys.stderr)
        return EXIT_USAGE
    sources = [s for s in _selected(cfg, args) if (s.id in wanted if wanted else s.enabled)]
    store = Store(cfg.db_path)
    store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
    with Fetcher(fetch_settings(cfg)) as fetcher, ThreadPoolExecutor(cfg.fetch.workers) as pool:
        results = list(pool.map(lambda s: poll_source(s, cfg, store, fetcher), sources))
    for r in results:
        log_poll(r)
        print(f"{r.source_id}: {r.status} ({r.state}) found={r.found} new={len(r.new)}"
              + (f" — {r.error}" if r.error else ""))
    make_publisher(cfg, store).publish()
    _mail_round(cfg, store)
    store.close()
    return EXIT_FAIL if results and all(r.status == "failed" for r in results) else EXIT_OK


def _mail_round(cfg: Config, store: Store) -> None:
    """Queue and send alerts, unless a running daemon owns the mail (it will send them)."""
    lock = StoreLock(cfg.db_path)
    if not lock.try_acquire():
        print("mail: a running zxfeed owns this store and will send the alerts")
        return
    try:
        report = Notifier(cfg, store).run_round()
        if report.sent or report.retried or report.failed:
            print(f"mail: sent={report.sent} deferred={report.retried} failed={report.failed}")
    finally:
        lock.release()


def cmd_extract(args: argparse.Namespace) -> int:
    now = datetime.now(SHANGHAI)
    selectors = Selectors(args.item, args.title, None, args.date) if args.item else None
    with Fetcher() as fetcher:
        try:
            resp = fetcher.get(args.url)
        except FetchError as exc:
            print(f"zxfeed: {args.url}: {exc.kind}: {exc}", file=sys.stderr)
            return EXIT_FAIL
        result = extract_items(resp.body, resp.url, content_type=resp.content_type, now=now,
                               selectors=selectors)
        if not args.no_articles:
            enrich_items(result.items, fetcher, now, budget=50, articles=False)
    if args.json:
        out = [{"title": i.title, "url": i.url,
                "published": i.published.isoformat() if i.published else None}
               for i in result.items]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"# {len(result.items)} items ({result.kind}, {result.encoding})")
        for i in result.items:
            when = i.published.strftime("%Y-%m-%d %H:%M" if i.has_time else "%Y-%m-%d") \
                if i.published else "????-??-??"
            print(f"{when}  {i.title}\n            {i.url}")
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    cfg = _config(args)
    store = Store(cfg.db_path)
    written = make_publisher(cfg, store).publish()
    print(f"{len(written)} feed files changed under {cfg.feeds_dir}")
    store.close()
    return EXIT_OK


def cmd_sources(args: argparse.Namespace) -> int:
    cfg = _config(args)
    store = Store(cfg.db_path)
    store.writable()  # a full disk: every source is shown failing, with the reason
    states = {s.id: s for s in store.sources()}
    rows = []
    for src in _selected(cfg, args):
        st = states.get(src.id)
        rows.append({
            "id": src.id, "name": src.name, "region": src.region, "city": src.city,
            "level": src.level, "url": src.url, "enabled": src.enabled,
            "state": st.state if st else "new",
            "last_poll": st.last_poll.isoformat() if st and st.last_poll else None,
            "last_success": st.last_success.isoformat() if st and st.last_success else None,
            "last_error": st.last_error if st else None,
            "last_error_kind": st.last_error_kind if st else None,
            "failures": st.failures if st else 0,
            "items": st.item_count if st else 0,
            "items_last_poll": st.items_last if st else None,
            "encoding": st.encoding if st else None,
            "state_since": st.state_since.isoformat() if st and st.state_since else None,
            "next_poll": _next_poll(cfg, src, st),
            "evidence": st.evidence if st else None,
        })
    store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{'id':<24} {'state':<9} {'items':>5}  {'last success':<16}  last error")
    for r in rows:
        last = (r["last_success"] or "—")[:16].replace("T", " ")
        print(f"{r['id']:<24} {r['state']:<9} {r['items']:>5}  {last:<16}  {r['last_error'] or ''}")
    return EXIT_OK


def _next_poll(cfg: Config, src: SourceConfig, st: SourceState | None) -> str | None:
    """A backoff's time when one is set, else one interval after the last poll."""
    if st is None or st.last_poll is None:
        return None
    when = st.next_poll or st.last_poll + timedelta(seconds=cfg.interval(src))
    return when.isoformat()


def cmd_check(args: argparse.Namespace) -> int:
    cfg = _config(args)
    print(f"config:   {cfg.path}")
    print(f"store:    {cfg.db_path}")
    print(f"feeds:    {cfg.feeds_dir}  (served at {cfg.base_url}/feeds/all.atom)")
    mail = f"SMTP {cfg.smtp.host}:{cfg.smtp.port}" if cfg.smtp else f"files in {cfg.outbox_dir}"
    print(f"mail:     {mail}; {len(cfg.subscribers)} subscribers")
    print(f"sources:  {len(cfg.enabled_sources)} enabled of {len(cfg.sources)}")
    for s in cfg.sources:
        flag = "" if s.enabled else "  (disabled)"
        how = "selectors" if s.selectors else s.kind
        print(f"  {s.id:<24} every {cfg.interval(s):>5}s  {how:<9} {s.region:<8} {s.url}{flag}")
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    cfg = _config(args)
    store = Store(cfg.db_path)
    lock = StoreLock(cfg.db_path)
    if args.send and not lock.try_acquire():
        print("zxfeed: a running zxfeed owns this store; it sends digests on schedule",
              file=sys.stderr)
        return EXIT_FAIL
    try:
        notifier = Notifier(cfg, store)
        now = datetime.now(SHANGHAI)
        queued = 0
        for sub in cfg.subscribers:
            if sub.mode == "instant" or not (args.all or is_due(store, sub, now, SHANGHAI)):
                continue
            mail = notifier.digest(sub, dry_run=not args.send)
            if mail is None:
                print(f"{sub.email}: nothing new")
                continue
            queued += 1
            print(f"{sub.email}: {mail.subject}" + ("" if args.send else "  (not sent: add --send)"))
        if args.send:
            report = notifier.deliver()
            print(f"mail: queued={queued} sent={report.sent} deferred={report.retried} "
                  f"failed={report.failed}")
    finally:
        lock.release()
        store.close()
    return EXIT_OK


def cmd_discover(args: argparse.Namespace) -> int:
    with Fetcher() as fetcher:
        try:
            found, title = discover(args.url, fetcher, datetime.now(SHANGHAI),
                                    max_pages=args.max_pages)
        except FetchError as exc:
            print(f"zxfeed: {exc}", file=sys.stderr)
            return EXIT_FAIL
    if not found:
        print(f"zxfeed: no dated list or feed found on {args.url} or its column pages",
              file=sys.stderr)
        return EXIT_FAIL
    print(to_toml(found, title, args.url), end="")
    return EXIT_OK


def cmd_opml(args: argparse.Namespace) -> int:
    cfg = _config(args)
    sys.stdout.buffer.write(build_opml(cfg, datetime.now(SHANGHAI)))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(port=args.port, seconds=args.seconds or None, run=cmd_run)


COMMANDS = {"run": cmd_run, "poll": cmd_poll, "extract": cmd_extract, "feeds": cmd_feeds,
            "sources": cmd_sources, "check": cmd_check, "digest": cmd_digest, "demo": cmd_demo,
            "opml": cmd_opml, "discover": cmd_discover}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``zxfeed`` console script."""
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if args.log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=args.log_level, handlers=[handler])
    if args.log_format == "json":
        # Whatever would print a bare traceback goes through the log instead: one JSON line.
        logging.captureWarnings(True)
        threading.excepthook = _log_thread_exception
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"zxfeed: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (StoreDamaged, StoreWriteError) as exc:
        print(f"zxfeed: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except sqlite3.DatabaseError as exc:
        if not is_corrupt(exc):
            raise
        # Found past the opening (a page deep in the file): name the file all the same.
        print(f"zxfeed: {damaged(_config(args).db_path, exc)}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        return EXIT_FAIL
    except BrokenPipeError:
        # `zxfeed sources | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
