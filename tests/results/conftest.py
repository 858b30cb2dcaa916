from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from kerne.results.rollup import clear_memo


@pytest.fixture(autouse=True)
def _fresh_results_cache() -> Iterator[None]:
    """Results are cached per round; test databases reuse ids, so start every test empty."""
    clear_memo()
    cache.clear()
    yield
    clear_memo()
    cache.clear()
