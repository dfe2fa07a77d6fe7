"""Email messages from Jinja2 templates: multipart text + HTML, UTF-8 subject, list headers.

Templates ship in ``zxfeed/templates``; a file of the same name in the config's
``[notify] templates`` folder overrides one. HTML is autoescaped: nothing a site
writes in a title can inject markup.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2

from ..config import Config, SubscriberConfig
from ..models import Item
from ..store import SourceState
from .tokens import sign


@dataclass(frozen=True, slots=True)
class Mail:
    """A message ready for the outbox."""

    message_id: str
    recipient: str
    subject: str
    raw: bytes
    kind: str


def _when(item: Item, tz: ZoneInfo) -> str:
    if item.published is None:
        return ""
    local = item.published.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M" if item.has_time else "%Y-%m-%d")


def _view(item: Item, tz: ZoneInfo) -> dict[str, object]:
    return {"title": item.title, "link": item.link, "when": _when(item, tz),
            "source": item.source_name, "region": item.regions[0] if item.regions else "",
            "regions": item.regions, "summary": item.summary or ""}


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

    def unsubscribe_url(self, email: str) -> str:
        """The signed link that ends a subscription (GET confirms, POST unsubscribes)."""
        query = urlencode({"email": email, "token": sign(self.secret, email)})
        return f"{self.cfg.base_url}/unsubscribe?{query}"

    def _label(self, items: list[Item], sub: SubscriberConfig) -> str:
        provinces = {it.regions[0] for it in items if it.regions}
        if len(provinces) == 1:
            return provinces.pop()
        return "、".join(sub.regions) if sub.regions else "各地"

    def alert(self, sub: SubscriberConfig, items: list[Item], now: datetime) -> Mail:
        """One message listing every new item of one poll for one subscriber."""
        items = sorted(items, key=lambda i: (i.published or i.first_seen or now), reverse=True)
        subject = f"{self.cfg.notify.subject_prefix}{self._label(items, sub)} {len(items)} 条新信息"
        context = {"items": [_view(i, self.tz) for i in items], "count": len(items)}
        return self._build("alert", sub, subject, context, now)

    def digest(self, sub: SubscriberConfig, items: list[Item], now: datetime,
               since: datetime | None) -> Mail:
        """All matching items since the last digest, grouped by region and source, newest first."""
        items = sorted(items, key=lambda i: (i.published or i.first_seen or now), reverse=True)
        groups: dict[str, dict[str, list[dict[str, object]]]] = defaultdict(lambda: defaultdict(list))
        for it in items:
            groups[it.regions[0] if it.regions else "其他"][it.source_name].append(_view(it, self.tz))
        period = "每周摘要" if sub.mode == "weekly" else "每日摘要"
        label = self._label(items, sub) if items else "、".join(sub.regions) or "各地"
        subject = f"{self.cfg.notify.subject_prefix}{period} · {label} {len(items)} 条新信息"
        context = {
            "groups": [(region, list(sources.items())) for region, sources in groups.items()],
            "count": len(items), "period": period,
            "since": since.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if since else "",
            "until": now.astimezone(self.tz).strftime("%Y-%m-%d %H:%M"),
        }
        return self._build("digest", sub, subject, context, now)

    def operator(self, email: str, source: SourceState, name: str, now: datetime) -> Mail:
        """Tell the operator a source went bad (or came back)."""
        bad = source.state in ("broken", "blocked", "failing")
        since = source.state_since.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") \
            if source.state_since else ""
        subject = f"【zxfeed】{'来源异常' if bad else '来源恢复'}：{name}（{source.state}）"
        context = {"source": source, "name": name, "bad": bad, "since": since,
                   "status": f"{self.cfg.base_url}/", "evidence": source.evidence or {}}
        return self._build("operator", SubscriberConfig(email=email), subject, context, now)

    def _build(self, kind: str, sub: SubscriberConfig, subject: str,
               context: dict[str, object], now: datetime) -> Mail:
        unsubscribe = self.unsubscribe_url(sub.email)
        context = {**context, "subscriber": sub.email, "unsubscribe": unsubscribe,
                   "feeds": f"{self.cfg.base_url}/feeds/all.atom", "title": self.cfg.feeds.title}
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self.sender
        msg["To"] = Address(display_name=sub.name or "", addr_spec=sub.email)
        msg["Date"] = format_datetime(now.astimezone(self.tz))
        message_id = make_msgid(idstring=kind, domain=self.domain)
        msg["Message-ID"] = message_id
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        if unsubscribe.startswith("https://"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self.env.get_template(f"{kind}.txt").render(context))
        msg.add_alternative(self.env.get_template(f"{kind}.html").render(context), subtype="html")
        # CRLF line ends: smtplib sends bytes untouched, and bare LFs make one endless line.
        return Mail(message_id, sub.email, subject, msg.as_bytes(policy=SMTP_POLICY), kind)
