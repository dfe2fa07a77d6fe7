"""Self-service subscriptions against a real ``zxfeed run``, a real SMTP server and HTTP clients."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from conftest import ROOT, zxfeed
from support.mailkit import BASE, header_block, mail_config, parse, smtp_table, texts, wait
from support.pages import dated_items, list_page
from support.smtpsink import SmtpSink, free_port
from support.webserver import TestWeb

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _local(url: str, server: str) -> str:
    """A link from a mail (public base URL) aimed at the test server."""
    parts = urlsplit(url)
    assert url.startswith(BASE)
    return f"{server}{parts.path.removeprefix(urlsplit(BASE).path)}?{parts.query}"


def _link(text: str, path: str) -> str:
    start = text.index(BASE + path)
    end = min(i for i in (text.find(c, start) for c in ("\n", '"', " ", "<")) if i > 0)
    return text[start:end].strip()


def dump_dom(html: str, tmp: Path) -> str:
    """The DOM Chromium builds from ``html`` (headless, no network)."""
    page = tmp / "mail.html"
    page.write_text(html, "utf-8")
    profile = tempfile.mkdtemp(dir=tmp)
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _subs(cfg: Path) -> list[dict]:
    return json.loads(zxfeed("subscribers", "--json", config=cfg).stdout)


def test_sign_up_confirm_alert_digest_change_unsubscribe(tmp_path: Path, web: TestWeb) -> None:
    sink = SmtpSink()
    site = "s1"
    port = free_port()
    server = f"http://127.0.0.1:{port}"
    sd_base, bj_base = dated_items(2), dated_items(2, start=50, titles=["北京市政协常委会议"])
    web.set(f"/{site}/sd/list.html", list_page(sd_base))
    web.set(f"/{site}/bj/list.html", list_page(bj_base))
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      server=f"[server]\nport = {port}\n[schedule]\ninterval = 10\njitter = 0\n")
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db_file = tmp_path / "data" / "zxfeed.db"

    def scalar(sql: str) -> int:
        with sqlite3.connect(db_file) as db:
            return db.execute(sql).fetchone()[0]

    try:
        assert wait(lambda: db_file.exists() and scalar(
            "SELECT COUNT(*) FROM sources WHERE baseline_at IS NOT NULL") == 2)
        form = httpx.get(server + "/subscribe")
        assert form.status_code == 200 and 'name="viewport"' in form.text
        for region in ("山东省", "菏泽市", "北京市"):
            assert f'value="{region}"' in form.text
        assert 'name="email"' in form.text and "菏泽市政协" in form.text
        bad = httpx.post(server + "/subscribe", data={"email": "not-an-address"})
        assert bad.status_code == 400 and "有效的电子邮件地址" in bad.text

        asked = httpx.post(server + "/subscribe", data={
            "email": "Reader@Example.org", "mode": "instant", "regions": ["菏泽市"], "keywords": ""})
        assert asked.status_code == 200 and "请查收邮件" in asked.text
        again = httpx.post(server + "/subscribe", data={"email": "reader@example.ORG", "mode": "instant",
                                                        "regions": ["菏泽市"]})
        assert again.status_code == 200
        assert scalar("SELECT COUNT(*) FROM outbox WHERE kind='confirm'") == 1  # once per hour
        assert wait(lambda: len(sink.received) == 1)
        (rcpt, raw), = sink.received
        assert rcpt == ["Reader@Example.org"] and "请确认订阅" in str(parse(raw)["Subject"])
        confirm = _local(_link(texts(raw)[0], "/subscribe/confirm?token="), server)
        assert "example.org" not in confirm.lower()
        assert [s["status"] for s in _subs(cfg)] == ["pending"]
        # Nothing but the confirmation goes to an unconfirmed address.
        sd0 = dated_items(1, start=5, titles=["菏泽市政协确认前的新闻"])
        web.set(f"/{site}/sd/list.html", list_page(sd0 + sd_base))
        assert wait(lambda: scalar("SELECT COUNT(*) FROM items WHERE title LIKE '%确认前%' "
                                   "AND notified = 1") == 1)
        assert len(sink.received) == 1
        sd_base = sd0 + sd_base

        shown = httpx.get(confirm)  # a link scanner's GET confirms nothing
        assert shown.status_code == 200 and "确认订阅" in shown.text and "菏泽市" in shown.text
        assert [s["status"] for s in _subs(cfg)] == ["pending"]
        done = httpx.post(confirm.split("?")[0], data={"token": confirm.split("token=")[1]})
        assert done.status_code == 200 and "订阅已生效" in done.text
        assert [s["status"] for s in _subs(cfg)] == ["active"]

        # A burst over several polls: one alert now, the rest held for alert_every.
        sd1 = dated_items(2, start=10, titles=["菏泽市政协召开提案督办会"])
        bj1 = dated_items(1, start=60, titles=["北京市政协视察城市副中心"])
        web.set(f"/{site}/sd/list.html", list_page(sd1 + sd_base))
        web.set(f"/{site}/bj/list.html", list_page(bj1 + bj_base))
        assert wait(lambda: len(sink.received) == 2)
        alert = sink.received[1][1]
        plain, html = texts(alert)
        assert all(t in plain for _, t, _ in sd1) and "城市副中心" not in plain
        assert "菏泽市" in str(parse(alert)["Subject"])
        sd2 = dated_items(2, start=20, titles=["菏泽市政协委员视察黄河滩区"])
        web.set(f"/{site}/sd/list.html", list_page(sd2 + sd1 + sd_base))
        assert wait(lambda: scalar("SELECT COUNT(*) FROM alert_backlog") == 2)
        assert len(sink.received) == 2
        (Path(tmp_path) / "alert-headers.txt").write_text(header_block(alert))

        if CHROMIUM:
            dom = dump_dom(html, tmp_path)
            for _, title, _ in sd1:
                assert title in dom
            assert dom.count('href="http') >= len(sd1) and "/subscription?token=" in dom

        manage = _local(_link(plain, "/subscription?token="), server)
        page = httpx.get(manage)
        assert page.status_code == 200 and 'value="菏泽市" checked' in page.text
        token = manage.split("token=")[1]
        saved = httpx.post(manage.split("?")[0], data={"token": token, "action": "save", "mode": "daily",
                                                       "regions": ["北京市"], "keywords": ""})
        assert saved.status_code == 200 and "已保存" in saved.text
        (sub,) = _subs(cfg)
        assert sub["mode"] == "daily" and sub["regions"] == ["北京市"]

        sent = zxfeed("digest", "--all", "--send", config=cfg)  # the daemon holds the store
        assert sent.returncode == 0 and "queued=1" in sent.stdout, sent.stdout + sent.stderr
        assert wait(lambda: len(sink.received) == 3)
        digest = sink.received[2][1]
        dplain, _ = texts(digest)
        assert "城市副中心" in dplain and "每日摘要 · 北京市" in str(parse(digest)["Subject"])

        lines = header_block(digest).split("\r\n")
        (unsub,) = [x for x in lines if x.startswith("List-Unsubscribe: ")]
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
        one_click = _local(unsub.removeprefix("List-Unsubscribe: ").strip("<>"), server)
        gone = httpx.post(one_click, content=b"List-Unsubscribe=One-Click",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert gone.status_code == 200 and "已退订" in gone.text
        assert _subs(cfg) == []
        assert "eader@" not in zxfeed("digest", "--all", config=cfg).stdout  # nobody left to send to

        back = httpx.post(manage.split("?")[0], data={"token": token, "action": "resubscribe"})
        assert back.status_code == 200 and "订阅已恢复" in back.text
        assert [s["status"] for s in _subs(cfg)] == ["active"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        sink.stop()
    assert proc.returncode == 0, err[-3000:]


def test_unsubscribe_token_names_one_subscription(tmp_path: Path, web: TestWeb) -> None:
    from zxfeed.config.settings import load_config
    from zxfeed.notify.notifier import Notifier
    from zxfeed.notify.tokens import make_token, sign
    from zxfeed.store import Store
    from zxfeed.web.app import FeedServer

    cfg_path = mail_config(tmp_path, web, "s2", "",
                           body='[[subscribers]]\nemail = "a@example.org"\n'
                                '[[subscribers]]\nemail = "b@example.org"\n')
    cfg = load_config(cfg_path)
    store = Store(cfg.db_path)
    notifier = Notifier(cfg, store)
    server = FeedServer("127.0.0.1", 0, cfg.feeds_dir, store, notifier=notifier)
    server.start()
    try:
        ids = {s["email"]: s["id"] for s in _subs(cfg_path)}
        secret = notifier.builder.secret
        forged = make_token(secret, "unsubscribe", ids["a@example.org"]).replace(
            f".{ids['a@example.org']}.", f".{ids['b@example.org']}.")
        r = httpx.post(f"{server.url}/unsubscribe?token={forged}", content=b"List-Unsubscribe=One-Click")
        assert r.status_code == 400 and "没有退订任何订阅" in r.text

        # A link from before subscription ids, with the address in other case: the real row ends.
        old = {"email": "A@EXAMPLE.ORG", "token": sign(secret, "a@example.org")}
        r = httpx.post(f"{server.url}/unsubscribe", data=old)
        assert r.status_code == 200 and "已退订" in r.text
        assert {s["email"] for s in _subs(cfg_path)} == {"b@example.org"}
        with sqlite3.connect(cfg.db_path) as db:
            assert db.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0] == 2  # no new row

        b_link = f"{server.url}/unsubscribe?token={make_token(secret, 'unsubscribe', ids['b@example.org'])}"
        assert "确认退订" in httpx.get(b_link).text and len(_subs(cfg_path)) == 1  # GET only asks
        assert "已退订" in httpx.post(b_link, content=b"List-Unsubscribe=One-Click").text
        assert _subs(cfg_path) == []

        expired = make_token(secret, "confirm", ids["a@example.org"],
                             datetime.now(UTC) - timedelta(minutes=1))
        r = httpx.get(f"{server.url}/subscribe/confirm?token={expired}")
        assert r.status_code == 400 and "已过期" in r.text
    finally:
        server.stop()
        store.close()


def test_sign_up_rate_limited_per_client(tmp_path: Path, web: TestWeb) -> None:
    from zxfeed.config.settings import load_config
    from zxfeed.notify.notifier import Notifier
    from zxfeed.store import Store
    from zxfeed.web.app import FeedServer

    cfg = load_config(mail_config(tmp_path, web, "s3", ""))
    store = Store(cfg.db_path)
    server = FeedServer("127.0.0.1", 0, cfg.feeds_dir, store, notifier=Notifier(cfg, store))
    server.start()
    try:
        codes = [httpx.post(f"{server.url}/subscribe", data={"email": f"u{i}@example.org"}).status_code
                 for i in range(8)]
        assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
        # Behind a reverse proxy on this host, each client it names has its own allowance.
        proxied = [httpx.post(f"{server.url}/subscribe", data={"email": f"p{i}@example.org"},
                              headers={"X-Forwarded-For": f"198.51.100.7, 203.0.113.{i}"}).status_code
                   for i in range(6)]
        assert proxied == [200] * 6
        with sqlite3.connect(cfg.db_path) as db:
            assert db.execute("SELECT COUNT(*) FROM outbox WHERE kind='confirm'").fetchone()[0] == 11
    finally:
        server.stop()
        store.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_alert_html_in_chromium_has_no_script_links(tmp_path: Path, web: TestWeb) -> None:
    from zxfeed.config.settings import load_config
    from zxfeed.models import Item
    from zxfeed.notify import subscriptions
    from zxfeed.notify.messages import MessageBuilder

    cfg = load_config(mail_config(tmp_path, web, "s4", ""))
    builder = MessageBuilder(cfg, b"k" * 32)
    now = datetime.now(UTC)
    items = [Item(id="1", url="x", link="javascript:alert(document.cookie)",
                  title="<script>alert(1)</script>委员建议", truncated=False, published=now,
                  has_time=True, source_id="s4-sd", source_name="菏泽市政协", regions=("山东省",)),
             Item(id="2", url="y", link="http://www.hzzx.gov.cn/a/1.html", title="正常标题",
                  truncated=False, published=now, has_time=True, source_id="s4-sd",
                  source_name="菏泽市政协", regions=("山东省",), summary="<img src=x onerror=alert(2)>")]
    sub = subscriptions.Subscription(id=7, email="a@example.org", address="a@example.org")
    mail = builder.alert(sub, items, now)
    dom = dump_dom(texts(mail.raw)[1], tmp_path)
    assert "javascript:" not in dom and "<script>alert" not in dom and "<img" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;委员建议" in dom
    assert 'href="http://www.hzzx.gov.cn/a/1.html"' in dom


def test_pause_and_resume_from_the_manage_page(tmp_path: Path, web: TestWeb) -> None:
    from zxfeed.config.settings import load_config
    from zxfeed.notify.notifier import Notifier
    from zxfeed.store import Store
    from zxfeed.web.app import FeedServer

    sink = SmtpSink()
    site = "s5"
    base = dated_items(2)
    web.set(f"/{site}/sd/list.html", list_page(base))
    web.set(f"/{site}/bj/list.html", list_page(dated_items(1, start=40)))
    cfg_path = mail_config(tmp_path, web, site, smtp_table(sink.port), notify="alert_every = 0",
                           body='[[subscribers]]\nemail = "p@example.org"\n')
    zxfeed("poll", config=cfg_path)
    cfg = load_config(cfg_path)
    store = Store(cfg.db_path)
    notifier = Notifier(cfg, store)
    server = FeedServer("127.0.0.1", 0, cfg.feeds_dir, store, notifier=notifier)
    server.start()
    try:
        (sub,) = _subs(cfg_path)
        token = notifier.builder.link("manage", type("S", (), {"id": sub["id"]})()).split("token=")[1]
        r = httpx.post(f"{server.url}/subscription", data={"token": token, "action": "pause"})
        assert r.status_code == 200 and "已暂停" in r.text and 'value="resume"' in r.text
        base = dated_items(1, start=10) + base
        web.set(f"/{site}/sd/list.html", list_page(base))
        zxfeed("poll", config=cfg_path)
        assert sink.received == []
        r = httpx.post(f"{server.url}/subscription", data={"token": token, "action": "resume"})
        assert r.status_code == 200 and "订阅已恢复" in r.text
        base = dated_items(1, start=20) + base
        web.set(f"/{site}/sd/list.html", list_page(base))
        zxfeed("poll", config=cfg_path)
        ((_, raw),) = sink.received
        assert "第20期" in texts(raw)[0] and "第10期" not in texts(raw)[0]  # paused time stays quiet
        assert httpx.get(f"{server.url}/subscription?token=0.{sub['id']}.0.forged").status_code == 400
    finally:
        server.stop()
        store.close()
        sink.stop()
