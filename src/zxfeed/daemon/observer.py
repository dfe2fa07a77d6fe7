"""What the daemon reports as it works, for whoever watches it (the benchmark, tests).

The daemon calls these hooks anyway; the default observer does nothing. Each call comes
from the thread that did the work, right after it, so that thread-CPU figures are its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..poll.source import PollResult


@dataclass(frozen=True, slots=True)
class PollTiming:
    """One scheduled poll: when it ran (``time.monotonic()``) and the thread CPU it used."""

    started: float
    ended: float
    cpu: float  # the whole job: poll_source, logging, metrics, rescheduling
    pipeline_cpu: float  # poll_source alone: fetch → extract → normalize → store


class DaemonObserver:
    """Hooks of a :class:`~zxfeed.daemon.Daemon`; subclass and override the ones you need."""

    def on_poll_start(self, source_id: str, started: float) -> None:
        """A scheduled poll of ``source_id`` begins (``time.monotonic()``)."""

    def on_poll_done(self, source_id: str, result: PollResult | None, timing: PollTiming) -> None:
        """A scheduled poll ended; ``result`` is ``None`` when it was skipped or not stored."""

    def on_publish(self, files: int, seconds: float, cpu: float) -> None:
        """A round of feed publishing wrote ``files`` files in ``seconds`` (thread ``cpu``)."""

    def on_mail_round(self, seconds: float, cpu: float) -> None:
        """A round of alerts and queued mail (SMTP included) ended."""


NO_OBSERVER = DaemonObserver()
