"""Real list pages nobody here wrote (../shared/corpus/real/lists), replayed on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from conftest import zxfeed
from support.real_lists import LISTS, replay, truth

PAGES = sorted(truth()) if (LISTS / "truth.json").is_file() else []
_ABSENT = "../shared/corpus/real/lists is not here (a clone without the shared corpus)"


def test_extract_now_reads_relative_times_as_of_that_time() -> None:
    if not PAGES:
        pytest.skip(_ABSENT)
    spec = truth()["netease_world"]
    captured = datetime.fromisoformat(spec["captured"])
    with replay("netease_world", spec) as (url, back):
        proc = zxfeed("extract", url, "--json", "--no-articles", "--now", spec["captured"])
    assert proc.returncode == 0, proc.stderr
    got = {back(i["url"]): i for i in json.loads(proc.stdout)}
    first = spec["items"][0]  # shown as "26分钟前"
    assert first["url"] in got
    assert datetime.fromisoformat(got[first["url"]]["published"]) == \
        (captured - timedelta(minutes=26)).replace(second=0)
    days = {datetime.fromisoformat(i["published"]).date() for i in got.values() if i["published"]}
    assert days and max(days) <= captured.date() and min(days) >= captured.date() - timedelta(days=30)


def test_extract_text_names_blocks_of_a_portal() -> None:
    if not PAGES:
        pytest.skip(_ABSENT)
    spec = truth()["handan_xxgk"]
    with replay("handan_xxgk", spec) as (url, _):
        proc = zxfeed("extract", url, "--no-articles", "--now", spec["captured"])
    assert proc.returncode == 0, proc.stderr
    # A portal: every dated block is taken, each item says which one it came from.
    assert "# 采用  「近期信息公开」 13 条" in proc.stdout
    assert "未采用" not in proc.stdout
    assert proc.stdout.count("〔近期信息公开〕") == 13
