"""The ``zxfeed`` command: wires config and stages together; no pipeline logic lives here."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from .. import __version__
from ..config.checks import check_secrets, check_server
from ..config.settings import Config, ConfigError, SourceConfig, load_config
from ..daemon.lock import AlreadyRunning, StoreLock
from ..extract.dates import SHANGHAI
from ..fetch.client import Fetcher, FetchError
from ..store import (
    DatabaseError,
    SourceState,
    Store,
    StoreDamaged,
    StoreUnreachable,
    StoreWriteError,
    damaged,
    is_corrupt,
)
from . import mail as cli_mail

if TYPE_CHECKING:
    from ..daemon.wiring import Daemon
    from ..web.app import FeedServer
    from ..web.server import Limits

# The daemon, the HTTP server and the commands' own stages are imported by the commands that
# use them: a one-shot `zxfeed poll` from cron pays for its imports on every run.
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"), "level": record.levelname,
               "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def _log_thread_exception(hook: threading.ExceptHookArgs) -> None:
    if hook.exc_type is SystemExit:
        return
    logging.getLogger("zxfeed").error(
        "uncaught exception in thread %s", hook.thread.name if hook.thread else "?",
        exc_info=hook.exc_value)  # logging takes the type and traceback from the exception


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="zxfeed", description="政协网站信息聚合：抓取列表页，生成 Atom 订阅源。")
    p.add_argument("--config", help="配置文件 (default: $ZXFEED_CONFIG or config/zxfeed.toml)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--log-format", default="text", choices=["text", "json"],
                   help="json: one JSON object per line, for log collectors")
    p.add_argument("--version", action="version", version=f"zxfeed {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="守护进程：定时抓取、发布订阅源、提供 HTTP 服务")
    run.add_argument("--host", help="HTTP 监听地址（覆盖 [server] host）")
    run.add_argument("--port", type=int, help="HTTP 端口（覆盖 [server] port）")
    sub.add_parser("reload", help="让正在运行的 zxfeed run 重新读取配置（发送 SIGHUP）")
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
    ext.add_argument("--now", type=_iso_time, metavar="ISO-TIME",
                     help="按此时间理解相对日期和无年份日期（如 2020-07-04T21:00+08:00）")
    ext.add_argument("--lists", metavar="main|all|标题,…",
                     help="取哪些列表：main 主列表，all 全部，或以逗号分隔的列表标题")
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
    dig.add_argument("--preview", metavar="EMAIL", help="显示此地址下一封摘要的正文，不发送")
    cli_mail.add_parsers(sub)
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


def _with_server_options(cfg: Config, args: argparse.Namespace) -> Config:
    """``run --host/--port`` over ``[server]``, checked like the file's own values."""
    host, port = getattr(args, "host", None), getattr(args, "port", None)
    if host is None and port is None:
        return cfg
    update = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"--port: {port} is not a port — use a number from 1 to 65535")
    cfg.server = cfg.server.model_copy(update=update)
    check_server(cfg.path, cfg)
    return cfg


def cmd_run(args: argparse.Namespace | None, cfg: Config | None = None,
            stop_after: float | None = None) -> int:
    from ..daemon.process import raise_fd_limit
    from ..daemon.wiring import Daemon
    from ..publish.feedfilter import FilteredFeeds
    from ..publish.opml import build_opml
    from ..web.app import FeedServer
    from ..web.auth import status_credentials
    from ..web.status import render_status
    from ..web.subscribe import mail_notice

    if cfg is None:
        if args is None:
            raise TypeError("cmd_run needs the command line or a loaded config")
        cfg = _with_server_options(_config(args), args)
    check_secrets(cfg)
    status_auth = status_credentials(cfg)
    raise_fd_limit()  # idle clients and polls both need descriptors; the server keeps to a share
    daemon = Daemon(cfg)
    server = None
    stop, wake = threading.Event(), threading.Event()
    reload_due = threading.Event()

    def on_stop(*_: object) -> None:
        stop.set()
        wake.set()

    def on_reload(*_: object) -> None:
        reload_due.set()
        wake.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_stop)
    signal.signal(signal.SIGHUP, on_reload)
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
                                    opml=lambda: build_opml(daemon.cfg,
                                                            datetime.now(daemon.cfg.zone)),
                                    status=lambda query: render_status(
                                        daemon.cfg, daemon.store, daemon.next_runs(), query,
                                        notices=[n for n in (daemon.store.write_failure,
                                                             mail_notice(daemon.notifier)) if n]),
                                    evidence_dir=cfg.evidence_dir,
                                    filtered=FilteredFeeds(daemon.publisher),
                                    limits=server_limits(cfg), status_auth=status_auth)
            except OSError as exc:
                print(f"zxfeed: cannot listen on {cfg.server.host}:{cfg.server.port} ({exc}) — "
                      f"change [server] port in {cfg.path} or use --port", file=sys.stderr)
                return EXIT_FAIL
            server.start()
            logging.getLogger("zxfeed").info("serving %s/feeds/all.atom", server.url)
            print(f"feeds: {server.url}/feeds/all.atom   status: {server.url}/", flush=True)
        deadline = None if stop_after is None else time.monotonic() + stop_after
        while not stop.is_set():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            wake.wait(left)
            wake.clear()
            if reload_due.is_set() and not stop.is_set():
                reload_due.clear()
                _reload(daemon, server, args)
    finally:
        if server is not None:
            server.stop()
        clean = daemon.stop()
    if not clean and stop_after is None:
        # A poll thread is still busy (a hostile page, a hung resolver): exit anyway.
        logging.shutdown()
        sys.stdout.flush()
        os._exit(EXIT_OK)
    return EXIT_OK


def _reload(daemon: Daemon, server: FeedServer | None, args: argparse.Namespace | None) -> None:
    """SIGHUP: re-read the config file; a bad one is reported and the running one kept."""
    log = logging.getLogger("zxfeed.reload")
    try:
        cfg = load_config(daemon.cfg.path)
        if args is not None:
            cfg = _with_server_options(cfg, args)
        check_secrets(cfg)
    except ConfigError as exc:
        log.error("reload refused, still running the previous config: %s", exc)
        return
    daemon.reload(cfg)
    if server is not None:
        server.notifier = daemon.notifier


def cmd_reload(args: argparse.Namespace) -> int:
    cfg = _config(args)  # a bad file is reported here, before the daemon is disturbed
    pid = StoreLock(cfg.db_path).holder()
    if pid is None:
        print(f"zxfeed: no zxfeed run is running on {cfg.db_path} — start it with `zxfeed run`",
              file=sys.stderr)
        return EXIT_FAIL
    os.kill(pid, signal.SIGHUP)
    print(f"reload: sent SIGHUP to zxfeed run (pid {pid}); its log says what changed")
    return EXIT_OK


def server_limits(cfg: Config) -> Limits:
    """Connection limits from the ``[server]`` table."""
    from ..web.server import Limits

    s = cfg.server
    return Limits(max_connections=s.max_connections, idle_timeout=s.idle_timeout,
                  request_timeout=s.request_timeout)


def cmd_poll(args: argparse.Namespace) -> int:
    from ..daemon.publishing import FEEDS_PUBLISHED, feed_settings, make_publisher
    from ..fetch.client import fetch_settings
    from ..poll.run import poll_all
    from ..poll.source import parse_gate, poll_source

    cfg = _config(args)
    check_secrets(cfg)
    wanted = set(args.source or [])
    unknown = wanted - {s.id for s in cfg.sources}
    if unknown:
        print(f"zxfeed: unknown source {sorted(unknown)[0]!r} — see `zxfeed check`",
              file=sys.stderr)
        return EXIT_USAGE
    sources = [s for s in _selected(cfg, args) if (s.id in wanted if wanted else s.enabled)]
    store = Store.for_config(cfg)
    store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
    # Cron runs this every few minutes: only the feeds its polls changed are rewritten, unless
    # the feed settings changed or an earlier run died before publishing what it stored.
    settings = feed_settings(cfg)
    publisher = make_publisher(cfg, store)
    complete = store.meta(FEEDS_PUBLISHED) == settings and all(
        (publisher.directory / spec.path).exists() for spec in publisher.specs())
    if complete:
        store.set_meta(FEEDS_PUBLISHED, None)
    cpu = parse_gate()
    with Fetcher(fetch_settings(cfg), robots_memory=store) as fetcher:
        # One line per source on stdout (not a log line as well); progress only on a terminal.
        results = poll_all(sources, lambda s: poll_source(s, cfg, store, fetcher, cpu=cpu),
                           workers=cfg.fetch.workers, out=sys.stdout,
                           progress=sys.stderr if sys.stderr.isatty() else None)
    if complete:
        changed = [r for r in results if r.changed]
        written = publisher.publish(sources={r.source_id for r in changed},
                                    regions={g for r in changed for it in r.new + r.updated
                                             for g in it.regions})
    else:
        written = publisher.publish()
    store.set_meta(FEEDS_PUBLISHED, settings)
    _ping_hub(cfg, written)
    _mail_round(cfg, store)
    store.close()
    return EXIT_FAIL if results and all(r.status == "failed" for r in results) else EXIT_OK


def _ping_hub(cfg: Config, written: list[Path]) -> None:
    """Tell the WebSub hub (``[feeds] hub``) which feeds changed, before exiting."""
    from ..publish.websub import ping_soon, topic_urls

    hub = cfg.feeds.hub
    urls = topic_urls(cfg.base_url, cfg.feeds_dir, written) if hub else []
    if hub and urls and not ping_soon(hub, urls):
        print(f"zxfeed: WebSub hub {hub} did not accept the ping (3 attempts)",
              file=sys.stderr)


def _mail_round(cfg: Config, store: Store) -> None:
    """Queue and send alerts, unless a running daemon owns the mail (it will send them)."""
    from ..notify.notifier import Notifier

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


def _iso_time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是 ISO 8601 时间：{text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=SHANGHAI)


def cmd_extract(args: argparse.Namespace) -> int:
    from ..extract import extract_items
    from ..extract.listing import Selectors
    from ..extract.report import render_text
    from ..fetch.netguard import Reach
    from ..poll.source import enrich_items

    now = args.now or datetime.now(SHANGHAI)
    lists = args.lists if args.lists in (None, "main", "all") else \
        [h.strip() for h in args.lists.split(",") if h.strip()]
    selectors = Selectors(args.item, args.title, None, args.date) if args.item else None
    with Fetcher() as fetcher:
        try:
            resp = fetcher.get(args.url)
        except FetchError as exc:
            print(f"zxfeed: {args.url}: {exc.kind}: {exc}", file=sys.stderr)
            return EXIT_FAIL
        result = extract_items(resp.body, resp.url, content_type=resp.content_type, now=now,
                               selectors=selectors, lists=lists)
        if not args.no_articles:
            enrich_items(result.items, fetcher, now, budget=50, articles=False,
                         reach=Reach.own(args.url))
    if args.json:
        out = [{"title": i.title, "url": i.url,
                "published": i.published.isoformat() if i.published else None}
               for i in result.items]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(render_text(result))
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    from ..daemon.publishing import make_publisher

    cfg = _config(args)
    store = Store.for_config(cfg)
    written = make_publisher(cfg, store).publish()
    _ping_hub(cfg, written)
    print(f"{len(written)} feed files changed under {cfg.feeds_dir}")
    store.close()
    return EXIT_OK


class SourceRow(TypedDict):
    """One source in ``zxfeed sources --json`` (a contract: keys may grow, never change)."""

    id: str
    name: str
    region: str
    city: str | None
    level: str | None
    url: str
    enabled: bool
    state: str
    last_poll: str | None
    last_success: str | None
    last_error: str | None
    last_error_kind: str | None
    failures: int
    items: int
    items_last_poll: int | None
    encoding: str | None
    state_since: str | None
    next_poll: str | None
    evidence: dict[str, Any] | None


def cmd_sources(args: argparse.Namespace) -> int:
    cfg = _config(args)
    store = Store.for_config(cfg)
    store.writable()  # a full disk: every source is shown failing, with the reason
    states = {s.id: s for s in store.sources()}
    zone = cfg.zone

    def local(dt: datetime | None) -> str | None:
        return dt.astimezone(zone).isoformat() if dt else None

    rows: list[SourceRow] = []
    for src in _selected(cfg, args):
        st = states.get(src.id)
        rows.append({
            "id": src.id, "name": src.name, "region": src.region, "city": src.city,
            "level": src.level, "url": src.url, "enabled": src.enabled,
            "state": st.state if st else "new",
            "last_poll": local(st.last_poll) if st else None,
            "last_success": local(st.last_success) if st else None,
            "last_error": st.last_error if st else None,
            "last_error_kind": st.last_error_kind if st else None,
            "failures": st.failures if st else 0,
            "items": st.item_count if st else 0,
            "items_last_poll": st.items_last if st else None,
            "encoding": st.encoding if st else None,
            "state_since": local(st.state_since) if st else None,
            "next_poll": local(_next_poll(cfg, src, st)),
            "evidence": st.evidence if st else None,
        })
    store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{'id':<24} {'state':<9} {'items':>5}  {'last success':<16}  last error"
          f"   (times: {cfg.schedule.timezone})")
    for r in rows:
        last = (r["last_success"] or "—")[:16].replace("T", " ")
        print(f"{r['id']:<24} {r['state']:<9} {r['items']:>5}  {last:<16}  {r['last_error'] or ''}")
    return EXIT_OK


def _next_poll(cfg: Config, src: SourceConfig, st: SourceState | None) -> datetime | None:
    """A backoff's time when one is set, else one interval after the last poll."""
    if st is None or st.last_poll is None:
        return None
    return st.next_poll or st.last_poll + timedelta(seconds=cfg.interval(src))


def cmd_check(args: argparse.Namespace) -> int:
    cfg = _config(args)
    print(f"config:   {cfg.path}")
    if cfg.storage.url:
        print(f"store:    PostgreSQL {cfg.storage.url} (data folder {cfg.db_path.parent})")
    else:
        print(f"store:    {cfg.db_path}")
    print(f"feeds:    {cfg.feeds_dir}  (served at {cfg.base_url}/feeds/all.atom)")
    mail = f"SMTP {cfg.smtp.host}:{cfg.smtp.port}" if cfg.smtp else f"files in {cfg.outbox_dir}"
    print(f"mail:     {mail}; {len(cfg.subscribers)} subscribers")
    if cfg.smtp and cfg.smtp.password_env and cfg.smtp.password_env not in os.environ:
        print(f"          note: ${cfg.smtp.password_env} is not set here; run, poll and "
              "digest --send need it")
    print(f"sources:  {len(cfg.enabled_sources)} enabled of {len(cfg.sources)}")
    for s in cfg.sources:
        flag = "" if s.enabled else "  (disabled)"
        how = "selectors" if s.selectors else s.kind
        print(f"  {s.id:<24} every {cfg.interval(s):>5}s  {how:<9} {s.region:<8} {s.url}{flag}")
    return EXIT_OK


def cmd_discover(args: argparse.Namespace) -> int:
    from ..poll.discover import discover, to_toml

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
    from ..publish.opml import build_opml

    cfg = _config(args)
    sys.stdout.buffer.write(build_opml(cfg, datetime.now(cfg.zone)))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(port=args.port, seconds=args.seconds or None, run=cmd_run)


COMMANDS = {"run": cmd_run, "poll": cmd_poll, "extract": cmd_extract, "feeds": cmd_feeds,
            "sources": cmd_sources, "check": cmd_check, "digest": cli_mail.cmd_digest,
            "demo": cmd_demo, "opml": cmd_opml, "discover": cmd_discover,
            "subscribers": cli_mail.cmd_subscribers, "reload": cmd_reload}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``zxfeed`` console script."""
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    # Logs are in UTC and say so (Z); what people read (pages, tables, mail) is in [schedule] timezone.
    formatter = JsonFormatter() if args.log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
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
    except (StoreDamaged, StoreWriteError, StoreUnreachable) as exc:
        print(f"zxfeed: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except DatabaseError as exc:
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
