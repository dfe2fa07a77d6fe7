"""Helpers for mail tests: configs with an SMTP sink, raw header reading, certificates, waits."""

from __future__ import annotations

import email
import re
import sqlite3
import ssl
import subprocess
import time
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from conftest import write_config
from support.webserver import TestWeb

BASE = "https://feeds.example.org/zhengxie-dongtai"  # long enough that a naive fold encodes it


def mail_config(tmp: Path, web: TestWeb, site: str, smtp: str, body: str = "", notify: str = "",
                top: str = "", server: str = "", base_url: str | None = None) -> Path:
    """Two sources (山东省菏泽市, 北京市) on the test web, mail through ``smtp`` (a TOML table).

    ``base_url`` defaults to :data:`BASE`; ``""`` leaves it out of the config.
    """
    path = write_config(tmp, f"""
        {server}
        {smtp}
        [notify]
        retry_base = 0.2
        retry_cap = 1
        {notify}
        [[sources]]
        id = "{site}-sd"
        name = "菏泽市政协"
        url = "{web.url(f'/{site}/sd/list.html')}"
        region = "山东省"
        city = "菏泽市"
        [[sources]]
        id = "{site}-bj"
        name = "北京市政协"
        url = "{web.url(f'/{site}/bj/list.html')}"
        region = "北京市"
        {body}
        """, top=top).resolve()
    if base_url != "":
        text = path.read_text("utf-8").replace('title = "政协动态"\n',
                                               f'title = "政协动态"\nbase_url = "{base_url or BASE}"\n', 1)
        path.write_text(text, "utf-8")
    return path


def smtp_table(port: int, extra: str = "") -> str:
    return f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "政协动态 <news@zxfeed.example>"\n{extra}\n'


def raw_headers(raw: bytes) -> dict[str, str]:
    """Header lines exactly as received (unfolded only at CRLF+space, never decoded)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    out: dict[str, str] = {}
    for line in re.split(r"\r\n(?![ \t])", head):
        name, _, value = line.partition(":")
        out.setdefault(name.lower(), value.strip())
    return out


def header_block(raw: bytes) -> str:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii")


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def texts(raw: bytes) -> tuple[str, str]:
    msg = parse(raw)
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def make_cert(folder: Path, names: str = "DNS:localhost,IP:127.0.0.1") -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate (openssl CLI) and a server context using it."""
    folder.mkdir(parents=True, exist_ok=True)
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=zxfeed test",
                    "-addext", f"subjectAltName={names}"], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return cert, ctx


def wait(cond, timeout: float = 60.0) -> bool:
    """Poll ``cond`` until true or the (generous) deadline passes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return True
        except sqlite3.OperationalError:
            pass  # a daemon that has created the store file but not yet its schema
        time.sleep(0.2)
    return False
