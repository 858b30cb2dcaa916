"""Answer scales: five options plus "don't know / not relevant".

Option values are the packed answer bytes (kerne/surveys/packing.py): 5 is the most
favourable wording of the scale ("helt enig", "altid"), 1 the least, and 0 is "ved ikke /
ikke relevant" (missing in scoring). A negatively worded item keeps the same scale and
is marked `reversed`; scoring mirrors it, the respondent sees the options unchanged.

Pure data: no database, no request.
"""

from __future__ import annotations

from dataclasses import dataclass

DONT_KNOW = 0
OPTION_VALUES = (1, 2, 3, 4, 5)
ALL_VALUES = (*OPTION_VALUES, DONT_KNOW)
_ANSWER_TEXTS = frozenset(str(value) for value in ALL_VALUES)  # ASCII digits only


@dataclass(frozen=True)
class Option:
    value: int
    da: str
    en: str

    def label(self, language: str) -> str:
        return self.en if language.startswith("en") and self.en else self.da


@dataclass(frozen=True)
class Scale:
    key: str
    name_da: str
    name_en: str
    options: tuple[Option, ...]  # most favourable first, as shown to the respondent
    dont_know: Option

    def choices(self, language: str) -> list[tuple[int, str]]:
        """(value, label) in display order: 5 … 1, then "don't know"."""
        return [(o.value, o.label(language)) for o in (*self.options, self.dont_know)]

    def label(self, value: int, language: str) -> str:
        for option in (*self.options, self.dont_know):
            if option.value == value:
                return option.label(language)
        raise KeyError(value)


_DONT_KNOW = Option(DONT_KNOW, "Ved ikke / ikke relevant", "Don't know / not relevant")

SCALES: dict[str, Scale] = {
    "agree5": Scale(
        key="agree5",
        name_da="Enighed (5 svarmuligheder)",
        name_en="Agreement (5 options)",
        options=(
            Option(5, "Helt enig", "Strongly agree"),
            Option(4, "Delvis enig", "Agree"),
            Option(3, "Hverken enig eller uenig", "Neither agree nor disagree"),
            Option(2, "Delvis uenig", "Disagree"),
            Option(1, "Helt uenig", "Strongly disagree"),
        ),
        dont_know=_DONT_KNOW,
    ),
    "frequency5": Scale(
        key="frequency5",
        name_da="Hyppighed (5 svarmuligheder)",
        name_en="Frequency (5 options)",
        options=(
            Option(5, "Altid", "Always"),
            Option(4, "Ofte", "Often"),
            Option(3, "Somme tider", "Sometimes"),
            Option(2, "Sjældent", "Rarely"),
            Option(1, "Aldrig", "Never"),
        ),
        dont_know=_DONT_KNOW,
    ),
    "quality5": Scale(
        key="quality5",
        name_da="Vurdering (5 svarmuligheder)",
        name_en="Rating (5 options)",
        options=(
            Option(5, "Meget god", "Very good"),
            Option(4, "God", "Good"),
            Option(3, "Hverken god eller dårlig", "Neither good nor poor"),
            Option(2, "Dårlig", "Poor"),
            Option(1, "Meget dårlig", "Very poor"),
        ),
        dont_know=_DONT_KNOW,
    ),
}

DEFAULT_SCALE = "agree5"


def get_scale(key: str) -> Scale:
    """The scale named `key`; KeyError names the known ones."""
    try:
        return SCALES[key]
    except KeyError:
        raise KeyError(f"unknown scale {key!r}; known: {', '.join(sorted(SCALES))}") from None


def parse_answer(raw: str) -> int | None:
    """A submitted option ("1".."5", "0" = don't know) → its value, or None if it is none."""
    text = raw.strip()
    if text not in _ANSWER_TEXTS:
        return None
    return int(text)
