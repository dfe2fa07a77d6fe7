"""Real list pages nobody here wrote (../shared/corpus/real/lists), replayed on 127.0.0.1."""

from __future__ import annotations

import pytest

from support.real_lists import LISTS, score_page, truth

PAGES = sorted(truth()) if (LISTS / "truth.json").is_file() else []
_ABSENT = "../shared/corpus/real/lists is not here (a clone without the shared corpus)"


@pytest.mark.parametrize("page", PAGES or [pytest.param("none", marks=pytest.mark.skip(_ABSENT))])
def test_real_page_f1_with_and_without_dates(page: str) -> None:
    spec = truth()[page]
    dated = score_page(page, spec, dated=True)
    assert dated.f1() >= 0.95, dated.report()
    assert not dated.future, dated.report()
    undated = score_page(page, spec, dated=False)
    assert undated.f1() >= 0.95, undated.report()
    assert not undated.future, undated.report()
