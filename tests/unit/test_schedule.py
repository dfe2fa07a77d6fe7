"""The daemon's scheduler in-process: no run silently dropped, failures back off, never unscheduled."""

from __future__ import annotations

from zxfeed.daemon.wiring import backoff_delay


def test_backoff_curve() -> None:
    assert [backoff_delay(600, f, None) for f in (1, 2, 3)] == [600, 1200, 2400]
    assert backoff_delay(600, 20, None) == 6 * 3600
    assert backoff_delay(600, 1, 3600) == 3600
