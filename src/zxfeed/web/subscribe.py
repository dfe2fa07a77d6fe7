"""Subscription pages of ``zxfeed run``: sign up, confirm, manage, unsubscribe (Chinese, phone-sized).

GETs only show and ask (link scanners prefetch links in mail); every change is a POST.
Tokens name one subscription and never the address.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import TypedDict

from ..notify import subscriptions as subs
from ..notify.notifier import Notifier

PATHS = ("/subscribe", "/subscribe/confirm", "/subscription", "/unsubscribe")
MODE_NAMES = {"instant": "即时提醒", "daily": "每日摘要", "weekly": "每周摘要"}
STATUS_NAMES = {"pending": "待确认", "active": "生效中", "paused": "已暂停",
                "unsubscribed": "已退订", "dropped": "已停用"}
RATE_COUNT, RATE_WINDOW = 5, 600.0  # sign-ups per client address per window (seconds)

Form = dict[str, list[str]]


class _RateLimit:
    """At most ``count`` events per key in ``window`` seconds (kept in memory)."""

    def __init__(self, count: int, window: float) -> None:
        self.count, self.window = count, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._seen[key]
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.count:
                return False
            q.append(now)
            if len(self._seen) > 10000:  # forget idle clients, keep memory bounded
                for k in [k for k, v in self._seen.items() if not v]:
                    del self._seen[k]
            return True


_limits: dict[int, _RateLimit] = {}


def _limit(notifier: Notifier) -> _RateLimit:
    return _limits.setdefault(id(notifier), _RateLimit(RATE_COUNT, RATE_WINDOW))


def client_key(peer: str, forwarded_for: str | None) -> str:
    """Whom to rate-limit: the peer, or behind a reverse proxy on this host the address it names."""
    if forwarded_for and peer in ("127.0.0.1", "::1"):
        # The proxy appends the address it saw last; earlier entries are the client's to forge.
        return forwarded_for.split(",")[-1].strip()[:64] or peer
    return peer


def mask(email: str) -> str:
    """``z***@example.org``: enough for the owner to recognize, little for anyone else."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _one(form: Form, key: str) -> str:
    return (form.get(key) or [""])[0].strip()


def _choices(notifier: Notifier) -> tuple[list[str], list[tuple[str, str]]]:
    """Regions (provinces, then cities and districts) and sources the form offers."""
    regions: list[str] = []
    for src in notifier.cfg.sources:
        for r in (src.region, src.city, src.district):
            if r and r not in regions:
                regions.append(r)
    return regions, [(s.id, s.name) for s in notifier.cfg.sources if s.enabled]


def _filters(notifier: Notifier, form: Form) -> tuple[str, dict[str, list[str]]] | str:
    """(mode, filters) from a submitted form, or an error message in Chinese."""
    regions, sources = _choices(notifier)
    mode = _one(form, "mode") or "instant"
    if mode not in subs.MODES:
        return "请选择提醒方式"
    want_regions = [r for r in form.get("regions", []) if r]
    want_sources = [s for s in form.get("sources", []) if s]
    if set(want_regions) - set(regions) or set(want_sources) - {s for s, _ in sources}:
        return "所选地区或来源不存在"
    keywords = subs.split_words(" ".join(form.get("keywords", [])))
    return mode, {"regions": want_regions, "sources": want_sources, "keywords": keywords,
                  "exclude": []}


class FormView(TypedDict):
    """The subscribe form as submitted, shown again when it has an error."""

    email: str
    mode: str
    regions: list[str]
    sources: list[str]
    keywords: str


class SubView(TypedDict, total=False):
    """A subscription as the pages show it (only ``email`` for a link from before ids)."""

    id: int
    email: str
    mode: str
    mode_name: str
    status: str
    status_name: str
    regions: list[str]
    sources: list[str]
    source_names: list[str]
    keywords: list[str]


class PageContext(TypedDict):
    """What the subscription pages' templates read; each handler fills in its part."""

    regions: list[str]
    sources: list[tuple[str, str]]
    modes: dict[str, str]
    token: str
    form: FormView
    error: str
    message: str
    state: str
    manage: str
    legacy_email: str
    count: int
    email: str
    sub: SubView


def _view(notifier: Notifier, sub: subs.Subscription) -> SubView:
    names = dict(_choices(notifier)[1])
    return {"id": sub.id, "email": mask(sub.email), "mode": sub.mode,
            "mode_name": MODE_NAMES.get(sub.mode, sub.mode), "status": sub.status,
            "status_name": STATUS_NAMES.get(sub.status, sub.status), "regions": sub.regions,
            "sources": sub.sources, "source_names": [names.get(s, s) for s in sub.sources],
            "keywords": sub.keywords}


def handle(notifier: Notifier | None, method: str, path: str, query: Form, form: Form,
           client: str) -> tuple[int, bytes]:
    """Answer one request for a path in :data:`PATHS`: (status, UTF-8 HTML)."""
    if notifier is None:
        return 404, "<p>此处不提供邮件订阅。</p>".encode()
    form = {**query, **form} if method == "POST" else query
    token = _one(form, "token")
    regions, sources = _choices(notifier)
    page: PageContext = {
        "regions": regions, "sources": sources, "modes": MODE_NAMES, "token": token,
        "form": {"email": "", "mode": "instant", "regions": [], "sources": [], "keywords": ""},
        "error": "", "message": "", "state": "form", "manage": "", "legacy_email": "",
        "count": 0, "email": "", "sub": {}}
    status = 200
    if path == "/subscribe":
        status = _subscribe(notifier, method, form, client, page)
        template = "subscribe.html"
    elif path == "/subscribe/confirm":
        status = _confirm(notifier, method, token, page)
        template = "subscribe_confirm.html"
    elif path == "/subscription":
        status = _manage(notifier, method, token, form, page)
        template = "subscription.html"
    else:
        status = _unsubscribe(notifier, method, token, form, page)
        template = "unsubscribe.html"
    return status, notifier.render(template, **page).encode("utf-8")


def _subscribe(notifier: Notifier, method: str, form: Form, client: str, page: PageContext) -> int:
    if method != "POST":
        return 200
    email = _one(form, "email")
    page["form"] = {"email": email, "mode": _one(form, "mode"), "regions": form.get("regions", []),
                    "sources": form.get("sources", []), "keywords": _one(form, "keywords")}
    if not subs.EMAIL_RE.match(email) or len(email) > 254:
        page["error"] = "请填写有效的电子邮件地址"
        return 400
    parsed = _filters(notifier, form)
    if isinstance(parsed, str):
        page["error"] = parsed
        return 400
    if not _limit(notifier).allow(client):
        page["error"] = "提交太频繁，请稍后再试"
        return 429
    notifier.request(email, parsed[0], parsed[1])
    # The same answer whether a mail went or was held back: the page reveals nothing.
    page["state"] = "sent"
    page["email"] = mask(email)
    return 200


def _confirm(notifier: Notifier, method: str, token: str, page: PageContext) -> int:
    sub = notifier.token_subscription(token, "confirm")
    if sub is None or sub.status not in ("pending", "active"):
        page["state"] = "invalid"
        return 400
    if method == "POST":
        sub = notifier.confirm(token) or sub
        page["state"] = "done"
        page["manage"] = notifier.builder.link("manage", sub)
    else:
        page["state"] = "ask"
    page["sub"] = _view(notifier, sub)
    return 200


def _manage(notifier: Notifier, method: str, token: str, form: Form, page: PageContext) -> int:
    sub = notifier.token_subscription(token, "manage")
    if sub is None or sub.status in ("pending", "dropped"):
        page["state"] = "invalid"
        return 400
    if method == "POST":
        action = _one(form, "action")
        if action == "save":
            parsed = _filters(notifier, form)
            if isinstance(parsed, str):
                page["error"] = parsed
            else:
                notifier.change(sub, mode=parsed[0], filters=parsed[1])
                page["message"] = "已保存"
        elif action in ("pause", "resume", "unsubscribe", "resubscribe"):
            status = {"pause": "paused", "resume": "active", "unsubscribe": "unsubscribed",
                      "resubscribe": "active"}[action]
            notifier.change(sub, status=status)
            page["message"] = {"paused": "已暂停，不会再收到邮件，可随时恢复",
                               "active": "订阅已恢复",
                               "unsubscribed": "已退订，此订阅不会再收到邮件"}[status]
        else:
            page["error"] = "未知操作"
        sub = subs.get(notifier.store, sub.id) or sub
    page["sub"] = _view(notifier, sub)
    page["state"] = "manage"
    return 400 if page["error"] else 200


def _unsubscribe(notifier: Notifier, method: str, token: str, form: Form, page: PageContext) -> int:
    email = _one(form, "email")
    if email:  # a link from before subscription ids: address plus address token
        if method == "POST":
            ended = notifier.unsubscribe_address(email, token)
            # A genuine link whose subscriptions already ended says so, not "invalid".
            page["state"] = "done" if notifier.check_token(email, token) else "invalid"
            page["count"] = len(ended)
        else:
            page["state"] = "ask" if notifier.check_token(email, token) else "invalid"
        page["legacy_email"] = email
        page["sub"] = {"email": mask(email)}
        return 200 if page["state"] != "invalid" else 400
    sub = notifier.token_subscription(token, "unsubscribe") or \
        notifier.token_subscription(token, "manage")
    if sub is None or sub.status in ("pending", "dropped"):
        page["state"] = "invalid"
        return 400
    if method == "POST":
        sub = notifier.unsubscribe_token(token) or sub
        page["state"] = "done"
        page["count"] = 1
        page["manage"] = notifier.builder.link("manage", sub)
    else:
        page["state"] = "already" if sub.status == "unsubscribed" else "ask"
    page["sub"] = _view(notifier, sub)
    return 200


def mail_notice(notifier: Notifier | None) -> str | None:
    """A line for the status page while mail delivery is stopped (a refused certificate)."""
    err = notifier.delivery_error() if notifier is not None else None
    if not err:
        return None
    return f"邮件投递已停止（{err.get('at', '')}）：{err.get('error', '')}"
