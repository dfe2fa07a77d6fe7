"""``[storage] url``: PostgreSQL addresses zxfeed check accepts, and the ones it refuses with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from zxfeed.config.settings import ConfigError, load_config


def _load(tmp_path: Path, url: str):
    path = tmp_path / "zxfeed.toml"
    path.write_text(f'[storage]\nurl = "{url}"\nlease = 30\n', "utf-8")
    return load_config(path)


def test_a_postgresql_url_is_taken_and_path_stays_the_data_folder(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "postgresql://zxfeed@db.example.org:5433/zxfeed")
    assert cfg.storage.url == "postgresql://zxfeed@db.example.org:5433/zxfeed"
    assert cfg.storage.lease == 30 and cfg.db_path.name == "zxfeed.db"


@pytest.mark.parametrize(("url", "said"), [
    ("mysql://zxfeed@db/zxfeed", "不是 PostgreSQL 地址"),
    ("postgresql://zxfeed:secret@db/zxfeed", "PGPASSWORD"),
    ("postgresql://zxfeed@db:99999/zxfeed", "无法解析"),
    ("postgresql://zxfeed@db", "没有写数据库名"),
])
def test_a_bad_url_names_file_key_and_fix(tmp_path: Path, url: str, said: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, url)
    text = str(err.value)
    assert text.startswith(f"{tmp_path / 'zxfeed.toml'}: storage.url: ") and said in text and " — " in text


def test_without_psycopg_the_error_says_how_to_install_it(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "psycopg" else real(name, *a))
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, "postgresql://zxfeed@db/zxfeed")
    assert "pip install 'zxfeed[postgres]'" in str(err.value) and "storage.url" in str(err.value)
