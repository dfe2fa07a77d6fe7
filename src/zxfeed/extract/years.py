"""The year of ``MM-DD`` dates in a list, from the item's URL and from the list's order.

A year-less date first takes the year of a date in its own URL (``t20171019_…``).
Otherwise, in a list running newest first, a row whose month-day is not after the
row above it is in that row's year: a column that stopped in 2017 stays in 2017
down the list once one row says so. A row out of order (a pinned item, a year's
turn) keeps the most recent such day not after today. Never a day in the future.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from .dates import FoundDate, date_from_url


def _in_year(found: FoundDate, year: int, guessed: bool = True) -> FoundDate | None:
    try:
        when = found.when.replace(year=year)
    except ValueError:  # 02-29
        return None
    return FoundDate(when, found.has_time, found.start, found.end, guessed)


def _from_url(found: FoundDate, url: str, now: datetime, tz: tzinfo) -> FoundDate | None:
    """The URL's year, or the one beside it that puts the day nearest the URL's day."""
    in_url = date_from_url(url, now, tz)
    if in_url is None:
        return None
    anchor = in_url.when.date()
    today = now.astimezone(tz).date()
    options = [f for y in (anchor.year, anchor.year - 1, anchor.year + 1)
               if (f := _in_year(found, y, False)) is not None and f.when.date() <= today]
    if not options:
        return None
    best = min(options, key=lambda f: abs((f.when.date() - anchor).days))
    # A URL day more than a season away from the shown day says nothing about its year.
    return best if abs((best.when.date() - anchor).days) <= 92 else None


def settle_years(dates: list[FoundDate | None], urls: list[str], now: datetime,
                 tz: tzinfo) -> list[FoundDate | None]:
    """The rows' dates (in list order) with guessed years corrected; others unchanged."""
    if not any(f is not None and f.year_guessed for f in dates):
        return dates
    today = now.astimezone(tz).date()
    out: list[FoundDate | None] = []
    above: FoundDate | None = None
    for found, url in zip(dates, urls, strict=True):
        if found is not None and found.year_guessed:
            by_url = _from_url(found, url, now, tz)
            if by_url is not None:
                found = by_url
            elif above is not None and _month_day(found) <= _month_day(above):
                same = _in_year(found, above.when.year)
                if same is not None and same.when.date() <= today:
                    found = same
        out.append(found)
        above = found or above
    return out


def _month_day(found: FoundDate) -> tuple[int, int]:
    d: date = found.when.date()
    return d.month, d.day
