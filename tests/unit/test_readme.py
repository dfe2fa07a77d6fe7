"""The README's configuration examples are valid configs (the README must stay true)."""

import os
import re
from pathlib import Path

from conftest import ROOT
from zxfeed.config.settings import load_config


def test_readme_config_blocks_load(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    assert len(blocks) >= 2
    main, mail = blocks[0], blocks[1]
    os.environ["ZXFEED_SMTP_PASSWORD"] = "x"
    try:
        path = tmp_path / "zxfeed.toml"
        path.write_text(main, "utf-8")
        # Its include must match a file (an include matching nothing is refused).
        (tmp_path / "sources").mkdir()
        (tmp_path / "sources" / "more.toml").write_text(
            '[[sources]]\nid = "more"\nname = "M"\nurl = "http://127.0.0.1:9/"\nregion = "山东省"\n',
            "utf-8")
        cfg = load_config(path)
        assert cfg.sources[0].selectors is not None and cfg.operator == "ops@example.org"
        # The email block is a fragment: it needs a source to name and the main tables.
        path.write_text(mail.replace('["sdzx-yw"]', "[]").replace('["山东省"]', "[]"), "utf-8")
        cfg = load_config(path)
        assert cfg.smtp is not None and cfg.subscribers[0].mode == "instant"
    finally:
        del os.environ["ZXFEED_SMTP_PASSWORD"]
