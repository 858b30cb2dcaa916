"""Responses of small units are stored on a pooled unit (DESIGN §3.1, issue 9 class 5c).

The rule over plain data (kerne/surveys/pooling.py) without the database, then a round
launched and answered through the services: a team of 2 in a department of 10 has its
answers stored on the department, and the round's tree is frozen at launch.
"""

from __future__ import annotations

import numpy as np
import pytest

from kerne.organisation.models import UnitKind
from kerne.surveys.models import Comment, Invitation, Response, Round
from kerne.surveys.pooling import response_units, subtree_counts
from kerne.surveys.submission import response_submit
from tests.factories import make_engagement, make_person, make_unit
from tests.surveys.factories import (
    LONG_AGO,
    create_social_capital_round,
    full_answers,
    launch,
    make_evaluation,
    make_invitation,
    make_round,
    staff,
    tokens_from_outbox,
)

# centre(0) ── department(1) ── team A(2), team B(3);  centre ── office(4)
UNITS = [100, 110, 111, 112, 120]
PARENT = [-1, 0, 1, 1, 0]


def test_subtree_counts_add_every_descendant():
    assert subtree_counts(PARENT, [1, 3, 2, 5, 0]) == [11, 10, 2, 5, 0]


def test_a_team_of_two_is_stored_on_its_department_and_a_team_of_five_on_itself():
    pooled = response_units(UNITS, PARENT, {100: 1, 110: 3, 111: 2, 112: 5, 120: 0}, k=5)
    assert pooled == {100: 100, 110: 110, 111: 110, 112: 112, 120: 100}


def test_the_whole_subtree_counts_not_the_units_own_invitations():
    # The department has 1 own invitation but 10 in its subtree: it keeps its answers
    # (the reports decide on it with its teams; kerne/disclosure/pooling.py).
    pooled = response_units(UNITS, PARENT, {110: 1, 111: 4, 112: 5}, k=5)
    assert pooled[110] == 110 and pooled[111] == 110 and pooled[112] == 112


def test_pooling_climbs_past_small_ancestors_to_the_nearest_with_k():
    # department 3 in all (team A 1, team B 2): both go to the centre, which has 3 + 6 = 9.
    pooled = response_units(UNITS, PARENT, {111: 1, 112: 2, 120: 6}, k=5)
    assert pooled == {100: 100, 110: 100, 111: 100, 112: 100, 120: 120}


def test_the_target_takes_them_when_no_unit_has_k():
    pooled = response_units(UNITS, PARENT, {111: 1, 112: 1, 120: 1}, k=5)
    assert set(pooled.values()) == {100}
    assert response_units(UNITS, PARENT, {}, k=5) == dict.fromkeys(UNITS, 100)


def test_invitations_outside_the_tree_count_at_the_target():
    pooled = response_units(UNITS, PARENT, {999: 4, 120: 1}, k=5)
    assert pooled[120] == 100  # 1 < 5 on its own; the target has 5


def test_the_same_rule_as_the_reports():
    """Storage and reports pool alike, so pooling the storage changes no number shown."""
    from kerne.disclosure.pooling import response_units as reported_on

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        parent = [-1] + [int(rng.integers(0, i)) for i in range(1, n)]
        own = [int(x) for x in rng.integers(0, 6, size=n)]
        ids = [1000 + i for i in range(n)]
        k = int(rng.integers(3, 8))
        stored = response_units(ids, parent, dict(zip(ids, own, strict=True)), k)
        reported = reported_on(parent, subtree_counts(parent, own), k)
        assert [stored[u] for u in ids] == [ids[int(i)] for i in reported]


def test_a_tree_not_in_pre_order_is_refused():
    with pytest.raises(ValueError):
        response_units([1, 2, 3], [-1, 2, 0], {1: 5}, k=5)


# --- Through the services ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_response_from_a_team_of_two_is_stored_on_its_department_of_ten(django_capture_on_commit_callbacks):
    department = make_unit("Afdeling", valid_from=LONG_AGO)
    team = make_unit("Lille team", parent=department, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    big_team = make_unit("Stort team", parent=department, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    staffed = staff(((department, 3), (team, 2), (big_team, 5)))  # 10 in the department
    people = {address: person.engagements.get().unit for address, person in staffed.items()}
    round_ = create_social_capital_round(department)
    launch(round_, django_capture_on_commit_callbacks)

    # The invitation keeps the person's own unit (response rates count it there) and knows
    # where its answers go: the team of 2 → the department; the team of 5 → itself.
    stored_on = dict(Invitation.objects.filter(round=round_).values_list("unit_id", "response_unit_id"))
    assert stored_on == {department.pk: department.pk, team.pk: department.pk, big_team.pk: big_team.pk}

    tokens = tokens_from_outbox()
    member = next(address for address, unit in people.items() if unit == team)
    result = response_submit(
        token=tokens[member],
        answers=full_answers(round_.instrument),
        comments={"works-well": "Vi er to, der hjælper hinanden."},
        language="da",
    )
    assert result.stored
    assert list(Response.objects.filter(round=round_).values_list("unit_id", flat=True)) == [department.pk]
    assert list(Comment.objects.filter(round=round_).values_list("unit_id", flat=True)) == [department.pk]
    assert not Response.objects.filter(unit=team).exists()

    big = next(address for address, unit in people.items() if unit == big_team)
    assert response_submit(
        token=tokens[big], answers=full_answers(round_.instrument), comments={}, language="da"
    ).stored
    assert Response.objects.filter(round=round_, unit=big_team).count() == 1


@pytest.mark.django_db
def test_the_answer_page_names_the_unit_the_answer_is_stored_on(client, django_capture_on_commit_callbacks):
    department = make_unit("Afdeling Øst", valid_from=LONG_AGO)
    team = make_unit("Team Lille", parent=department, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    staff(((department, 5), (team, 1)))
    round_ = create_social_capital_round(department)
    launch(round_, django_capture_on_commit_callbacks)
    token = tokens_from_outbox()[f"{team.pk}-0@example.org"]
    page = client.get(f"/svar/{token}/").content.decode()
    assert "hvilken enhed du svarer for (Afdeling Øst)" in page
    assert "Team Lille" not in page


@pytest.mark.django_db
def test_launch_freezes_the_rounds_tree_and_thresholds(django_capture_on_commit_callbacks):
    from kerne.results.models import RoundTree

    department = make_unit("Afdeling", valid_from=LONG_AGO)
    team = make_unit("Team", parent=department, valid_from=LONG_AGO)
    for i in range(6):
        make_engagement(make_person(f"P {i}"), team, valid_from=LONG_AGO)
    round_ = create_social_capital_round(department, k=4, comment_k=6)
    assert not RoundTree.objects.filter(round=round_).exists()
    launch(round_, django_capture_on_commit_callbacks)
    frozen = RoundTree.objects.get(round=round_)
    assert np.frombuffer(bytes(frozen.unit_ids), dtype="<i8").tolist() == [department.pk, team.pk]
    assert np.frombuffer(bytes(frozen.parent_index), dtype="<i8").tolist() == [-1, 0]
    assert (frozen.k, frozen.comment_k) == (4, 6)
    make_unit("Nyt team", parent=department, valid_from=LONG_AGO)  # a reorganisation after launch
    frozen.refresh_from_db()
    assert len(np.frombuffer(bytes(frozen.unit_ids), dtype="<i8")) == 2


@pytest.mark.django_db
def test_360_answers_keep_the_evaluated_leaders_unit():
    round_ = make_round(instrument="leadership_360")
    evaluation = make_evaluation(round_)
    invitation, token = make_invitation(round_, evaluation=evaluation, rater_group="peer")
    assert invitation.response_unit_id is None
    assert response_submit(
        token=token, answers=full_answers(round_.instrument), comments={}, language="da"
    ).stored
    assert Response.objects.get(round=round_).unit_id == evaluation.unit_id


@pytest.mark.django_db
def test_invitations_from_before_pooling_store_on_their_own_unit():
    round_ = make_round()
    invitation, token = make_invitation(round_)
    Invitation.objects.filter(pk=invitation.pk).update(response_unit=None)
    assert response_submit(
        token=token, answers=full_answers(round_.instrument), comments={}, language="da"
    ).stored
    assert Response.objects.get(round=round_).unit_id == invitation.unit_id
    assert Round.objects.get(pk=round_.pk).status == Round.Status.OPEN
