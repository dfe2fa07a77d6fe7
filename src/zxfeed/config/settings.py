"""Read ``zxfeed.toml``, validate it, and say exactly what to fix when it is wrong.

Errors are one line: ``FILE: KEY: problem — fix``. pydantic does the checking
(unknown keys, types, ranges); this module turns its errors into that line.
"""

from __future__ import annotations

import glob
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .. import DEFAULT_USER_AGENT
from .checks import check_config

DEFAULT_CONFIG = Path("config/zxfeed.toml")
MIN_INTERVAL = 10
MAX_INTERVAL = 7 * 24 * 3600
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """A config problem, already phrased as the one line the operator reads."""


def parse_duration(value: Any) -> int:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"2h"`` or ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, int | float):
        return int(value)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?\s*", str(value))
    if not m:
        raise ValueError(f"{value!r} is not a duration")
    return int(float(m.group(1)) * _UNITS[m.group(2) or "s"])


def _interval(value: Any) -> int:
    seconds = parse_duration(value)
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"{value!r} is outside {MIN_INTERVAL}s–7d")
    return seconds


Interval = Annotated[int, BeforeValidator(_interval)]
Seconds = Annotated[float, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SelectorsConfig(_Strict):
    item: str
    title: str = "a"
    link: str | None = None
    date: str | None = None


class JsonConfig(_Strict):
    items: str | None = None           # dotted path to the list, e.g. "data.list"
    title: str = "title"               # field paths inside each entry
    link: str = "url"
    date: str | None = "date"
    page_param: str | None = None      # query parameter for the page number, e.g. "page"
    pages: int = Field(1, ge=1, le=20) # how many pages to read per poll
    first_page: int = Field(1, ge=0, le=1)


class SourceConfig(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    name: str = Field(min_length=1)
    url: str
    region: str = Field(min_length=1)
    city: str | None = None
    district: str | None = None
    level: Literal["national", "provincial", "municipal", "district"] | None = None
    kind: Literal["auto", "html", "feed", "json"] = "auto"
    interval: Interval | None = None
    encoding: str | None = None
    selectors: SelectorsConfig | None = None
    json_fields: JsonConfig | None = Field(None, alias="json")
    # Which dated lists of the page: "main", "all", or block headings; unset = automatic.
    lists: Literal["main", "all"] | list[str] | None = None
    enabled: bool = True
    fetch_articles: bool = True
    content: Literal["full", "summary", "none"] = "full"  # what entries carry of the article
    discover: bool = False             # find this site's list pages at run time and poll them
    homepage: str | None = None
    robots: bool = True
    robots_reason: str | None = None
    tls_verify: bool = True            # false only together with tls_reason = "..."
    tls_reason: str | None = None
    private_networks: list[str] = []   # internal networks this source may reach ("10.1.0.0/16")
    note: str | None = None

    @model_validator(mode="after")
    def _robots_opt_out_needs_reason(self) -> SourceConfig:
        if not self.robots and not (self.robots_reason or "").strip():
            raise ValueError("robots = false needs robots_reason")
        if not self.tls_verify and not (self.tls_reason or "").strip():
            raise ValueError("tls_verify = false needs tls_reason")
        return self

    @field_validator("lists")
    @classmethod
    def _list_headings(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and (not v or not all(h.strip() for h in v)):
            raise ValueError('lists needs "main", "all" or a non-empty list of block headings')
        return v

    @field_validator("private_networks")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        import ipaddress

        for net in v:
            try:
                ipaddress.ip_network(net.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{net!r} is not an address or network") from None
        return v

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v

    @field_validator("encoding")
    @classmethod
    def _codec(cls, v: str | None) -> str | None:
        import codecs

        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding {v!r}") from None
        return v


class StorageConfig(_Strict):
    path: str = "../data/zxfeed.db"
    retention_days: int = Field(365, ge=7, le=36500)
    # PostgreSQL instead of the SQLite file; path then names the local data folder only.
    url: str | None = None
    # Seconds a node holds a source or a queued message it claimed before others may take it.
    lease: float = Field(120, ge=2, le=86400)


class CustomFeedConfig(_Strict):
    """A saved search, published as ``custom/<name>.atom`` (and ``.rss``, ``.json``)."""

    name: str = Field(min_length=1, max_length=64)
    q: str | None = None               # words that must all appear in the title or summary
    region: str | None = None
    source: str | None = None
    level: Literal["national", "provincial", "municipal", "district"] | None = None


class FeedsConfig(_Strict):
    dir: str = "../data/feeds"
    title: str = "政协动态"
    limit: int = Field(200, ge=1, le=10000)
    base_url: str | None = None
    publish_delay: Seconds = 2.0
    custom: list[CustomFeedConfig] = []
    archive_page: int = Field(100, ge=0, le=1000)  # entries per RFC 5005 archive page; 0: none
    hub: str | None = Field(None, pattern=r"^https?://")  # WebSub hub pinged after each change


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    enabled: bool = True
    language: Literal["zh", "en"] = "zh"  # the status page's language
    max_connections: int = Field(2048, ge=16, le=100000)
    idle_timeout: Seconds = 15.0       # a keep-alive connection waiting for its next request
    request_timeout: Seconds = 10.0    # a request's headers and body, first byte to last
    # "user:ENV_VAR": basic auth on the status page and /metrics (feeds stay public).
    status_auth: str | None = Field(None, pattern=r"^[^:\s]+:[A-Za-z_][A-Za-z0-9_]*$")


class FetchConfig(_Strict):
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: Seconds = 10.0
    read_timeout: Seconds = 30.0
    max_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    host_delay: Seconds = 1.0
    host_concurrency: int = Field(1, ge=1, le=16)
    workers: int = Field(128, ge=1, le=256)
    article_fetches: int = Field(20, ge=0, le=500)
    backlog_per_host: int = Field(2, ge=0, le=50)  # unread articles per host per backlog round
    backlog_every: Interval = 60                   # seconds between backlog rounds
    robots: bool = True
    total_timeout: Seconds = 60.0      # a whole request (connect … last byte) ends by then
    slow_after: Seconds = 15.0         # a request older than this is "slow" …
    slow_share: float = Field(0.25, gt=0, le=1)  # … and slow ones hold at most this share of workers
    allow_private: bool = False        # true: any source may reach internal addresses
    proxy: str | None = None           # "http://host:port"; else HTTPS_PROXY / HTTP_PROXY
    no_proxy: list[str] = []           # hosts reached directly, besides NO_PROXY

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^http://[^/\s]+/?$", v):
            raise ValueError(f"{v!r} is not an http:// proxy address")
        return v


class ScheduleConfig(_Strict):
    interval: Interval = 1800
    jitter: Seconds = 30.0
    timezone: str = "Asia/Shanghai"
    # Keep the daemon on one CPU core: its threads share one GIL, and a GIL handed between
    # cores costs about as much CPU again as the work itself (measured: bench/README.md).
    one_core: bool = True


class SmtpConfig(_Strict):
    host: str
    port: int = Field(25, ge=1, le=65535)
    from_: str = Field("zxfeed <zxfeed@localhost>", alias="from")
    username: str | None = None
    password_env: str | None = None
    starttls: bool = False
    ssl: bool = False
    ca_file: str | None = None         # a private CA to trust (relative to the config)
    allow_plain_auth: bool = False     # send username/password over an unencrypted connection
    timeout: Seconds = 30.0
    dkim_key_file: str | None = None   # PEM private key (relative to the config): sign every message
    dkim_selector: str | None = None   # the DNS selector: <selector>._domainkey.<from domain>

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> SmtpConfig:
        if self.username and not (self.ssl or self.starttls) and not self.allow_plain_auth:
            raise ValueError("username without TLS would send the password in clear")
        if bool(self.dkim_key_file) != bool(self.dkim_selector):
            raise ValueError("dkim_key_file and dkim_selector go together")
        return self


class NotifyConfig(_Strict):
    domain: str | None = None          # for Message-IDs; default: the [smtp] from address's domain
    max_age: Interval = 3 * 86400      # items older than this at first sight trigger no alert
    send_empty_digest: bool = False
    subject_prefix: str = "【政协动态】"
    templates: str = "templates"       # folder (relative to the config) overriding built-ins
    secret_env: str | None = None      # env var with the unsubscribe-link key; default: stored key
    retry_base: Seconds = 30.0         # first retry delay; doubles per attempt up to retry_cap
    retry_cap: Seconds = 3600.0
    outbox_dir: str | None = None      # .eml files when there is no [smtp]; default data/outbox
    operator_after: Interval = 3600    # a source broken/blocked/failing this long → operator mail
    alert_every: Seconds = 600         # at most one alert per subscriber this often
    operator_every: Seconds = 3600     # at most one operator mail this often
    alert_max_items: int = Field(50, ge=1, le=1000)  # items listed in one alert; the rest linked
    local_part_case: Literal["insensitive", "sensitive"] = "insensitive"
    confirm_hours: int = Field(48, ge=1, le=720)  # how long a confirmation link works


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SubscriberConfig(_Strict):
    email: str = Field(pattern=r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
    name: str | None = None
    mode: Literal["instant", "daily", "weekly"] = "instant"
    keywords: list[str] = []
    exclude: list[str] = []
    regions: list[str] = []
    sources: list[str] = []
    time: str = Field("08:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")
    weekday: Weekday = "mon"


class Config(_Strict):
    include: list[str] = []
    storage: StorageConfig = StorageConfig()
    feeds: FeedsConfig = FeedsConfig()
    server: ServerConfig = ServerConfig()
    fetch: FetchConfig = FetchConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    smtp: SmtpConfig | None = None
    notify: NotifyConfig = NotifyConfig()
    operator: str | None = Field(None, pattern=r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
    sources: list[SourceConfig] = []
    subscribers: list[SubscriberConfig] = []

    model_config = ConfigDict(extra="forbid", frozen=False)
    # Where the file was read from; paths inside it are relative to its folder.
    path: Path = Field(default=Path("zxfeed.toml"), exclude=True)

    @field_validator("path", mode="before")
    @classmethod
    def _not_from_file(cls, v: Any) -> Any:
        raise ValueError("is not a config key")

    def resolve(self, relative: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.path.parent / p).resolve()

    def interval(self, source: SourceConfig) -> int:
        """A source's poll interval in seconds."""
        return source.interval or self.schedule.interval

    @property
    def db_path(self) -> Path:
        return self.resolve(self.storage.path)

    @property
    def feeds_dir(self) -> Path:
        return self.resolve(self.feeds.dir)

    @property
    def evidence_dir(self) -> Path:
        return self.db_path.parent / "evidence"

    @property
    def outbox_dir(self) -> Path:
        if self.notify.outbox_dir:
            return self.resolve(self.notify.outbox_dir)
        return self.db_path.parent / "outbox"

    @property
    def base_url(self) -> str:
        if self.feeds.base_url:
            return self.feeds.base_url.rstrip("/")
        return f"http://{self.server.host}:{self.server.port}"

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone, in which every time is shown."""
        return ZoneInfo(self.schedule.timezone)

    @property
    def enabled_sources(self) -> list[SourceConfig]:
        return [s for s in self.sources if s.enabled]


_FIXES = {
    "missing": "add it",
    "string_pattern_mismatch": "use lower-case letters, digits and '-'",
    "literal_error": "use one of the allowed values",
    "int_parsing": "use a whole number",
    "int_type": "use a whole number",
    "bool_type": "use true or false",
    "bool_parsing": "use true or false",
    "string_type": 'use a quoted string, e.g. "..."',
    "list_type": 'use a list, e.g. ["a", "b"]',
    "model_type": "use a table ([name] or {key = value})",
}
_PATTERN_FIXES = {
    "email": "use name@domain",
    "operator": "use name@domain",
    "time": 'use 24-hour "HH:MM", e.g. "08:00"',
    "status_auth": 'use "user:ENV_VAR" (the password is read from that environment variable)',
    "id": "use lower-case letters, digits and '-'",
}
_DURATION_FIX = 'use seconds (e.g. 900) or a duration like "15m", "2h", "1d" (10s to 7d)'


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ()) or (ann,)
        nxt = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nxt is None:
            inner = [getattr(a, "__args__", ()) for a in args]
            nxt = next((b for t in inner for b in t
                        if isinstance(b, type) and issubclass(b, BaseModel)), None)
        if nxt is None:
            return []
        model = nxt
    return [f.alias or name for name, f in model.model_fields.items() if name != "path"]


def _explain(file: Path, exc: ValidationError, model: type[BaseModel], prefix: str = "") -> str:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    key = prefix + _key_path(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, loc))
        return f"{file}: {key}: unknown key — remove it or check its spelling (allowed: {allowed})"
    msg = err["msg"].removeprefix("Value error, ")
    last = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f'{file}: {key}: missing required key — add {last} = "..."'
    if last in ("interval", "jitter", "publish_delay") or "duration" in msg:
        return f"{file}: {key}: {msg} — {_DURATION_FIX}"
    if "password in clear" in msg:
        return (f"{file}: {key}: username set but neither starttls nor ssl — set starttls = true "
                "(or ssl = true), or allow_plain_auth = true on a trusted network")
    if "dkim_" in msg:
        return (f"{file}: {key}: {msg} — set both dkim_key_file = \"dkim.pem\" and "
                "dkim_selector = \"zxfeed\", or neither")
    if "robots_reason" in msg:
        return (f'{file}: {key}.robots_reason: robots = false needs a reason — add robots_reason = '
                '"why this site may be fetched against its robots.txt"')
    if "tls_reason" in msg:
        return (f'{file}: {key}.tls_reason: tls_verify = false needs a reason — add tls_reason = '
                '"why this site\'s certificate may go unchecked"')
    if last == "proxy":
        return f'{file}: {key}: {msg} — use "http://host:port" (HTTPS sites are reached through CONNECT)'
    if last == "private_networks" or (len(loc) > 1 and loc[-2] == "private_networks"):
        return f'{file}: {key}: {msg} — use addresses or CIDR networks, e.g. ["10.1.0.0/16"]'

    if kind == "string_pattern_mismatch" and last in _PATTERN_FIXES:
        return f"{file}: {key}: {err.get('input')!r} is not valid — {_PATTERN_FIXES[last]}"
    if last == "port":
        return f"{file}: {key}: {err.get('input')!r} is not a port — use a number from 1 to 65535"
    if last == "url":
        return f"{file}: {key}: {msg} — use a full address like \"https://www.example.gov.cn/list.html\""
    fix = _FIXES.get(kind, "see the README's configuration section")
    if kind == "literal_error":
        fix = msg.replace("Input should be", "use")
        msg = f"{err.get('input')!r} is not allowed"
    return f"{file}: {key}: {msg} — {fix}"


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: file not found — create it (see config/zxfeed.toml) or pass --config PATH"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc}) — fix the syntax at that line") from None


class _IncludeFile(_Strict):
    sources: list[SourceConfig] = []


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a config file (and its includes); raise :class:`ConfigError`."""
    file = Path(path or os.environ.get("ZXFEED_CONFIG") or DEFAULT_CONFIG)
    data = _read_toml(file)
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(file, exc, Config)) from None
    cfg.path = file.resolve()
    origin = {s.id: file for s in cfg.sources}
    where = {s.id: (file, i) for i, s in enumerate(cfg.sources)}
    sources = list(cfg.sources)
    for pattern in cfg.include:
        matches = sorted(glob.glob(str(cfg.resolve(pattern))))
        if not matches:
            raise ConfigError(f"{file}: include: {pattern!r} matches no file — fix the path "
                              "(relative to this file) or remove it")
        for match in matches:
            inc = Path(match)
            try:
                part = _IncludeFile.model_validate(_read_toml(inc))
            except ValidationError as exc:
                raise ConfigError(_explain(inc, exc, _IncludeFile)) from None
            for index, src in enumerate(part.sources):
                if src.id in origin:
                    raise ConfigError(
                        f"{inc}: sources.id: duplicate id {src.id!r} (also in {origin[src.id]}) "
                        "— give each source its own id"
                    )
                origin[src.id] = inc
                where.setdefault(src.id, (inc, index))
                sources.append(src)
    seen: dict[str, int] = {}
    for i, src in enumerate(cfg.sources):
        if src.id in seen:
            raise ConfigError(f"{file}: sources[{i}].id: duplicate id {src.id!r} "
                              f"(also sources[{seen[src.id]}]) — give each source its own id")
        seen[src.id] = i
    cfg.sources = sources
    _check_references(file, cfg)
    check_config(file, cfg, where)
    return cfg


def _check_references(file: Path, cfg: Config) -> None:
    ids = {s.id for s in cfg.sources}
    regions = {r for s in cfg.sources for r in (s.region, s.city, s.district) if r}
    for i, sub in enumerate(cfg.subscribers):
        for sid in sub.sources:
            if sid not in ids:
                raise ConfigError(f"{file}: subscribers[{i}].sources: unknown source {sid!r} — "
                                  "use an id from [[sources]]")
        for region in sub.regions:
            if region not in regions:
                raise ConfigError(f"{file}: subscribers[{i}].regions: unknown region {region!r} — "
                                  "use a region, city or district named by a source")
    for key in ("ca_file", "dkim_key_file"):
        name = getattr(cfg.smtp, key, None) if cfg.smtp else None
        if name and not cfg.resolve(name).is_file():
            raise ConfigError(f"{file}: smtp.{key}: {cfg.resolve(name)} not found — fix the path "
                              "(relative to this file)")

