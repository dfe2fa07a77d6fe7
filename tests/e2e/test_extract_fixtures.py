"""Extraction on the fixture web reaches ≥ 95% precision and recall on (full title, URL, day)."""

import pytest

from support.extraction_score import score_site, sites
from support.webserver import TestWeb


@pytest.mark.parametrize("site", sites())
def test_precision_and_recall(site: str, web: TestWeb) -> None:
    score = score_site(site, web.base)
    assert score.truth, "fixture has no truth"
    assert score.precision >= 0.95 and score.recall >= 0.95, score.report()
    assert not score.not_items_found, score.report()
