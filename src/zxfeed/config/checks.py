"""Checks pydantic cannot make field by field: things that would only break at run time.

Each problem is one line, ``FILE: KEY: problem — fix``, raised as :class:`ConfigError`.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

if TYPE_CHECKING:
    from .settings import Config

Origin = dict[str, tuple[Path, int]]  # source id → (file it is in, its index there)


def _error(file: Path, key: str, problem: str, fix: str) -> Exception:
    from .settings import ConfigError

    return ConfigError(f"{file}: {key}: {problem} — {fix}")


def check_config(file: Path, cfg: Config, origin: Origin) -> None:
    """Reject what would break polls, links or mail later; the first problem wins."""
    try:
        ZoneInfo(cfg.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _error(file, "schedule.timezone", f"unknown time zone {cfg.schedule.timezone!r}",
                     'use an IANA name such as "Asia/Shanghai"') from None
    check_server(file, cfg)
    check_storage(file, cfg)
    if cfg.smtp is not None and cfg.smtp.ssl and cfg.smtp.starttls:
        raise _error(file, "smtp.starttls", "ssl = true and starttls = true exclude each other",
                     "keep ssl = true for port 465, or starttls = true for port 587, not both")
    seen: dict[str, int] = {}
    for i, sub in enumerate(cfg.subscribers):
        address = sub.email.lower()
        if address in seen:
            raise _error(file, f"subscribers[{i}].email",
                         f"{sub.email!r} is already subscribers[{seen[address]}]",
                         "list each address once (combine their filters, or use one mode)")
        seen[address] = i
    for src in cfg.sources:
        where, index = origin.get(src.id, (file, 0))
        key = f"sources[{index}]"
        if src.json_fields is not None and src.kind != "json":
            raise _error(where, f"{key}.json", f"a [sources.json] table on a kind = {src.kind!r} "
                         "source is never read", 'add kind = "json" or remove the table')
        if src.selectors is not None:
            for name, value in src.selectors.model_dump().items():
                if value is None:
                    continue
                try:
                    CSSSelector(value)
                except SelectorError as exc:
                    raise _error(where, f"{key}.selectors.{name}",
                                 f"{value!r} is not a valid CSS selector ({exc})",
                                 "fix it; try it with `zxfeed extract URL --item ...`") from None


def check_storage(file: Path, cfg: Config) -> None:
    """``[storage] url``: a PostgreSQL URL psycopg can read, without a password, psycopg installed."""
    url = cfg.storage.url
    if url is None:
        return
    example = '例如 url = "postgresql://zxfeed@db.example.org/zxfeed"'
    if url.split(":", 1)[0] not in ("postgresql", "postgres") or "://" not in url:
        raise _error(file, "storage.url", f"{url!r} 不是 PostgreSQL 地址",
                     f"写成 postgresql://用户@主机/数据库（{example}），或删去 url 使用 SQLite 的 path")
    if re.match(r"^[a-z]+://[^/@]*:[^/@]*@", url):
        raise _error(file, "storage.url", "地址里含有密码（密钥不写进配置文件）",
                     "从地址中删去密码，改用环境变量 PGPASSWORD 或 ~/.pgpass")
    # The driver belongs to the store: here it is only looked for, not imported.
    if importlib.util.find_spec("psycopg") is None:
        raise _error(file, "storage.url", "使用 PostgreSQL 需要 psycopg，但它没有安装",
                     "安装它：pip install 'zxfeed[postgres]'")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError as exc:
        raise _error(file, "storage.url", f"无法解析 {url!r}（{exc}）",
                     f"写成 postgresql://用户@主机/数据库（{example}）") from None
    if not parts.path.strip("/"):
        raise _error(file, "storage.url", f"{url!r} 没有写数据库名",
                     f"在地址末尾加上 /数据库名（{example}）")


def check_server(file: Path, cfg: Config) -> None:
    """Links in feeds and mails must point somewhere other machines can reach."""
    base = cfg.feeds.base_url
    if base is not None and not re.match(r"^https?://[^/\s]+", base):
        raise _error(file, "feeds.base_url", f"{base!r} has no http:// or https:// scheme",
                     'write the full public address, e.g. "https://feeds.example.org"')
    if base is None and not _loopback(cfg.server.host):
        raise _error(file, "server.host",
                     f"{cfg.server.host!r} is reachable from other machines but [feeds] base_url "
                     f"is not set (feeds and mails would link to http://{cfg.server.host}:…)",
                     'set [feeds] base_url = "https://your.public.address"')


def check_secrets(cfg: Config) -> None:
    """Commands that send mail need the SMTP password in the environment."""
    if cfg.smtp and cfg.smtp.password_env and not os.environ.get(cfg.smtp.password_env):
        raise _error(cfg.path, "smtp.password_env", f"environment variable "
                     f"{cfg.smtp.password_env!r} is not set or empty", "export it before starting")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return bool(host)  # a host name: links use it as written
