"""The dialogue meeting guide, built from a unit report as the viewer may see it (pure).

Every number in a guide is copied from a `UnitReport` that kerne.results.selectors
(`result_for_user`) returned for the viewer: a hidden number arrives as None there and is
left out here. Nothing in this module reads responses or computes a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kerne.followup.questions import questions_for
from kerne.results.reports import CommentItem, UnitReport

STRONGEST = 2
WEAKEST = 2
MAX_CHANGES = 5


@dataclass(frozen=True)
class GuideDimension:
    key: str
    name: str
    mean: float
    n: int | None


@dataclass(frozen=True)
class GuideChange:
    key: str
    name: str
    label: str  # the previous round's name
    mean: float
    delta: float  # this round minus the previous
    change: int  # +1 better, −1 worse (never 0: no change within 5 points is listed)


@dataclass(frozen=True)
class GuideQuestions:
    dimension: GuideDimension
    questions: tuple[str, str, str]


@dataclass
class MeetingGuide:
    """What the leader brings to the meeting. `report` is None when no results may be shown."""

    unit_name: str  # the unit the meeting is for
    source_unit_id: int | None  # whose results the guide shows (the unit, or the nearest shown above)
    source_unit_name: str
    own_hidden: bool  # the unit's own results are hidden; the guide uses `source_unit_name`
    report: UnitReport | None
    strongest: list[GuideDimension] = field(default_factory=list)
    weakest: list[GuideDimension] = field(default_factory=list)
    changes: list[GuideChange] = field(default_factory=list)
    comments: list[CommentItem] = field(default_factory=list)
    comments_hidden: bool = False
    questions: list[GuideQuestions] = field(default_factory=list)

    @property
    def has_numbers(self) -> bool:
        return bool(self.strongest or self.weakest)


def build_guide(
    report: UnitReport | None, *, unit_name: str, own_hidden: bool, language: str | None = None
) -> MeetingGuide:
    """The guide from `report` (already cut to what the viewer may see)."""
    if report is None:
        return MeetingGuide(unit_name, None, "", own_hidden, None)
    guide = MeetingGuide(
        unit_name=unit_name,
        source_unit_id=report.unit_id,
        source_unit_name=report.unit_name,
        own_hidden=own_hidden,
        report=report,
        comments=list(report.comments),
        comments_hidden=report.comments_hidden,
    )
    if not report.numbers:
        return guide
    scored = [
        GuideDimension(d.key, d.name, d.stat.mean, d.stat.n)
        for d in report.dimensions
        if d.stat.shown and d.stat.mean is not None
    ]
    ascending = sorted(scored, key=lambda d: d.mean)  # stable: ties keep the instrument's order
    # With fewer than four dimensions, the weak side comes first: it carries the questions.
    guide.weakest = ascending[:WEAKEST] if len(ascending) > WEAKEST else ascending[:1]
    weak_keys = {d.key for d in guide.weakest}
    descending = sorted(scored, key=lambda d: -d.mean)
    guide.strongest = [d for d in descending if d.key not in weak_keys][:STRONGEST]
    changes = []
    for dimension in report.dimensions:
        if dimension.stat.mean is None:
            continue
        for comparison in dimension.comparisons:
            if comparison.kind == "previous" and comparison.change != 0:
                changes.append(
                    GuideChange(
                        dimension.key,
                        dimension.name,
                        comparison.label,
                        dimension.stat.mean,
                        comparison.delta,
                        comparison.change,
                    )
                )
    changes.sort(key=lambda c: (-abs(c.delta), c.key))
    guide.changes = changes[:MAX_CHANGES]
    guide.questions = [
        GuideQuestions(d, tuple(q.text(language) for q in questions_for(d.key)))  # type: ignore[arg-type]
        for d in guide.weakest
    ]
    return guide
