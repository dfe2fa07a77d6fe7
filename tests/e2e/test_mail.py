"""Mail as real servers receive it: raw list headers, verified TLS, bounded floods, addresses."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import zxfeed
from support.mailkit import BASE, header_block, mail_config, make_cert, raw_headers, smtp_table, texts
from support.pages import dated_items, list_page
from support.smtpsink import SmtpSink
from support.webserver import TestWeb


@pytest.fixture
def sink():
    server = SmtpSink()
    yield server
    server.stop()


def _publish(web: TestWeb, site: str, sd: list, bj: list | None = None) -> None:
    web.set(f"/{site}/sd/list.html", list_page(sd))
    web.set(f"/{site}/bj/list.html", list_page(bj if bj is not None else dated_items(2, start=200)))


def _db(tmp: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp / "data" / "zxfeed.db")


def _check_wire(raw: bytes) -> None:
    """What every message must look like on the wire: CRLF lines of at most 998 characters."""
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    for name, value in raw_headers(raw).items():
        if name.startswith("list-"):
            assert "=?" not in value, (name, value)


def test_list_headers_plain_on_the_wire_for_every_kind(tmp_path: Path, web: TestWeb,
                                                        sink: SmtpSink) -> None:
    site = "m1"
    _publish(web, site, dated_items(2))
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      body='[[subscribers]]\nemail = "all@example.org"\n'
                           '[[subscribers]]\nemail = "d@example.org"\nmode = "daily"\n',
                      notify="operator_after = 10\noperator_every = 0",
                      top='operator = "ops@example.org"\n')
    assert zxfeed("poll", config=cfg).returncode == 0
    _publish(web, site, dated_items(2, start=10) + dated_items(2))
    web.set(f"/{site}/bj/list.html", "down", status=500)
    assert zxfeed("poll", config=cfg).returncode == 0
    assert "sent=1" in zxfeed("digest", "--all", "--send", config=cfg).stdout
    with _db(tmp_path) as db:
        db.execute("UPDATE sources SET state_since='2020-01-01T00:00:00+00:00' WHERE state='failing'")
    assert zxfeed("poll", config=cfg).returncode == 0

    from zxfeed.config.settings import load_config
    from zxfeed.notify.notifier import Notifier
    from zxfeed.store import Store
    store = Store(tmp_path / "data" / "zxfeed.db")
    notifier = Notifier(load_config(cfg), store)
    assert notifier.request("new@example.org", "instant", {}) == "sent"
    notifier.deliver()
    store.close()

    kinds = {}
    for rcpt, raw in sink.received:
        _check_wire(raw)
        kinds[rcpt[0]] = raw
    assert set(kinds) == {"all@example.org", "d@example.org", "ops@example.org", "new@example.org"}
    for who in ("all@example.org", "d@example.org"):
        lines = header_block(kinds[who]).split("\r\n")
        # Verbatim: one line, angle brackets, the https URL in ASCII — never an encoded-word.
        (unsub,) = [line for line in lines if line.lower().startswith("list-unsubscribe:")]
        m = re.fullmatch(r"List-Unsubscribe: <(https://[!-~]+)>", unsub)
        assert m and m.group(1).startswith(BASE + "/unsubscribe?token="), lines
        assert "example.org" not in m.group(1).split("?", 1)[1]  # no address in the link
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
        assert "List-Id: zxfeed <zxfeed.zxfeed.example>" in lines
        plain, html = texts(kinds[who])
        assert BASE + "/subscription?token=" in plain and BASE + "/subscription?token=" in html
    for who in ("ops@example.org", "new@example.org"):
        assert "List-Unsubscribe" not in header_block(kinds[who])
    assert BASE + "/subscribe/confirm?token=" in texts(kinds["new@example.org"])[0]


def _tls_setup(tmp: Path, web: TestWeb, site: str, port: int, extra: str) -> Path:
    return mail_config(tmp, web, site, smtp_table(port, 'username = "news"\n'
                                                        'password_env = "ZX_MAIL_PW"\n' + extra),
                       body='[[subscribers]]\nemail = "all@example.org"\n',
                       notify="alert_every = 0")


def test_starttls_untrusted_certificate_refused_then_trusted_with_ca_file(
        tmp_path: Path, web: TestWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZX_MAIL_PW", "secret-pw")
    cert, ctx = make_cert(tmp_path / "tls")
    sink = SmtpSink(tls_context=ctx, auth=True)
    try:
        site = "m2"
        _publish(web, site, dated_items(2))
        cfg = _tls_setup(tmp_path, web, site, sink.port, "starttls = true\n")
        zxfeed("poll", config=cfg)
        _publish(web, site, dated_items(1, start=10) + dated_items(2))
        first = zxfeed("poll", config=cfg)
        assert "failed=1" in first.stdout, first.stdout + first.stderr
        assert "certificate" in first.stderr and "ca_file" in first.stderr
        assert sink.received == [] and sink.logins == []  # no password to an unverified server
        _publish(web, site, dated_items(1, start=11) + dated_items(1, start=10) + dated_items(2))
        zxfeed("poll", config=cfg)
        with _db(tmp_path) as db:
            rows = db.execute("SELECT status, attempts, last_error FROM outbox ORDER BY id").fetchall()
        assert [(r[0], r[1]) for r in rows] == [("failed", 1), ("failed", 1)]  # never retried
        assert all(r[2].startswith("tls: certificate") for r in rows)
        _delivery_error_shown(cfg)

        cfg.write_text(cfg.read_text("utf-8").replace(
            "starttls = true\n", f'starttls = true\nca_file = "{cert}"\n'), "utf-8")
        zxfeed("poll", config=cfg)
        assert len(sink.received) == 2 and sink.logins and sink.logins[0][1] == "news"
    finally:
        sink.stop()


def _delivery_error_shown(cfg: Path) -> None:
    """/metrics and the status page of a server on this store name the stopped delivery."""
    import httpx

    from zxfeed.config.settings import load_config
    from zxfeed.notify.notifier import Notifier
    from zxfeed.store import Store
    from zxfeed.web.app import FeedServer
    from zxfeed.web.metrics import Metrics
    from zxfeed.web.status import render_status
    from zxfeed.web.subscribe import mail_notice
    conf = load_config(cfg)
    store = Store(conf.db_path)
    notifier = Notifier(conf, store)
    server = FeedServer("127.0.0.1", 0, conf.feeds_dir, store, notifier=notifier,
                        metrics=Metrics(store).render,
                        status=lambda q: render_status(conf, store, {}, q,
                                                       notices=[n for n in (mail_notice(notifier),) if n]))
    server.start()
    try:
        metrics = httpx.get(server.url + "/metrics").text
        assert 'zxfeed_mail_delivery_error{kind="tls"} 1.0' in metrics
        assert 'zxfeed_outbox_messages{status="failed"} 2.0' in metrics
        status = httpx.get(server.url + "/").text
        assert "邮件投递已停止" in status and "certificate" in status
    finally:
        server.stop()
        store.close()


def test_smtps_checks_the_host_name(tmp_path: Path, web: TestWeb, monkeypatch) -> None:
    monkeypatch.setenv("ZX_MAIL_PW", "secret-pw")
    wrong, wrong_ctx = make_cert(tmp_path / "wrong", names="DNS:mail.example.org")
    good, good_ctx = make_cert(tmp_path / "good")
    bad_sink, good_sink = SmtpSink(ssl_context=wrong_ctx), SmtpSink(ssl_context=good_ctx, auth=True)
    try:
        site = "m3"
        _publish(web, site, dated_items(2))
        cfg = _tls_setup(tmp_path, web, site, bad_sink.port, f'ssl = true\nca_file = "{wrong}"\n')
        zxfeed("poll", config=cfg)
        _publish(web, site, dated_items(1, start=10) + dated_items(2))
        proc = zxfeed("poll", config=cfg)
        assert "failed=1" in proc.stdout and bad_sink.received == [], proc.stdout + proc.stderr
        assert "127.0.0.1" in proc.stderr  # the mismatch is named
        cfg.write_text(cfg.read_text("utf-8").replace(str(bad_sink.port), str(good_sink.port))
                       .replace(str(wrong), str(good)), "utf-8")
        zxfeed("poll", config=cfg)
        (rcpt, raw), = good_sink.received
        assert rcpt == ["all@example.org"] and b"List-Unsubscribe: <https://" in raw
    finally:
        bad_sink.stop()
        good_sink.stop()


def test_username_without_tls_is_a_config_error(tmp_path: Path, web: TestWeb) -> None:
    cfg = mail_config(tmp_path, web, "m4", smtp_table(25, 'username = "news"\n'))
    proc = zxfeed("check", config=cfg)
    assert proc.returncode == 2 and "starttls" in proc.stderr and "allow_plain_auth" in proc.stderr
    cfg.write_text(cfg.read_text("utf-8").replace('username = "news"\n',
                                                  'username = "news"\nallow_plain_auth = true\n'))
    assert zxfeed("check", config=cfg).returncode == 0


def test_alerts_at_most_one_per_alert_every(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "m5"
    base = dated_items(2)
    _publish(web, site, base)
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      body='[[subscribers]]\nemail = "all@example.org"\n')
    zxfeed("poll", config=cfg)
    first = dated_items(2, start=10)
    _publish(web, site, first + base)
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 1  # the first alert goes at once
    later = []
    for n in range(3):  # a burst over three polls inside alert_every (10 min by default)
        later = dated_items(1, start=20 + n) + later
        _publish(web, site, later + first + base)
        zxfeed("poll", config=cfg)
    assert len(sink.received) == 1
    with _db(tmp_path) as db:
        assert db.execute("SELECT COUNT(*) FROM alert_backlog").fetchone()[0] == 3
        db.execute("UPDATE subscriptions SET last_alert='2020-01-01T00:00:00+00:00'")
    zxfeed("poll", config=cfg)  # alert_every has passed: the held items go together
    assert len(sink.received) == 2
    plain, _ = texts(sink.received[1][1])
    assert all(t in plain for _, t, _ in later) and not any(t in plain for _, t, _ in first)
    assert "3 条新信息" in texts(sink.received[1][1])[0]
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 2


def test_operator_one_mail_per_incident_round(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "m6"
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port), top='operator = "ops@example.org"\n',
                      notify="operator_after = 10",
                      body=f'[[sources]]\nid = "{site}-x"\nname = "某区政协"\n'
                           f'url = "{web.url(f"/{site}/x/list.html")}"\nregion = "河北省"\n')
    for part in ("sd", "bj", "x"):
        web.set(f"/{site}/{part}/list.html", "down", status=503)
    zxfeed("poll", config=cfg)
    with _db(tmp_path) as db:
        db.execute("UPDATE sources SET state_since='2020-01-01T00:00:00+00:00'")
    zxfeed("poll", config=cfg)
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 1  # one message for 3 sources, not 3
    plain, html = texts(sink.received[0][1])
    assert "某区政协" in html
    for sid, name, part in ((f"{site}-sd", "菏泽市政协", "sd"), (f"{site}-bj", "北京市政协", "bj"),
                            (f"{site}-x", "某区政协", "x")):
        assert sid in plain and name in plain and web.url(f"/{site}/{part}/list.html") in plain
    assert plain.count("failing") >= 3 and "2020-01-01" in plain and "3 个来源异常" in plain

    for part in ("sd", "bj", "x"):
        web.set(f"/{site}/{part}/list.html", list_page(dated_items(2)))
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 1  # recovered, but within operator_every (1 h)
    with _db(tmp_path) as db:
        db.execute("UPDATE meta SET value='2020-01-01T00:00:00+00:00' WHERE key='operator_last_mail'")
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 2
    plain, _ = texts(sink.received[1][1])
    assert "3 个来源已恢复" in plain and all(f"{site}-{p}" in plain for p in ("sd", "bj", "x"))
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 2


def test_same_address_in_other_case_gets_one_mail(tmp_path: Path, web: TestWeb,
                                                  sink: SmtpSink) -> None:
    site = "m7"
    _publish(web, site, dated_items(2))
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      body='[[subscribers]]\nemail = "Reader@Example.org"\n')
    # The same address twice in the config is refused by `check`; from the CLI it is the same reader.
    assert zxfeed("subscribers", "add", "reader@EXAMPLE.ORG", config=cfg).returncode == 0
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(2, start=10) + dated_items(2))
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 1
    listed = json.loads(zxfeed("subscribers", "--json", config=cfg).stdout)
    # Two subscriptions (config and CLI) of one reader: still one mail per round.
    assert sorted(s["email"] for s in listed) == ["Reader@Example.org", "reader@EXAMPLE.ORG"]
    added = zxfeed("subscribers", "add", "READER@example.org", "--mode", "daily", config=cfg)
    assert added.returncode == 0
    _publish(web, site, dated_items(1, start=20) + dated_items(2, start=10) + dated_items(2))
    zxfeed("poll", config=cfg)
    assert len(sink.received) == 1  # alert_every holds the second alert for the same address


def test_subscribers_command(tmp_path: Path, web: TestWeb) -> None:
    cfg = mail_config(tmp_path, web, "m8", "")
    ok = zxfeed("subscribers", "add", "Zhang@Example.org", "--mode", "daily", "--region", "菏泽市",
                "--keyword", "提案,协商", "--keyword", "视察", config=cfg)
    assert ok.returncode == 0, ok.stderr
    bad = zxfeed("subscribers", "add", "x@example.org", "--region", "火星", config=cfg)
    assert bad.returncode == 2 and "火星" in bad.stderr
    (row,) = json.loads(zxfeed("subscribers", "--json", config=cfg).stdout)
    assert row["email"] == "Zhang@Example.org" and row["mode"] == "daily"
    assert row["regions"] == ["菏泽市"] and row["keywords"] == ["提案", "协商", "视察"]
    assert row["status"] == "active" and row["origin"] == "cli"
    assert "Zhang@Example.org" in zxfeed("subscribers", config=cfg).stdout
    gone = zxfeed("subscribers", "remove", "zhang@EXAMPLE.org", config=cfg)
    assert gone.returncode == 0 and "1 subscription" in gone.stdout
    assert json.loads(zxfeed("subscribers", "--json", config=cfg).stdout) == []
    assert zxfeed("subscribers", "remove", "zhang@example.org", config=cfg).returncode == 1


def test_bounded_alert_lists_a_cap_and_links_the_rest(tmp_path: Path, web: TestWeb,
                                                      sink: SmtpSink) -> None:
    site = "m9"
    _publish(web, site, dated_items(2))
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      body='[[subscribers]]\nemail = "sd@example.org"\nregions = ["菏泽市"]\n')
    zxfeed("poll", config=cfg)
    today = dated_items(1)[0][2]  # all fresh: older items than max_age send no alert
    burst = [(n, f"委员调研报告第{n}号", today) for n in range(1000, 1120)]
    _publish(web, site, burst + dated_items(2))
    zxfeed("poll", config=cfg)
    ((_, raw),) = sink.received
    plain, html = texts(raw)
    listed = [t for _, t, _ in burst if t in plain]
    assert len(listed) == 50 and html.count("<li") == 50  # [notify] alert_max_items
    assert "另有 70 条" in plain and "120 条新信息" in plain
    assert f"{BASE}/feeds/region/%E8%8F%8F%E6%B3%BD%E5%B8%82.atom" in plain
    assert len(raw) < 60_000


def test_digest_preview_and_summaries(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    site = "m10"
    _publish(web, site, dated_items(2))
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      body='[[subscribers]]\nemail = "Daily@example.org"\nmode = "daily"\n'
                           'keywords = ["提案"]\n')
    zxfeed("poll", config=cfg)
    new = [(30, "提案办理协商会聚焦老旧小区改造（第30期）", dated_items(1)[0][2])]
    _publish(web, site, new + dated_items(2))
    zxfeed("poll", config=cfg)
    with _db(tmp_path) as db:
        db.execute("UPDATE items SET summary='会议围绕加装电梯、停车难等问题深入协商。' "
                   "WHERE title LIKE '%第30期%'")
    for _ in range(2):  # a preview changes nothing
        prev = zxfeed("digest", "--preview", "daily@EXAMPLE.org", config=cfg)
        assert prev.returncode == 0, prev.stderr
        assert "第30期" in prev.stdout and "加装电梯" in prev.stdout and "「提案」" in prev.stdout
    assert sink.received == []
    assert zxfeed("digest", "--preview", "nobody@example.org", config=cfg).returncode == 1
    zxfeed("digest", "--all", "--send", config=cfg)
    ((_, raw),) = sink.received
    plain, html = texts(raw)
    assert "加装电梯" in plain and "加装电梯" in html
    assert parse_subject(raw) == "【政协动态】每日摘要 · 「提案」 1 条新信息"


def parse_subject(raw: bytes) -> str:
    from support.mailkit import parse
    return str(parse(raw)["Subject"])


def test_dkim_signature_verifies_on_received_bytes(tmp_path: Path, web: TestWeb,
                                                   sink: SmtpSink) -> None:
    import base64
    import subprocess

    import dkim

    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                            check=True, capture_output=True).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    site = "m11"
    _publish(web, site, dated_items(2))
    cfg = mail_config(tmp_path, web, site,
                      smtp_table(sink.port, 'dkim_key_file = "dkim.pem"\ndkim_selector = "zx2026"\n'),
                      body='[[subscribers]]\nemail = "all@example.org"\n')
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(1, start=10) + dated_items(2))
    zxfeed("poll", config=cfg)
    ((_, raw),) = sink.received
    asked = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record

    assert raw.startswith(b"DKIM-Signature: ")
    assert dkim.verify(raw, dnsfunc=dns) and asked == [b"zx2026._domainkey.zxfeed.example."]
    signed = raw.split(b"\r\n\r\n", 1)[0].split(b"h=", 1)[1].split(b";", 1)[0].lower()
    assert b"list-unsubscribe" in signed and b"list-unsubscribe-post" in signed
    forged = raw.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <https://x", 1)
    assert not dkim.verify(forged, dnsfunc=dns)


def test_config_subscribers_merged_into_the_store(tmp_path: Path, web: TestWeb) -> None:
    cfg = mail_config(tmp_path, web, "m12", "", body='[[subscribers]]\nemail = "a@example.org"\n'
                                                     'keywords = ["提案"]\n')
    (row,) = json.loads(zxfeed("subscribers", "--json", config=cfg).stdout)
    assert row["origin"] == "config" and row["keywords"] == ["提案"]
    text = cfg.read_text("utf-8")
    cfg.write_text(text.replace('keywords = ["提案"]', 'keywords = ["协商"]'), "utf-8")
    (row,) = json.loads(zxfeed("subscribers", "--json", config=cfg).stdout)
    assert row["keywords"] == ["协商"]  # an edited entry wins
    cfg.write_text(text.split("[[subscribers]]")[0], "utf-8")
    assert json.loads(zxfeed("subscribers", "--json", config=cfg).stdout) == []  # removed: no mail
    cfg.write_text(text, "utf-8")
    (again,) = json.loads(zxfeed("subscribers", "--json", config=cfg).stdout)
    assert again["id"] == row["id"] and again["status"] == "active"


def test_daemon_sends_a_due_digest_on_its_own(tmp_path: Path, web: TestWeb, sink: SmtpSink) -> None:
    import signal
    import subprocess
    import sys

    from conftest import ROOT
    from support.mailkit import wait
    from support.smtpsink import free_port

    site = "m13"
    _publish(web, site, dated_items(2))
    cfg = mail_config(tmp_path, web, site, smtp_table(sink.port),
                      server=f"[server]\nport = {free_port()}\n",
                      body='[[subscribers]]\nemail = "d@example.org"\nmode = "weekly"\n')
    zxfeed("poll", config=cfg)
    _publish(web, site, dated_items(1, start=10) + dated_items(2))
    zxfeed("poll", config=cfg)
    with _db(tmp_path) as db:  # the last digest was long ago: one is due now
        db.execute("UPDATE subscriptions SET digest_until='2020-01-01T00:00:00+00:00'")
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait(lambda: len(sink.received) == 1, timeout=90)
        assert "每周摘要" in parse_subject(sink.received[0][1])
        assert "第10期" in texts(sink.received[0][1])[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
