"""Feed checks by outside tools: jing with the RFC 4287 RELAX NG schema."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCHEMAS = Path(__file__).parent.parent / "schemas"


def jing(*files: Path) -> subprocess.CompletedProcess[str]:
    """jing's verdict on Atom files (skips, saying why, where jing is not installed)."""
    if shutil.which("jing") is None:
        pytest.skip("jing is not installed (Debian package jing, listed in .ci/apt-packages.txt)")
    return subprocess.run(["jing", "-c", str(SCHEMAS / "atom.rnc"), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
