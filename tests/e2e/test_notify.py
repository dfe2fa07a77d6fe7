"""Email through a real SMTP server: alerts, filters, digests, faults, crash safety."""

from __future__ import annotations

import email
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from email.policy import default
from pathlib import Path

import pytest

from conftest import ROOT, zxfeed
from support.mailkit import mail_config, smtp_table, wait
from support.pages import dated_items, list_page
from support.smtpsink import SmtpSink
from support.webserver import TestWeb


@pytest.fixture
def sink():
    server = SmtpSink()
    yield server
    server.stop()


def _setup(tmp_path: Path, web: TestWeb, sink: SmtpSink | None, subscribers: str,
           site: str, extra: str = "") -> Path:
    return mail_config(tmp_path, web, site, smtp_table(sink.port) if sink else "", body=subscribers,
                       notify=extra, base_url="")


SUBS = """
        [[subscribers]]
        email = "all@example.org"
        [[subscribers]]
        email = "proposals@example.org"
        keywords = ["提案"]
        [[subscribers]]
        email = "beijing@example.org"
        regions = ["北京市"]
        exclude = ["座谈会"]
        [[subscribers]]
        email = "daily@example.org"
        mode = "daily"
        time = "08:00"
"""


def _publish(web: TestWeb, site: str, sd: list, bj: list) -> None:
    web.set(f"/{site}/sd/list.html", list_page(sd))
    web.set(f"/{site}/bj/list.html", list_page(bj))


def _texts(msg) -> tuple[str, str]:
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return plain, html


def test_alerts_one_message_per_poll_filtered(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n1"
    sd, bj = dated_items(3), dated_items(2, titles=["北京市政协召开专题座谈会", "北京市政协委员视察城市副中心建设"])
    _publish(web, site, sd, bj)
    cfg = _setup(tmp_path, web, sink, SUBS, site)
    first = zxfeed("poll", config=cfg)
    assert first.returncode == 0, first.stderr
    assert sink.received == []  # the first poll is a baseline

    new_sd = dated_items(2, start=10, titles=["市政协召开提案工作座谈会", "委员视察黄河滩区迁建工程"])
    new_bj = dated_items(2, start=20, titles=["北京市政协召开社情民意座谈会", "北京市政协委员调研老旧小区改造"])
    _publish(web, site, new_sd + sd, new_bj + bj)
    second = zxfeed("poll", config=cfg)
    assert second.returncode == 0 and "sent=3" in second.stdout, second.stdout + second.stderr

    per = Counter(r for rcpt, _ in sink.received for r in rcpt)
    assert per == {"all@example.org": 1, "proposals@example.org": 1, "beijing@example.org": 1}
    (all_msg,) = sink.messages("all@example.org")
    plain, html = _texts(all_msg)
    for _, title, _ in new_sd + new_bj:
        assert title in plain and title in html
    assert all_msg["Subject"] == "【政协动态】各地 4 条新信息"
    (prop,) = sink.messages("proposals@example.org")
    assert prop["Subject"] == "【政协动态】「提案」 1 条新信息"  # the keyword it asked for
    assert "提案工作座谈会" in _texts(prop)[0] and "滩区" not in _texts(prop)[0]
    (bj_msg,) = sink.messages("beijing@example.org")
    assert "老旧小区" in _texts(bj_msg)[0] and "社情民意座谈会" not in _texts(bj_msg)[0]
    ids = [m["Message-ID"] for m in sink.messages()]
    assert len(set(ids)) == len(ids) and all(i.endswith("@zxfeed.example>") for i in ids)
    for m in sink.messages():
        assert m["Date"] and m["List-Unsubscribe"].startswith("<http://127.0.0.1:8080/unsubscribe?")
        assert "List-Unsubscribe-Post" not in m  # only with an https base URL
        assert m.is_multipart() and m.get_content_type() == "multipart/alternative"

    third = zxfeed("poll", config=cfg)
    assert third.returncode == 0 and len(sink.received) == 3  # nothing twice


def test_old_items_and_escaping(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n2"
    _publish(web, site, dated_items(2), [])
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "all@example.org"\n', site)
    assert zxfeed("poll", config=cfg).returncode == 0
    old = [(50, "十天前的旧闻<script>alert(1)</script>", date.today() - timedelta(days=10))]
    # Written as text on the page (&lt;b&gt;), so the title really holds "<b>".
    new = [(51, "委员提出&lt;b&gt;加强&lt;/b&gt;“一老一小”服务的建议 &amp; 意见", date.today())]
    _publish(web, site, new + old + dated_items(2), [])
    assert zxfeed("poll", config=cfg).returncode == 0
    (msg,) = sink.messages("all@example.org")
    plain, html = _texts(msg)
    assert "旧闻" not in plain  # older than max_age at first sight: no alert
    assert "<b>加强</b>" in plain and "&lt;b&gt;加强&lt;/b&gt;" in html and "<b>加强" not in html
    assert "&amp; 意见" in html


def test_451_then_accepted_once(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n3"
    _publish(web, site, dated_items(2), [])
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "all@example.org"\n', site)
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(1, start=30) + dated_items(2), [])
    sink.defer = 1
    first = zxfeed("poll", config=cfg)
    assert "deferred=1" in first.stdout and sink.received == []
    time.sleep(0.3)
    again = zxfeed("poll", config=cfg)
    assert "sent=1" in again.stdout, again.stdout
    assert len(sink.messages("all@example.org")) == 1
    zxfeed("poll", config=cfg)
    assert len(sink.messages("all@example.org")) == 1


def test_server_down_then_back(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n4"
    _publish(web, site, dated_items(2), [])
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "all@example.org"\n'
                 '[[subscribers]]\nemail = "b@example.org"\n', site)
    zxfeed("poll", config=cfg)
    sink.stop()
    _publish(web, site, dated_items(1, start=40) + dated_items(2), [])
    down = zxfeed("poll", config=cfg)
    assert down.returncode == 0 and "deferred=1" in down.stdout, down.stdout + down.stderr
    sink.start()
    time.sleep(0.3)
    back = zxfeed("poll", config=cfg)
    assert "sent=2" in back.stdout, back.stdout
    assert Counter(r for rc, _ in sink.received for r in rc) == {"all@example.org": 1, "b@example.org": 1}


def test_550_for_one_recipient_others_unaffected(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n5"
    _publish(web, site, dated_items(2), [])
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "gone@example.org"\n'
                 '[[subscribers]]\nemail = "b@example.org"\n', site)
    zxfeed("poll", config=cfg)
    sink.refuse.add("gone@example.org")
    _publish(web, site, dated_items(1, start=40) + dated_items(2), [])
    proc = zxfeed("poll", config=cfg)
    assert "sent=1" in proc.stdout and "failed=1" in proc.stdout, proc.stdout
    db = sqlite3.connect(tmp_path / "data" / "zxfeed.db")
    rows = dict(db.execute("SELECT recipient, status || ' ' || COALESCE(last_error, '') FROM outbox"))
    assert rows["b@example.org"].startswith("sent")
    assert rows["gone@example.org"].startswith("failed 550")
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 1  # the failure is not retried


def test_sigkill_after_accept_before_mark(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n6"
    _publish(web, site, dated_items(2), [])
    cfg = _setup(tmp_path, web, sink, "".join(f'[[subscribers]]\nemail = "r{i}@example.org"\n'
                                              for i in range(3)), site)
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(2, start=60) + dated_items(2), [])
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "poll"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The server has the first message; the client is killed before it can record that.
    sink.on_message = lambda: os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    sink.on_message = None
    assert len(sink.received) == 1
    after = zxfeed("poll", config=cfg)
    assert after.returncode == 0, after.stderr
    per = Counter(r for rc, _ in sink.received for r in rc)
    assert set(per) == {"r0@example.org", "r1@example.org", "r2@example.org"}  # nothing lost
    assert sum(per.values()) <= 4  # at most the one message in flight went twice
    ids = Counter(m["Message-ID"] for m in sink.messages())
    assert max(ids.values()) <= 2 and sum(v - 1 for v in ids.values()) <= 1


def test_gbk_page_reaches_email_intact(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n7"
    names = ["朱镕基同志生平展在市政协开展", "王喆委员建议加强非遗保护", "李堃委员调研职业教育"]
    web.set(f"/{site}/sd/list.html", list_page(dated_items(2), charset="gb2312").encode("gbk"),
            content_type="text/html")
    web.set(f"/{site}/bj/list.html", list_page([]))
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "all@example.org"\n', site)
    zxfeed("poll", config=cfg)
    page = list_page(dated_items(3, start=70, titles=names) + dated_items(2), charset="gb2312")
    web.set(f"/{site}/sd/list.html", page.encode("gbk"), content_type="text/html")
    zxfeed("poll", config=cfg)
    (msg,) = sink.messages("all@example.org")
    plain, html = _texts(msg)
    for name in names:
        assert name in plain and name in html


def test_file_outbox_without_smtp(tmp_path: Path, web: TestWeb) -> None:
    site = "n8"
    _publish(web, site, dated_items(2), [])
    cfg = _setup(tmp_path, web, None, '[[subscribers]]\nemail = "all@example.org"\n', site)
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(1, start=80) + dated_items(2), [])
    zxfeed("poll", config=cfg)
    files = list((tmp_path / "data" / "outbox").glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert msg["To"] == "all@example.org" and msg["Message-ID"] and msg["Date"]
    assert "1 条新信息" in msg["Subject"]


def test_digest_command(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "n9"
    bj_old = dated_items(2, titles=["北京市政协常委会议", "北京市政协视察城市副中心"])
    _publish(web, site, dated_items(2), bj_old)
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "d@example.org"\nmode = "daily"\n'
                 '[[subscribers]]\nemail = "w@example.org"\nmode = "weekly"\nregions = ["北京市"]\n', site)
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(2, start=90) + dated_items(2),
             dated_items(1, start=95, titles=["北京市政协主席会议"]) + bj_old)
    zxfeed("poll", config=cfg)
    assert sink.received == []  # digest subscribers get no instant alerts
    dry = zxfeed("digest", "--all", config=cfg)
    assert "d@example.org: 【政协动态】每日摘要" in dry.stdout and "not sent" in dry.stdout
    assert sink.received == []
    sent = zxfeed("digest", "--all", "--send", config=cfg)
    assert "sent=2" in sent.stdout, sent.stdout + sent.stderr
    (daily,) = sink.messages("d@example.org")
    plain, html = _texts(daily)
    assert "== 山东省 ==" in plain and "== 北京市 ==" in plain and "【菏泽市政协】" in plain
    assert "<h2" in html and "菏泽市政协</h3>" in html
    assert "3 条新信息" in daily["Subject"]
    (weekly,) = sink.messages("w@example.org")
    assert "每周摘要" in weekly["Subject"] and "1 条新信息" in weekly["Subject"]
    assert "北京市政协主席会议" in _texts(weekly)[0]
    again = zxfeed("digest", "--all", "--send", config=cfg)
    assert "nothing new" in again.stdout and len(sink.received) == 2


def test_run_daemon_alerts_and_unsubscribe(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    import httpx

    from support.smtpsink import free_port

    site = "n10"
    port = free_port()
    _publish(web, site, dated_items(2), dated_items(2, titles=["北京市政协常委会议", "北京市政协视察活动"]))
    cfg = _setup(tmp_path, web, sink, '[[subscribers]]\nemail = "a@example.org"\n'
                 '[[subscribers]]\nemail = "b@example.org"\n', site,
                 extra="alert_every = 0")
    text = cfg.read_text("utf-8").replace("[notify]", f"[server]\nport = {port}\n[schedule]\ninterval = 10\n"
                                           "jitter = 0\n[notify]")
    cfg.write_text(text, "utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    try:
        db = tmp_path / "data" / "zxfeed.db"
        assert wait(lambda: db.exists() and sqlite3.connect(db).execute(
            "SELECT COUNT(*) FROM sources WHERE baseline_at IS NOT NULL").fetchone()[0] == 2)
        _publish(web, site, dated_items(1, start=100) + dated_items(2),
                 dated_items(2, titles=["北京市政协常委会议", "北京市政协视察活动"]))
        assert wait(lambda: len(sink.received) == 2), sink.received
        (msg,) = sink.messages("a@example.org")
        url = msg["List-Unsubscribe"].strip("<>")
        page = httpx.get(url)
        assert page.status_code == 200 and "确认退订" in page.text  # GET only asks
        forged = httpx.post(url.split("?")[0], data={"email": "a@example.org", "token": "forged"})
        assert forged.status_code == 400
        done = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and "已退订" in done.text

        _publish(web, site, dated_items(1, start=101) + dated_items(1, start=100) + dated_items(2),
                 dated_items(2, titles=["北京市政协常委会议", "北京市政协视察活动"]))
        assert wait(lambda: len(sink.received) == 3)
        time.sleep(1)
        assert Counter(r for rc, _ in sink.received for r in rc) == {"a@example.org": 1, "b@example.org": 2}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
