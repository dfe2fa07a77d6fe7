"""Dates as Chinese government sites write them, read into Asia/Shanghai datetimes.

One small rule per format (after feedparser's ``datetimes/``); each returns a
:class:`FoundDate` or ``None``. Dates are never allowed to land in the future.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Clocks and CMS time zones drift; a date a few hours ahead is still a fact.
FUTURE_SKEW = timedelta(hours=36)
MIN_YEAR = 1990


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A parsed date: aware datetime, whether the time of day was given, and where it was."""

    when: datetime
    has_time: bool
    start: int = 0
    end: int = 0
    # The text gave month and day only: the year was inferred and a list may correct it.
    year_guessed: bool = False


def normalize_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), so one regex fits all."""
    return unicodedata.normalize("NFKC", text)


_TIME = r"(?:[T\s]*(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}))?\s*秒?)?"
_FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*([-/.年])\s*(\d{1,2})\s*([-/.月])\s*(\d{1,2})(?!\d)\s*日?" + _TIME
)
_SHORT_YEAR = re.compile(r"(?<![\d./-])(\d{2})([-./])(\d{1,2})\2(\d{1,2})(?![\d./-])" + _TIME)
_CN_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日" + _TIME)
# Bare MM-DD only when padded or bracketed: "3-5" inside a title is not a date.
_BRACKETED_MD = re.compile(r"[\[(【〔]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[\])】〕]")
_PADDED_MD = re.compile(r"(?<![\d./-])(\d{2})[-/](\d{2})(?![\d./-])" + _TIME)
_RELATIVE = re.compile(r"(\d+)\s*(分钟|小时|天)前|(刚刚|今天|昨天|前天)")


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock(groups: tuple[str | None, ...]) -> time | None:
    hour, minute, second = groups
    if hour is None:
        return None
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return time(h, m, s)


def _combine(d: date, clock: time | None, tz: tzinfo) -> tuple[datetime, bool]:
    return datetime.combine(d, clock or time(0, 0), tzinfo=tz), clock is not None


def _full(m: re.Match[str], now: datetime, tz: tzinfo) -> FoundDate | None:
    year, sep1, month, sep2, day = m.group(1, 2, 3, 4, 5)
    if (sep1 == "年") != (sep2 == "月"):
        return None
    d = _valid(int(year), int(month), int(day))
    if d is None:
        return None
    when, has_time = _combine(d, _clock(m.group(6, 7, 8)), tz)
    return FoundDate(when, has_time, m.start(), m.end())


def _short_year(m: re.Match[str], now: datetime, tz: tzinfo) -> FoundDate | None:
    d = _valid(2000 + int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if d is None:
        return None
    when, has_time = _combine(d, _clock(m.group(5, 6, 7)), tz)
    return FoundDate(when, has_time, m.start(), m.end())


def infer_year(month: int, day: int, now: datetime, tz: tzinfo = SHANGHAI) -> date | None:
    """The most recent month-day not after today: 12-28 seen in January is last year.

    No clock skew here: the skew allows for clocks and zones, and would turn ``12-03``
    seen on 1 December into a day two days ahead instead of last year's.
    """
    today = now.astimezone(tz).date()
    for year in range(today.year, today.year - 8, -1):  # 02-29 waits for a leap year
        d = _valid(year, month, day)
        if d is not None and d <= today:
            return d
    return None


def _month_day(m: re.Match[str], now: datetime, tz: tzinfo) -> FoundDate | None:
    d = infer_year(int(m.group(1)), int(m.group(2)), now, tz)
    if d is None:
        return None
    clock = _clock(m.group(3, 4, 5)) if m.lastindex and m.lastindex >= 3 else None
    when, has_time = _combine(d, clock, tz)
    return FoundDate(when, has_time, m.start(), m.end(), year_guessed=True)


def _relative(m: re.Match[str], now: datetime, tz: tzinfo) -> FoundDate | None:
    local_now = now.astimezone(tz)
    if m.group(3):
        days = {"刚刚": 0, "今天": 0, "昨天": 1, "前天": 2}[m.group(3)]
        if m.group(3) == "刚刚":
            return FoundDate(local_now.replace(microsecond=0), True, m.start(), m.end())
        d = local_now.date() - timedelta(days=days)
        return FoundDate(datetime.combine(d, time(0, 0), tzinfo=tz), False, m.start(), m.end())
    amount, unit = int(m.group(1)), m.group(2)
    if unit == "天":
        d = local_now.date() - timedelta(days=amount)
        return FoundDate(datetime.combine(d, time(0, 0), tzinfo=tz), False, m.start(), m.end())
    delta = timedelta(minutes=amount) if unit == "分钟" else timedelta(hours=amount)
    return FoundDate((local_now - delta).replace(second=0, microsecond=0), True, m.start(), m.end())


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], datetime, tzinfo], FoundDate | None]]
# Most specific first: a full date must win over the month-day inside it.
RULES: tuple[Rule, ...] = (
    (_FULL, _full),
    (_SHORT_YEAR, _short_year),
    (_CN_MONTH_DAY, _month_day),
    (_BRACKETED_MD, _month_day),
    (_PADDED_MD, _month_day),
    (_RELATIVE, _relative),
)


def _not_future(found: FoundDate | None, now: datetime) -> FoundDate | None:
    if found is None or found.when > now + FUTURE_SKEW or found.when.year < MIN_YEAR:
        return None
    return found


def find_date(
    text: str, now: datetime | None = None, tz: tzinfo = SHANGHAI
) -> FoundDate | None:
    """The first date written anywhere in ``text`` (spans refer to the NFKC-normalized text)."""
    if not text:
        return None
    now = now or datetime.now(tz)
    norm = normalize_text(text)
    best: FoundDate | None = None
    for pattern, rule in RULES:
        for m in pattern.finditer(norm):
            found = _not_future(rule(m, now, tz), now)
            if found is not None:
                if best is None or found.start < best.start:
                    best = found
                break
        if best is not None and pattern is _FULL:
            break
    return best


def parse_date(
    text: str | None, now: datetime | None = None, tz: tzinfo = SHANGHAI
) -> FoundDate | None:
    """Parse a date field (feed, meta tag): RFC 822, ISO 8601 with offset, else Chinese forms."""
    if not text:
        return None
    now = now or datetime.now(tz)
    raw = normalize_text(text).strip()
    when: datetime | None = None
    if re.match(r"^[A-Za-z]{3},|^\d{1,2} [A-Za-z]{3} \d{4}", raw):
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            when = None
        # "CST" and zone-less RFC dates from Chinese sites mean +08:00.
        if when is not None and (when.tzinfo is None or raw.endswith(" CST")):
            when = when.replace(tzinfo=tz)
    elif re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", raw):
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=tz)
    if when is not None:
        return _not_future(FoundDate(when, True, 0, len(raw)), now)
    return find_date(raw, now, tz)


_URL_DATES = (
    re.compile(r"(?<!\d)(20\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)"),   # /2018/03/19/, /2024-02-05/
    re.compile(r"(?<![\d])(20\d{2})(\d{2})(\d{2})(?:[/_]|\.s?html?|$)"),  # t20240205_123, /20240205/
    re.compile(r"/(20\d{2})(\d{2})/(\d{2})/"),                             # /202402/05/
    re.compile(r"/(20\d{2})/(\d{2})(\d{2})/"),                             # /2024/0205/
)


def date_from_url(url: str, now: datetime | None = None, tz: tzinfo = SHANGHAI) -> FoundDate | None:
    """The publication day many CMSs put in article paths (``/2024/02/05/``, ``t20240205_``)."""
    now = now or datetime.now(tz)
    path = url.split("?", 1)[0]
    for pattern in _URL_DATES:
        for m in pattern.finditer(path):
            d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d is not None:
                found = _not_future(FoundDate(datetime.combine(d, time(0, 0), tzinfo=tz), False), now)
                if found is not None:
                    return found
    return None
