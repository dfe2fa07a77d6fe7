"""Email messages from Jinja2 templates: multipart text + HTML, UTF-8 subject, list headers.

Templates ship in ``zxfeed/templates``; a file of the same name in the config's
``[notify] templates`` folder overrides one. HTML is autoescaped: nothing a site
writes in a title can inject markup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Protocol
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import jinja2

from ..config.settings import Config, SubscriberConfig
from ..models import Item, Mail, Subscription
from ..store import SourceState
from .dkim_sign import DkimSigner
from .tokens import make_token

# Headers that hold URLs: mail clients read them only as plain ASCII on one line.
RAW_HEADERS = ("list-unsubscribe", "list-unsubscribe-post", "list-id", "list-help")


class MailPolicy(EmailPolicy):
    """SMTP line ends; URL headers written verbatim (folded at commas only if over 998 characters).

    ``email.policy.SMTP`` folds a long header without spaces into RFC 2047 encoded-words,
    which turns ``<https://…>`` into text no client recognizes as a link.
    """

    def fold_binary(self, name: str, value: Any) -> bytes:
        text = str(value)
        if name.lower() in RAW_HEADERS and text.isascii() and "\n" not in text and "\r" not in text:
            line = f"{name}: {text}"
            if len(line) > 998:
                line = line.replace(", ", "," + self.linesep + " ")
            return (line + self.linesep).encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = MailPolicy(linesep="\r\n")


def safe_link(url: str | None) -> str:
    """``url`` when it is http(s), else empty (no ``javascript:`` or ``data:`` href in a mail)."""
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in ("http", "https") else ""


def _when(item: Item, tz: ZoneInfo) -> str:
    if item.published is None:
        return ""
    local = item.published.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M" if item.has_time else "%Y-%m-%d")


def _view(item: Item, tz: ZoneInfo) -> dict[str, object]:
    return {"title": item.title, "link": safe_link(item.link), "when": _when(item, tz),
            "source": item.source_name, "region": item.regions[0] if item.regions else "",
            "regions": item.regions, "summary": item.summary or ""}


class Recipient(Protocol):
    """Whom a message is addressed to: a subscription, or the operator as a config entry."""

    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str | None: ...


class MessageBuilder:
    """Renders alerts and digests for subscribers with the config's templates and headers."""

    def __init__(self, cfg: Config, secret: bytes) -> None:
        self.cfg = cfg
        self.secret = secret
        self.tz = ZoneInfo(cfg.schedule.timezone)
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([
                jinja2.FileSystemLoader(str(cfg.resolve(cfg.notify.templates))),
                jinja2.PackageLoader("zxfeed", "templates"),
            ]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                                default_for_string=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        sender = cfg.smtp.from_ if cfg.smtp else "zxfeed <zxfeed@localhost>"
        name, addr = parseaddr(sender)
        self.sender = Address(display_name=name or "zxfeed", addr_spec=addr or "zxfeed@localhost")
        self.domain = cfg.notify.domain or (addr.rsplit("@", 1)[-1] if "@" in addr
                                            else "zxfeed.localhost")
        self.dkim: DkimSigner | None = None
        if cfg.smtp and cfg.smtp.dkim_key_file and cfg.smtp.dkim_selector:
            # d= is the From domain: that is what DMARC aligns the signature with.
            self.dkim = DkimSigner(cfg.resolve(cfg.smtp.dkim_key_file), cfg.smtp.dkim_selector,
                                   self.sender.domain)

    def link(self, purpose: str, sub: Subscription) -> str:
        """A signed link for one subscription: ``manage`` or one-click ``unsubscribe``."""
        path = {"manage": "/subscription", "unsubscribe": "/unsubscribe"}[purpose]
        return f"{self.cfg.base_url}{path}?token={make_token(self.secret, purpose, sub.id)}"

    def scope(self, sub: Subscription, items: list[Item]) -> str:
        """What the subscriber asked for, for the subject: regions, else keywords, else sources."""
        if sub.regions:
            return "、".join(sub.regions)
        if sub.keywords:
            return "「" + "、".join(sub.keywords) + "」"
        if sub.sources:
            names = {s.id: s.name for s in self.cfg.sources}
            return "、".join(names.get(s, s) for s in sub.sources[:3]) + \
                ("等" if len(sub.sources) > 3 else "")
        provinces = {it.regions[0] for it in items if it.regions}
        return provinces.pop() if len(provinces) == 1 else "各地"

    def scope_feed(self, sub: Subscription) -> str:
        """The feed that holds everything an alert could not list."""
        if len(sub.regions) == 1 and not sub.sources:
            return f"{self.cfg.base_url}/feeds/region/{quote(sub.regions[0])}.atom"
        if len(sub.sources) == 1 and not sub.regions:
            return f"{self.cfg.base_url}/feeds/source/{quote(sub.sources[0])}.atom"
        return f"{self.cfg.base_url}/feeds/all.atom"

    def alert(self, sub: Subscription, items: list[Item], now: datetime) -> Mail:
        """One message listing the new items for one subscriber (at most ``alert_max_items``)."""
        items = sorted(items, key=lambda i: (i.published or i.first_seen or now), reverse=True)
        cap = self.cfg.notify.alert_max_items
        shown, more = items[:cap], len(items) - min(len(items), cap)
        subject = f"{self.cfg.notify.subject_prefix}{self.scope(sub, items)} {len(items)} 条新信息"
        context = {"items": [_view(i, self.tz) for i in shown], "count": len(items),
                   "more": more, "more_link": self.scope_feed(sub)}
        return self._build("alert", sub, subject, context, now, listed=sub)

    def digest(self, sub: Subscription, items: list[Item], now: datetime,
               since: datetime | None) -> Mail:
        """All matching items since the last digest, grouped by region and source, newest first."""
        items = sorted(items, key=lambda i: (i.published or i.first_seen or now), reverse=True)
        groups: dict[str, dict[str, list[dict[str, object]]]] = defaultdict(lambda: defaultdict(list))
        for it in items:
            groups[it.regions[0] if it.regions else "其他"][it.source_name].append(_view(it, self.tz))
        period = "每周摘要" if sub.mode == "weekly" else "每日摘要"
        subject = f"{self.cfg.notify.subject_prefix}{period} · {self.scope(sub, items)} {len(items)} 条新信息"
        context = {
            "groups": [(region, list(sources.items())) for region, sources in groups.items()],
            "count": len(items), "period": period,
            "since": since.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if since else "",
            "until": now.astimezone(self.tz).strftime("%Y-%m-%d %H:%M"),
        }
        return self._build("digest", sub, subject, context, now, listed=sub)

    def confirm(self, sub: Subscription, url: str, now: datetime) -> Mail:
        """The double opt-in mail: one link, nothing else is sent before it is used."""
        subject = f"{self.cfg.notify.subject_prefix}请确认订阅"
        context = {"confirm": url, "mode": sub.mode, "filters": sub.filters,
                   "hours": self.cfg.notify.confirm_hours}
        return self._build("confirm", sub, subject, context, now)

    def operator(self, email: str, bad: list[tuple[SourceState, str, str]],
                 recovered: list[tuple[SourceState, str, str]], now: datetime) -> Mail:
        """One message for an incident round: every source that went bad, every one back."""
        def row(src: SourceState, name: str, url: str) -> dict[str, object]:
            since = src.state_since.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") \
                if src.state_since else ""
            return {"id": src.id, "name": name, "url": safe_link(url) or url, "state": src.state,
                    "kind": src.last_error_kind or "", "error": src.last_error or "",
                    "since": since, "failures": src.failures, "evidence": src.evidence or {}}
        parts = []
        if bad:
            parts.append(f"{len(bad)} 个来源异常")
        if recovered:
            parts.append(f"{len(recovered)} 个来源恢复")
        first = (bad or recovered)[0]
        others = "等" if len(bad) + len(recovered) > 1 else ""
        subject = f"【zxfeed】{'，'.join(parts)}：{first[1]}{others}"
        context = {"bad": [row(*b) for b in bad], "recovered": [row(*r) for r in recovered],
                   "status": f"{self.cfg.base_url}/"}
        return self._build("operator", SubscriberConfig(email=email), subject, context, now)

    def _build(self, kind: str, sub: Recipient, subject: str, context: Mapping[str, object],
               now: datetime, *, listed: Subscription | None = None) -> Mail:
        """Render ``kind`` for ``sub``; a ``listed`` subscription adds the list headers and its
        manage links (confirmations and operator mail have none)."""
        unsubscribe = self.link("unsubscribe", listed) if listed is not None else ""
        manage = self.link("manage", listed) if listed is not None else ""
        context = {**context, "subscriber": sub.email, "unsubscribe": unsubscribe, "manage": manage,
                   "feeds": f"{self.cfg.base_url}/feeds/all.atom", "title": self.cfg.feeds.title}
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self.sender
        msg["To"] = Address(display_name=sub.name or "", addr_spec=sub.email)
        msg["Date"] = format_datetime(now.astimezone(self.tz))
        message_id = make_msgid(idstring=kind, domain=self.domain)
        msg["Message-ID"] = message_id
        if listed is not None:
            msg["List-Id"] = f"zxfeed <zxfeed.{self.domain}>"
            msg["List-Unsubscribe"] = f"<{unsubscribe}>"
            # RFC 8058 asks for https; over plain http clients would not offer it anyway.
            if unsubscribe.startswith("https://"):
                msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self.env.get_template(f"{kind}.txt").render(context))
        msg.add_alternative(self.env.get_template(f"{kind}.html").render(context), subtype="html")
        # CRLF line ends: smtplib sends bytes untouched, and bare LFs make one endless line.
        raw = msg.as_bytes(policy=MAIL_POLICY)
        if self.dkim is not None:
            raw = self.dkim.sign(raw)
        return Mail(message_id, sub.email, subject, raw, kind)
