"""``zxfeed poll`` over many sources: one line per source, and a progress line on a terminal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TextIO

from ..config.settings import SourceConfig
from .source import PollResult

log = logging.getLogger("zxfeed.poll")


def describe(r: PollResult) -> str:
    """The one line a source gets: what happened, what was found, the error if any."""
    return (f"{r.source_id}: {r.status} ({r.state}) found={r.found} new={len(r.new)}"
            + (f" — {r.error}" if r.error else ""))


def poll_all(sources: Iterable[SourceConfig], poll: Callable[[SourceConfig], PollResult], *,
             workers: int, out: TextIO, progress: TextIO | None = None) -> list[PollResult]:
    """Poll every source on ``workers`` threads, printing each result once as it ends.

    ``progress`` (a terminal) gets ``polled 812/3000 · 37 new · 5 failing``, rewritten in place.
    """
    sources = list(sources)
    results: list[PollResult] = []
    new = failing = 0
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(poll, s) for s in sources]
        for future in as_completed(futures):
            r = future.result()
            results.append(r)
            # The printed line is the report; the log repeats it only for --log-level DEBUG.
            log.debug("poll source=%s status=%s state=%s found=%d new=%d updated=%d seconds=%.2f",
                      r.source_id, r.status, r.state, r.found, len(r.new), len(r.updated),
                      r.seconds)
            new += len(r.new)
            failing += r.status == "failed"
            if progress is not None:
                progress.write("\r\x1b[K")  # the progress line gives way to the result
                progress.flush()
            print(describe(r), file=out, flush=progress is not None)
            if progress is not None:
                progress.write(f"polled {len(results)}/{len(sources)} · {new} new · "
                               f"{failing} failing")
                progress.flush()
    if progress is not None and sources:
        progress.write("\n")
        progress.flush()
    return results
