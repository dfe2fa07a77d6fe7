"""Prometheus metrics for ``/metrics`` (prometheus-client, one registry per daemon)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from ..models import SOURCE_STATES
from ..poll.source import PollResult
from ..store import Store


class _StoreCollector:
    """Figures read from the store at scrape time, so they are true after a restart too."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:  # the prometheus-client collector protocol
        items = GaugeMetricFamily("zxfeed_items_stored", "Items in the store")
        items.add_metric([], self.store.item_count())
        yield items
        outbox = GaugeMetricFamily("zxfeed_outbox_messages", "Messages in the outbox by status",
                                   labels=["status"])
        counts = self.store.outbox_counts()
        for status in ("pending", "sent", "failed"):
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox
        state = GaugeMetricFamily("zxfeed_source_state", "1 for each source's current state",
                                  labels=["source", "state"])
        for s in self.store.sources(counts=False):
            for name in SOURCE_STATES:
                state.add_metric([s.id, name], 1.0 if s.state == name else 0.0)
        yield state
        stopped = GaugeMetricFamily("zxfeed_mail_delivery_error",
                                    "1 while mail delivery is stopped by a configuration error "
                                    "(a refused TLS certificate)", labels=["kind"])
        stopped.add_metric(["tls"], 1.0 if self.store.meta("mail_error") is not None else 0.0)
        yield stopped


class Metrics:
    """Counters the daemon updates after every poll, plus store-backed gauges."""

    def __init__(self, store: Store) -> None:
        self.registry = CollectorRegistry()
        self.polls = Counter("zxfeed_polls", "Polls by source and outcome",
                             ["source", "status"], registry=self.registry)
        self.failures = Counter("zxfeed_poll_failures", "Failed polls by kind of failure",
                                ["kind"], registry=self.registry)
        self.new_items = Counter("zxfeed_new_items", "New items stored", registry=self.registry)
        buckets = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
        self.latency = Histogram("zxfeed_poll_seconds", "Time for one poll (fetch to commit)",
                                 buckets=buckets, registry=self.registry)
        self.fetch_latency = Histogram("zxfeed_fetch_seconds",
                                       "HTTP time of a list page (politeness wait included)",
                                       buckets=buckets, registry=self.registry)
        self.registry.register(_StoreCollector(store))

    def observe(self, result: PollResult) -> None:
        """Count one poll."""
        self.polls.labels(result.source_id, result.status).inc()
        if result.status == "failed":
            self.failures.labels(result.error_kind or "unknown").inc()
        self.new_items.inc(len(result.new))
        self.latency.observe(result.seconds)
        if result.fetch_seconds is not None:
            self.fetch_latency.observe(result.fetch_seconds)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
