"""``zxfeed check`` (and start-up) refuse what would only break later, one line each, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import UNREACHABLE_SOURCE, write_config, zxfeed

SOURCE = UNREACHABLE_SOURCE


def _config(tmp_path: Path, body: str, feeds: str = "", top: str = "") -> Path:
    cfg = write_config(tmp_path, body, top=top)
    if feeds:
        cfg.write_text(cfg.read_text("utf-8").replace("[feeds]\n", "[feeds]\n" + feeds), "utf-8")
    return cfg


def _one_line(proc, file: Path, key: str, fix: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{file}: {key}: " in lines[0] and " — " in lines[0] and fix in lines[0], lines[0]


SMTP = '[smtp]\nhost = "127.0.0.1"\nport = 2525\n'


@pytest.mark.parametrize(
    ("body", "feeds", "key", "fix"),
    [
        pytest.param(SOURCE + '[sources.selectors]\nitem = "ul li[["\n', "",
                     "sources[0].selectors.item", "zxfeed extract", id="css-item"),
        pytest.param(SOURCE + '[sources.selectors]\nitem = "li"\ndate = "span:nth-child(x)"\n', "",
                     "sources[0].selectors.date", "zxfeed extract", id="css-date"),
        pytest.param('[schedule]\ntimezone = "Asia/Shanghia"\n' + SOURCE, "",
                     "schedule.timezone", '"Asia/Shanghai"', id="time-zone"),
        pytest.param(SOURCE, 'base_url = "feeds.example.org"\n',
                     "feeds.base_url", "https://", id="base-url-scheme"),
        pytest.param('[server]\nhost = "0.0.0.0"\n' + SOURCE, "",
                     "server.host", "base_url", id="public-host-no-base-url"),
        pytest.param('[server]\nhost = "192.168.1.20"\n' + SOURCE, "",
                     "server.host", "base_url", id="lan-host-no-base-url"),
        pytest.param('[server]\nport = 0\n' + SOURCE, "", "server.port", "1 to 65535",
                     id="port-0"),
        pytest.param('[server]\nport = 70000\n' + SOURCE, "", "server.port", "1 to 65535",
                     id="port-70000"),
        pytest.param(SMTP.replace("2525", "0") + SOURCE, "", "smtp.port", "1 to 65535",
                     id="smtp-port-0"),
        pytest.param(SMTP + "ssl = true\nstarttls = true\n" + SOURCE, "", "smtp.starttls",
                     "not both", id="ssl-and-starttls"),
        pytest.param(SOURCE + 'kind = "html"\n[sources.json]\nitems = "data.list"\n', "",
                     "sources[0].json", 'kind = "json"', id="json-table-on-html"),
        pytest.param(SOURCE + '[sources.json]\nitems = "data.list"\n', "",
                     "sources[0].json", 'kind = "json"', id="json-table-on-auto"),
        pytest.param(SOURCE + '[[subscribers]]\nemail = "Reader@Example.org"\n'
                     '[[subscribers]]\nemail = "reader@example.org"\nmode = "daily"\n', "",
                     "subscribers[1].email", "once", id="subscriber-twice"),
    ],
)
def test_check_rejects_with_one_line(tmp_path: Path, body: str, feeds: str, key: str,
                                     fix: str) -> None:
    cfg = _config(tmp_path, body, feeds)
    _one_line(zxfeed("check", config=cfg), cfg, key, fix)


def test_include_that_matches_nothing(tmp_path: Path) -> None:
    cfg = _config(tmp_path, SOURCE, top='include = ["sourcs/*.toml"]\n')
    _one_line(zxfeed("check", config=cfg), cfg, "include", "fix the path")


def test_bad_selector_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    inc = tmp_path / "sources" / "more.toml"
    inc.write_text(SOURCE.replace('"a"', '"b"') + SOURCE.replace('"a"', '"c"')
                   + '[sources.selectors]\nitem = "li >> a"\n', "utf-8")
    cfg = _config(tmp_path, SOURCE, top='include = ["sources/*.toml"]\n')
    _one_line(zxfeed("check", config=cfg), inc, "sources[1].selectors.item", "CSS selector")


def test_run_refuses_a_bad_config_at_start(tmp_path: Path) -> None:
    cfg = _config(tmp_path, '[server]\nhost = "0.0.0.0"\n' + SOURCE)
    _one_line(zxfeed("run", config=cfg, timeout=30), cfg, "server.host", "base_url")
    ok = _config(tmp_path, SOURCE)
    proc = zxfeed("run", "--host", "0.0.0.0", config=ok, timeout=30)
    assert proc.returncode == 2 and "server.host" in proc.stderr and "base_url" in proc.stderr


def test_commands_that_send_no_mail_need_no_smtp_password(tmp_path: Path, web) -> None:
    var = "ZXFEED_TEST_NEVER_SET_PASSWORD"
    assert var not in os.environ
    web.set("/cc/list.html", "<ul><li><a href='/cc/1.html'>政协召开常委会议</a>"
            "<span>2024-02-05</span></li></ul>")
    cfg = _config(tmp_path, SMTP + f'username = "u"\nstarttls = true\npassword_env = "{var}"\n' + SOURCE)
    for command in (["check"], ["sources"], ["sources", "--json"], ["opml"], ["feeds"],
                    ["extract", web.url("/cc/list.html"), "--no-articles"]):
        proc = zxfeed(*command, config=cfg)
        assert proc.returncode == 0, (command, proc.stderr)
    assert var in zxfeed("check", config=cfg).stdout  # check says run/poll will need it
    # Commands that do send mail still refuse to start without it.
    _one_line(zxfeed("poll", config=cfg), cfg, "smtp.password_env", "export it")
