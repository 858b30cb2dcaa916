"""360 reports: self vs others, rater groups at their minimum, the manager not anonymous; who may see them."""

from __future__ import annotations

import pytest

from kerne.results import selectors
from kerne.results.services import round_release
from kerne.surveys.models import RaterGroup
from tests.factories import make_engagement, make_person
from tests.results.factories import (
    add_invitations,
)


def test_self_vs_others_with_groups_shown_at_their_minimum(evaluation_world):
    w = evaluation_world
    report = selectors.evaluation_report(w.users["hr"], w.extra["evaluation"])
    assert report is not None and report.numbers
    groups = {g.key: g for g in report.groups}
    assert groups["self"].respondents == 1 and not groups["self"].anonymous
    assert groups["manager"].respondents == 1 and not groups["manager"].anonymous
    assert groups["peer"].respondents is None  # 2 peers: below k
    # All raters minus manager minus employees would give the peers: one of those two is hidden.
    assert groups["others"].respondents is None or groups["employee"].respondents is None
    assert groups["others"].respondents == 9  # the smaller group (employees, 6) is the one hidden
    b0 = next(b for b in report.behaviours if b.key == "d0")
    assert b0.self_score == 100.0
    assert b0.groups["manager"].mean == 75.0
    assert b0.others.mean == pytest.approx((75 + 2 * 25 + 6 * 50) / 9)
    assert b0.others.mean is not None and b0.gap == pytest.approx(b0.others.mean - 100.0)
    assert not b0.groups["peer"].shown and b0.groups["peer"].mean is None
    assert report.gaps[0].gap is not None
    assert abs(report.gaps[0].gap) >= abs(report.gaps[-1].gap or 0)
    assert report.hidden_numbers
    # Comments: employees (6 ≥ 5) and the manager (not anonymous) yes; the 2 peers no.
    texts = {text for _group, text in report.comments}
    assert texts == {"Lytter godt", "Fra lederens leder"}


@pytest.mark.parametrize(
    ("role", "before", "after"),
    [
        ("hr", True, True),
        ("admin", True, True),
        ("leader", False, True),  # the evaluated leader
        ("director", False, True),  # their manager
        ("executive", False, False),
        ("other_leader", False, False),
        ("employee", False, False),
    ],
)
def test_who_may_see_a_360_report(evaluation_world, role, before, after):
    w = evaluation_world
    evaluation = w.extra["evaluation"]
    assert (selectors.evaluation_report(w.users[role], evaluation) is not None) is before
    round_release(actor=w.users["hr"], round=w.extra["round"])
    evaluation.round.refresh_from_db()
    assert (selectors.evaluation_report(w.users[role], evaluation) is not None) is after
    assert bool(selectors.evaluations_for_user(w.users[role], evaluation.round)) is after


def test_a_manager_invited_as_such_may_see_the_report(evaluation_world):
    w = evaluation_world
    evaluation = w.extra["evaluation"]
    person = make_person("Anden chef")
    make_engagement(person, w.centre_b)
    from tests.factories import make_user

    user = make_user("anden", person=person)
    add_invitations(w.extra["round"], w.root, 0)
    from kerne.surveys.models import Invitation

    Invitation.objects.create(
        round=w.extra["round"],
        person=person,
        unit=w.centre_b,
        rater_group=RaterGroup.MANAGER,
        evaluation=evaluation,
        token_hash="manager-token",
    )
    round_release(actor=w.users["hr"], round=w.extra["round"])
    evaluation.round.refresh_from_db()
    assert selectors.evaluation_report(user, evaluation) is not None


def test_a_360_round_has_no_unit_reports(evaluation_world):
    w = evaluation_world
    assert selectors.result_for_user(w.users["hr"], w.extra["round"], w.centre_a) is None
