"""SimHash v1 (schema v7 to v12), for tests of stores it wrote."""

from __future__ import annotations

import hashlib

from zxfeed.normalize.reprints import _NOT_WORD, MIN_BODY


def simhash_v1(text: str) -> int | None:
    """v1 (schema v7 to v12): one blake2b per distinct gram."""
    text = _NOT_WORD.sub("", text)
    if len(text) < MIN_BODY:
        return None
    text = text[:4000]
    grams = {text[i : i + 3] for i in range(len(text) - 2)}
    rows = [format(int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "big"),
                   "064b") for g in grams]
    half = len(rows) / 2
    bits = "".join("1" if column.count("1") > half else "0" for column in zip(*rows, strict=True))
    value = int(bits, 2)
    return value - (1 << 64) if value >= 1 << 63 else value
