"""The daemon tells an observer about each poll, publishing round and mail round."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import write_config
from support.helpers import wait_for
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon import observer as observer_module
from zxfeed.daemon.wiring import Daemon, DaemonObserver, PollTiming
from zxfeed.poll.source import PollResult


class Recording(DaemonObserver):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple] = []

    def on_poll_start(self, source_id: str, started: float) -> None:
        with self.lock:
            self.events.append(("start", source_id, started))

    def on_poll_done(self, source_id: str, result: PollResult | None, timing: PollTiming) -> None:
        with self.lock:
            self.events.append(("done", source_id, result, timing))

    def on_publish(self, files: int, seconds: float, cpu: float) -> None:
        with self.lock:
            self.events.append(("publish", files, seconds, cpu))

    def on_mail_round(self, seconds: float, cpu: float) -> None:
        with self.lock:
            self.events.append(("mail", seconds, cpu))

    def of(self, kind: str) -> list[tuple]:
        with self.lock:
            return [e for e in self.events if e[0] == kind]


def test_hooks_are_called_with_what_happened(tmp_path: Path, web: TestWeb) -> None:
    web.set("/observed/list.html", "<ul><li><a href='/observed/a.html'>政协常委会议召开第一次会议</a>"
            "<span>2026-11-05</span></li><li><a href='/observed/b.html'>提案办理情况通报会举行</a>"
            "<span>2026-11-04</span></li></ul>")
    web.set("/observed/down.html", "oops", status=503)
    cfg = load_config(write_config(tmp_path, f"""
        [schedule]
        interval = 600
        jitter = 0
        [server]
        enabled = false
        [[sources]]
        id = "ok"
        name = "OK"
        url = "{web.url('/observed/list.html')}"
        region = "山东省"
        fetch_articles = false
        [[sources]]
        id = "down"
        name = "Down"
        url = "{web.url('/observed/down.html')}"
        region = "山东省"
        """))
    seen = Recording()
    daemon = Daemon(cfg, observer=seen)
    daemon.start()
    try:
        assert wait_for(lambda: len(seen.of("done")) >= 2, timeout=30), seen.events
        assert wait_for(lambda: seen.of("mail"), timeout=30)
        daemon.publish_if_dirty()
    finally:
        daemon.stop()
    done = {e[1]: e for e in seen.of("done")}
    starts = {e[1]: e[2] for e in seen.of("start")}
    ok, down = done["ok"][2], done["down"][2]
    assert ok is not None and ok.status == "ok" and ok.found == 2 and len(ok.new) == 2
    assert down is not None and down.status == "failed" and down.error_kind == "http"
    for sid, (_, _, _, timing) in done.items():
        assert timing.started == starts[sid] and timing.ended >= timing.started
        assert timing.cpu >= timing.pipeline_cpu > 0  # the job's CPU includes poll_source's
    published = seen.of("publish")
    assert published and sum(e[1] for e in published) > 0  # start publishes, the new items too
    assert all(e[2] >= 0 and e[3] >= 0 for e in published)
    assert all(e[1] >= 0 and e[2] >= 0 for e in seen.of("mail"))


def test_without_an_observer_the_hooks_do_nothing(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, "[server]\nenabled = false\n"))
    daemon = Daemon(cfg)
    assert daemon.observer is observer_module.NO_OBSERVER
    assert type(daemon.observer) is DaemonObserver  # every hook a no-op
    daemon.store.close()
