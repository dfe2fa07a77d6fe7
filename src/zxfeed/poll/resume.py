"""When each source is first polled after a start: where its stored schedule left it.

A restart (or a crash loop under systemd) must not hit every site at once: a
source polled before is due one interval after its last poll, or at its stored
backoff / ``Retry-After`` time; sources never polled (or overdue) are spread out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ..config.settings import SourceConfig
from ..store import SourceState

# At most this many first polls per second at start: 3,000 new sources take 10 minutes
# (or their interval, if shorter), a handful start within a second or two.
START_RATE = 5.0


def first_runs(sources: Iterable[SourceConfig], states: dict[str, SourceState],
               interval: Callable[[SourceConfig], int], now: datetime) -> dict[str, datetime]:
    """Each source's first run: its stored next poll if still ahead, else a spread-out slot."""
    out: dict[str, datetime] = {}
    overdue: list[tuple[datetime, SourceConfig]] = []
    fresh: list[SourceConfig] = []
    for src in sources:
        st = states.get(src.id)
        if st is None or st.last_poll is None:
            fresh.append(src)
            continue
        due = st.next_poll or st.last_poll + timedelta(seconds=interval(src))
        if due > now:
            out[src.id] = due
        else:
            overdue.append((due, src))
    waiting = [s for _, s in sorted(overdue, key=lambda x: x[0])] + fresh
    for i, src in enumerate(waiting):
        window = min(float(interval(src)), len(waiting) / START_RATE)
        out[src.id] = now + timedelta(seconds=window * i / len(waiting))
    return out
