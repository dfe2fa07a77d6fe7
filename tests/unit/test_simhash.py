"""SimHash values are stored: the implementation must give exactly the values of its definition.

v2 (schema v13) is defined below, one Python step per gram and bit; v1, which stores written
before v13 hold, is in support.simhash.
"""

from __future__ import annotations

import random

from zxfeed.normalize.reprints import _KEYS, _NOT_WORD, MIN_BODY, distance, simhash


def reference_simhash(text: str) -> int | None:
    """v2: simple tabulation over the bytes of each distinct 3-gram's UTF-32 code units."""
    text = _NOT_WORD.sub("", text)
    if len(text) < MIN_BODY:
        return None
    text = text[:4000]
    grams = {text[i : i + 3] for i in range(len(text) - 2)}
    rows = []
    for gram in grams:
        word = 0
        for place, char in enumerate(gram):
            code = ord(char)
            for j, byte in enumerate(((code >> 16) & 0xFF, (code >> 8) & 0xFF, code & 0xFF)):
                at = ((place * 3 + j) * 256 + byte) * 8
                word ^= int.from_bytes(_KEYS[at : at + 8], "big")
        rows.append(format(word, "064b"))
    half = len(rows) / 2
    bits = "".join("1" if column.count("1") > half else "0" for column in zip(*rows, strict=True))
    value = int(bits, 2)
    return value - (1 << 64) if value >= 1 << 63 else value


def test_same_values_as_the_reference_on_random_bodies() -> None:
    rng = random.Random(7)
    alphabet = "政协委员会议召开提出建议关于工作的一二三四五六七八九十镕堃喆abcXYZ09，。 \n"
    for _ in range(80):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(40, 6000)))
        assert simhash(text) == reference_simhash(text)


def test_edge_cases_match_the_reference() -> None:
    for text in ["", "短", "a" * 100, "ab" * 100, "政协" * 300, "委员" * (MIN_BODY // 2 - 1) + "x",
                 "😀" * 200, "x" * 10000, "政协𠀀委员𠀁会议" * 30, "\U0010fffd" * 90]:
        assert simhash(text) == reference_simhash(text), text[:20]


def test_one_changed_sentence_moves_few_bits() -> None:
    rng = random.Random(3)
    words = ["委员", "提出", "建议", "会议", "召开", "协商", "民生", "调研", "教育", "医疗", "乡村", "振兴"]
    base = "".join(rng.choice(words) + rng.choice("的了在和，。") for _ in range(600))
    value, edited = simhash(base), simhash(base[:-40] + "本文有改动")
    assert value is not None and edited is not None
    assert distance(value, edited) < distance(value, simhash(base[::-1]) or 0)
    assert -(1 << 63) <= value < 1 << 63


def test_unrelated_bodies_stay_far_apart() -> None:
    rng = random.Random(11)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    bodies = ["".join(rng.choice(chars) for _ in range(1500)) for _ in range(40)]
    values = [simhash(b) or 0 for b in bodies]
    gaps = [distance(a, b) for i, a in enumerate(values) for b in values[i + 1 :]]
    assert min(gaps) > 12 and 26 <= sum(gaps) / len(gaps) <= 38
