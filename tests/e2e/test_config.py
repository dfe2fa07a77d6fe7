from pathlib import Path

import pytest

from conftest import UNREACHABLE_SOURCE, write_config, zxfeed

SOURCE = UNREACHABLE_SOURCE


def _run_check(tmp_path: Path, body: str):
    cfg = write_config(tmp_path, body)
    return cfg, zxfeed("check", config=cfg)


@pytest.mark.parametrize(
    ("body", "key", "fix"),
    [
        (SOURCE + 'colour = "red"\n', "sources[0].colour", "remove it"),
        ('[[sources]]\nid = "a"\nname = "A"\nregion = "山东省"\n', "sources[0].url", 'add url = "..."'),
        (SOURCE + SOURCE, "sources[1].id", "own id"),
        (SOURCE + 'interval = "5x"\n', "sources[0].interval", '"15m"'),
        (SOURCE + "interval = 1\n", "sources[0].interval", "10s to 7d"),
        (SOURCE.replace('id = "a"', 'id = "A B"'), "sources[0].id", "lower-case"),
        (SOURCE + '[[subscribers]]\nemail = "nobody"\n', "subscribers[0].email", "name@domain"),
        ('[server]\nprot = 1\n' + SOURCE, "server.prot", "allowed: host, port"),
    ],
)
def test_bad_config_one_clear_line_exit_2(tmp_path: Path, body: str, key: str, fix: str) -> None:
    cfg, proc = _run_check(tmp_path, body)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(cfg) in lines[0] and key in lines[0] and fix in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def test_toml_syntax_error_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[storage\npath=1", encoding="utf-8")
    proc = zxfeed("check", config=bad)
    assert proc.returncode == 2 and str(bad) in proc.stderr and "TOML" in proc.stderr
    proc = zxfeed("check", config=tmp_path / "none.toml")
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_include_files_and_duplicates_across_them(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "more.toml").write_text(SOURCE.replace('"a"', '"b"'), "utf-8")
    cfg = write_config(tmp_path, SOURCE, top='include = ["sources/*.toml"]\n')
    proc = zxfeed("check", config=cfg)
    assert proc.returncode == 0, proc.stderr
    assert " a " in proc.stdout and " b " in proc.stdout and "2 enabled of 2" in proc.stdout
    (tmp_path / "sources" / "dup.toml").write_text(SOURCE, "utf-8")
    proc = zxfeed("check", config=cfg)
    assert proc.returncode == 2 and "dup.toml" in proc.stderr and "duplicate id 'a'" in proc.stderr


def test_check_prints_what_would_run(tmp_path: Path) -> None:
    _, proc = _run_check(tmp_path, SOURCE + 'interval = "15m"\n')
    assert proc.returncode == 0
    assert "every   900s" in proc.stdout and "data/zxfeed.db" in proc.stdout


def test_default_config_is_valid() -> None:
    proc = zxfeed("check")
    assert proc.returncode == 0, proc.stderr
    assert "cppcc" in proc.stdout
