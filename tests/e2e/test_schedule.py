"""The daemon's scheduler in-process: no run silently dropped, failures back off, never unscheduled."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from conftest import write_config
from support.helpers import wait_for
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import Daemon
from zxfeed.store import Store


def test_many_due_at_once_none_dropped(tmp_path: Path, web: TestWeb) -> None:
    n = 30
    body = "[schedule]\ninterval = 600\njitter = 0\n[server]\nenabled = false\n"
    for i in range(n):
        web.set(f"/sched/{i}.html", f"<ul><li><a href='/sched/a{i}.html'>第{i}号政协工作动态消息</a>"
                f"<span>2024-02-05</span></li><li><a href='/sched/b{i}.html'>第{i}号提案办理情况通报</a>"
                f"<span>2024-02-04</span></li></ul>", delay=0.2)
        body += (f'[[sources]]\nid = "s{i}"\nname = "S{i}"\nurl = "{web.url(f"/sched/{i}.html")}"\n'
                 'region = "山东省"\n')
    cfg = load_config(write_config(tmp_path, body))
    cfg.fetch = cfg.fetch.model_copy(update={"workers": 2})
    daemon = Daemon(cfg)
    daemon.start()
    try:
        assert wait_for(lambda: all(s.polls == 1 for s in daemon.store.sources()), timeout=30), \
            [(s.id, s.polls) for s in daemon.store.sources() if s.polls != 1]
        assert daemon.store.item_count() == 2 * n
    finally:
        daemon.stop()


def test_failure_backs_off_and_stays_scheduled(tmp_path: Path, web: TestWeb) -> None:
    web.set("/sched/down.html", "oops", status=503, headers={"Retry-After": "900"})
    cfg = load_config(write_config(tmp_path, f"""
        [schedule]
        interval = 60
        jitter = 0
        [server]
        enabled = false
        [[sources]]
        id = "down"
        name = "Down"
        url = "{web.url('/sched/down.html')}"
        region = "山东省"
        """))
    daemon = Daemon(cfg)
    daemon.start()
    try:
        assert wait_for(lambda: daemon.store.source("down").polls == 1, timeout=10)
        job = daemon.scheduler.get_job("poll:down")
        assert job is not None  # never unscheduled
        assert wait_for(lambda: daemon.store.source("down").state == "failing", timeout=5)
        wait = (job.next_run_time.timestamp() - time.time())
        assert 850 < wait <= 905, wait  # Retry-After beats the 60 s interval
    finally:
        daemon.stop()


def test_stop_while_polls_run_and_queue(tmp_path: Path, web: TestWeb) -> None:
    """SIGTERM in the middle of a round: queued polls are dropped, running ones finish, no hang."""
    import threading

    n = 12
    body = "[schedule]\ninterval = 600\njitter = 0\n[server]\nenabled = false\n"
    for i in range(n):
        web.set(f"/stop/{i}.html", "oops", status=500, delay=0.4)  # failures touch the scheduler
        body += (f'[[sources]]\nid = "t{i}"\nname = "T{i}"\nurl = "{web.url(f"/stop/{i}.html")}"\n'
                 'region = "山东省"\n')
    cfg = load_config(write_config(tmp_path, body))
    cfg.fetch = cfg.fetch.model_copy(update={"workers": 3})
    daemon = Daemon(cfg)
    daemon.start()
    assert wait_for(lambda: sum(s.polls for s in daemon.store.sources()) >= 1, timeout=10)
    stopper = threading.Thread(target=daemon.stop)
    stopper.start()
    stopper.join(timeout=20)
    assert not stopper.is_alive(), "stop deadlocked"
    # The three that were running finished; the queued ones were left for the next start.
    polled = sum(1 for s in Store(cfg.db_path).sources() if s.polls)
    assert 1 <= polled < n


def test_stopped_daemon_gives_back_the_cores(tmp_path: Path, web: TestWeb) -> None:
    import os

    import pytest
    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs a process allowed on two or more cores")
    before = os.sched_getaffinity(0)
    web.set("/pin/list.html", "<ul><li><a href='/pin/a.html'>政协委员视察工作动态</a><span>2024-02-05</span></li>"
            "<li><a href='/pin/b.html'>提案办理情况通报会</a><span>2024-02-04</span></li></ul>")
    cfg = load_config(write_config(tmp_path, "[server]\nenabled = false\n[[sources]]\nid = \"pin\"\n"
                                   f"name = \"P\"\nurl = \"{web.url('/pin/list.html')}\"\nregion = \"山东省\"\n"))
    daemon = Daemon(cfg)
    daemon.start()
    try:
        assert len(os.sched_getaffinity(0)) == 1  # [schedule] one_core pins the whole process
    finally:
        daemon.stop()
    # Else every later test, and every process it starts, would run on one core.
    assert os.sched_getaffinity(0) == before


def test_digests_do_not_wait_behind_queued_polls(tmp_path: Path, web: TestWeb) -> None:
    """A cold start queues every poll at once; the digest job has threads of its own."""
    import threading

    from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

    n = 8
    body = "[schedule]\ninterval = 600\njitter = 0\n[server]\nenabled = false\n"
    for i in range(n):
        web.set(f"/hk/{i}.html", "<ul><li><a href='/hk/a.html'>政协工作动态消息一则</a>"
                "<span>2024-02-05</span></li></ul>", delay=1.0)
        body += (f'[[sources]]\nid = "h{i}"\nname = "H{i}"\nurl = "{web.url(f"/hk/{i}.html")}"\n'
                 'region = "山东省"\n')
    cfg = load_config(write_config(tmp_path, body))
    cfg.fetch = cfg.fetch.model_copy(update={"workers": 1})
    daemon = Daemon(cfg)
    ran = threading.Event()
    polled_then: list[int] = []

    def executed(event: JobExecutionEvent) -> None:
        if event.job_id == "digests" and not ran.is_set():
            polled_then.append(sum(1 for s in daemon.store.sources() if s.polls))
            ran.set()

    daemon.scheduler.add_listener(executed, EVENT_JOB_EXECUTED)
    daemon.start()
    try:
        for i in range(n):  # every poll due now, queued on the one worker
            daemon.scheduler.modify_job(f"poll:h{i}", next_run_time=datetime.now(daemon.tz))
        daemon.scheduler.modify_job("digests", next_run_time=datetime.now(daemon.tz))
        assert ran.wait(30)
        assert polled_then[0] < n, polled_then  # it ran while polls were still queued
    finally:
        daemon.stop()
