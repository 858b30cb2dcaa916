"""Template helpers: rounding half up like |floatformat, localized, hidden values marked."""

from __future__ import annotations

from django.utils import translation

from kerne.results.reports import HIDDEN, Comparison, Stat
from kerne.results.templatetags.results_tags import comparisons, distribution, heat_class, score, signed


def test_scores_round_half_up_and_use_the_languages_decimal_mark():
    with translation.override("da"):
        assert score(Stat(shown=True, mean=77.27)) == "<strong>77,3</strong>"
        assert (
            signed(8.55) == "+8,6"
            and signed(-0.04) == "±0,0"
            and signed(-3.0) == "−3,0"
            and signed(0.0) == "±0,0"
        )
    with translation.override("en"):
        assert score(Stat(shown=True, mean=77.25)) == "<strong>77.3</strong>"
        assert score(HIDDEN) == '<span class="hidden-value">hidden</span>'


def test_distribution_prints_the_shares_as_text_too():
    with translation.override("da"):
        html = distribution(Stat(shown=True, mean=60.0, shares=(0.1, 0.3, 0.6)))
    assert 'style="width: 60%"' in html and "60 % positive · 30 % neutrale · 10 % negative" in html
    assert distribution(HIDDEN) == ""


def test_comparisons_say_in_words_what_changed():
    with translation.override("da"):
        html = comparisons([Comparison("previous", "Måling 2025", 50.0, 6.2, 1)])
    assert "▲" in html and "+6,2" in html and "siden Måling 2025 (50,0, bedre)" in html


def test_heat_classes_cover_the_scale_and_hidden_cells():
    assert [heat_class(x) for x in (0.0, 39.9, 40.0, 60.0, 70.0, 75.0, 100.0, None)] == [
        "heat-0",
        "heat-0",
        "heat-1",
        "heat-2",
        "heat-3",
        "heat-4",
        "heat-4",
        "heat-hidden",
    ]
