"""360 raters: the proposal from the tree, and HR's edits before launch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kerne.surveys import services
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Invitation, RaterGroup, Round
from kerne.surveys.raters import Post, TreeNode, proposal_for_leader, propose_raters
from tests.factories import make_engagement, make_person
from tests.surveys.small_org import LONG_AGO, build_small_org

E, M, P, S = RaterGroup.EMPLOYEE, RaterGroup.MANAGER, RaterGroup.PEER, RaterGroup.SELF


def test_proposal_over_plain_data():
    # 1 root ─ 2 centre ─ 3 dept ─ 4 team (no leader)
    #                   └ 5 dept ─ 6 team (leader)
    nodes = [
        TreeNode(1, None, "1"),
        TreeNode(2, 1, "12"),
        TreeNode(3, 2, "123"),
        TreeNode(4, 3, "1234"),
        TreeNode(5, 2, "125"),
        TreeNode(6, 5, "1256"),
    ]
    posts = [
        Post(100, 1, True, True, "Direktør"),
        Post(200, 2, True, True, "Centerchef"),
        Post(300, 3, True, True, "Leder 3"),
        Post(301, 3, False, True, "Medarbejder 3a"),
        Post(302, 4, False, True, "Medarbejder 4a (team uden leder)"),
        Post(303, 5, False, False, "Bijob i 5, primær i 3"),
        Post(303, 3, False, True, "Bijob i 5, primær i 3"),
        Post(500, 5, True, True, "Leder 5"),
        Post(501, 5, False, True, "Medarbejder 5a"),
        Post(600, 6, True, True, "Teamleder 6"),
        Post(601, 6, False, True, "Medarbejder 6a"),
    ]
    assert propose_raters(nodes=nodes, posts=posts, leader_id=300, unit_id=3) == {
        300: S,
        200: M,
        301: E,
        302: E,
        303: E,
        500: P,
    }
    # A leader of leaders: the team leader below is a direct report (employee group);
    # the team's own staff rate their team leader, not this leader.
    assert propose_raters(nodes=nodes, posts=posts, leader_id=500, unit_id=5) == {
        500: S,
        200: M,
        501: E,
        600: E,
        300: P,
    }
    # The top of the tree has no manager and no peers.
    assert propose_raters(nodes=nodes, posts=posts, leader_id=100, unit_id=1) == {100: S, 200: E}


def test_co_leaders_are_peers_and_the_manager_is_one_person():
    nodes = [TreeNode(1, None, "1"), TreeNode(2, 1, "12")]
    posts = [
        Post(10, 1, True, True, "Bente"),
        Post(11, 1, True, True, "Anders"),
        Post(20, 2, True, True, "Leder"),
        Post(21, 2, True, True, "Medleder"),
        Post(22, 2, False, True, "Medarbejder"),
    ]
    proposal = propose_raters(nodes=nodes, posts=posts, leader_id=20, unit_id=2)
    assert proposal == {20: S, 11: M, 21: P, 22: E}  # Anders: first of the two by name


@pytest.mark.django_db
def test_proposal_from_the_database_on_the_cut_off_date():
    org = build_small_org()
    today = timezone.localdate()
    leaving = make_person("Stopper snart")
    make_engagement(leaving, org.homecare, valid_from=LONG_AGO, valid_to=today - dt.timedelta(days=1))
    rows = proposal_for_leader(leader=org.leaders["hanne"], unit=org.homecare, on=today)
    by_group: dict[str, set[str]] = {}
    for row in rows:
        by_group.setdefault(row.rater_group, set()).add(row.person.name)
    assert by_group[S] == {"Hanne Hjemmeplejeleder"}
    assert by_group[M] == {"Carl Centerchef"}
    assert by_group[P] == {"Sara Sygeplejeleder"}
    expected = {p.name for p in org.staff["homecare"] + org.staff["south"]} | {"Tina Teamleder"}
    assert by_group[E] == expected
    assert [r.rater_group for r in rows][:2] == [S, M]  # ordered by group


def _360_round(org) -> Round:
    now = timezone.now()
    return services.round_create(
        actor=None,
        name="Ledelsesevaluering",
        instrument=shipped_instrument("leadership_360"),
        target_unit=org.health,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        cut_off_date=timezone.localdate(),
    )


@pytest.mark.django_db
def test_hr_edits_the_proposed_raters_before_launch():
    org = build_small_org()
    round_ = _360_round(org)
    assert {p.name for p, _u in services.leaders_in_target(round_)} == {
        "Carl Centerchef",
        "Hanne Hjemmeplejeleder",
        "Tina Teamleder",
        "Sara Sygeplejeleder",
    }
    evaluation = services.evaluation_add(actor=None, round=round_, leader=org.leaders["tina"])
    invitations = Invitation.objects.filter(evaluation=evaluation)
    assert invitations.count() == 1 + 1 + 5  # self, Hanne, Team Nord
    assert set(invitations.values_list("unit", flat=True)) == {org.north.pk}  # answers count for Tina's unit
    with pytest.raises(services.RoundError):
        services.evaluation_add(actor=None, round=round_, leader=org.leaders["tina"])
    with pytest.raises(services.RoundError):
        services.evaluation_add(actor=None, round=round_, leader=org.staff["north"][0])  # not a leader

    # Add a peer, move someone to another group, remove someone.
    sara = org.leaders["sara"]
    added = services.evaluation_rater_add(actor=None, evaluation=evaluation, person=sara, rater_group=P)
    assert added.unit == org.north
    with pytest.raises(services.RoundError):
        services.evaluation_rater_add(actor=None, evaluation=evaluation, person=sara, rater_group=E)
    staff = invitations.get(person=org.staff["north"][0])
    with pytest.raises(services.RoundError) as refused:
        services.evaluation_rater_change(
            actor=None, invitation=staff, rater_group=M
        )  # manager is a group of one
    assert "rater_group" in refused.value.errors
    with pytest.raises(services.RoundError):
        services.evaluation_rater_change(
            actor=None, invitation=staff, rater_group=S
        )  # only Tina rates herself
    services.evaluation_rater_change(actor=None, invitation=staff, rater_group=P)
    assert Invitation.objects.get(pk=staff.pk).rater_group == P
    services.evaluation_rater_remove(actor=None, invitation=invitations.get(person=org.staff["north"][1]))
    assert invitations.count() == 7

    summary = services.round_launch(actor=None, round=round_)
    assert summary.invitations == 7
    with pytest.raises(services.RoundError):
        services.evaluation_rater_add(
            actor=None, evaluation=evaluation, person=org.leaders["carl"], rater_group=P
        )
    with pytest.raises(services.RoundError):
        services.evaluation_remove(actor=None, evaluation=evaluation)


@pytest.mark.django_db
def test_a_360_round_needs_an_evaluated_leader_before_launch():
    org = build_small_org()
    round_ = _360_round(org)
    with pytest.raises(services.RoundError):
        services.round_launch(actor=None, round=round_)
    evaluation = services.evaluation_add(actor=None, round=round_, leader=org.leaders["sara"])
    services.evaluation_remove(actor=None, evaluation=evaluation)
    assert not Invitation.objects.filter(round=round_).exists()
