"""Results as each role may see them: access + anonymity through selectors.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from kerne.accounts.models import AuditEntry
from kerne.results import selectors
from kerne.results.services import ReleaseError, round_release, round_withdraw_release
from kerne.surveys.models import Round
from tests.results.factories import add_comments, add_responses, make_round


def _user(world, role):
    return world.users[role]


def test_hr_sees_a_unit_report_before_release_with_numbers_by_hand(world):
    report = selectors.result_for_user(_user(world, "hr"), world.extra["round"], world.dept_a1)
    assert report is not None and report.numbers and not report.released
    assert (report.total.respondents, report.total.invited) == (11, 13)
    assert report.total.percent == 85
    assert report.alone is not None and report.alone.respondents == 5
    d0 = report.dimension("d0")
    assert d0.stat.n == 11 and d0.stat.mean == pytest.approx((6 * 100 + 5 * 50) / 11)
    assert d0.alone is not None and d0.alone.mean == 50.0
    # Shares: 6 favourable (100), 5 neutral (50).
    assert d0.stat.percent == (0, 45, 55)
    # Item 2 alone: answered by 2 in dept_a1 itself → hidden; with the team: 8 answers → shown.
    item2 = report.dimension("d1").items[0]
    assert item2.stat.n == 8 and item2.alone is not None and not item2.alone.shown
    assert report.hidden_numbers
    # Comparisons: parent centre_a (the same 11 people), organisation (all 20).
    kinds = {c.kind: c for c in d0.comparisons}
    assert kinds["parent"].delta == pytest.approx(0.0) and kinds["parent"].change == 0
    org_mean = (600 + 250 + 0 + 7 * 75) / 20
    assert kinds["organisation"].mean == pytest.approx(org_mean) and kinds["organisation"].change == 1
    assert [s.name for s in report.sub_units] == ["Team A1x"]
    assert report.sub_units[0].respondents == 6 and report.sub_units[0].may_open


def test_complementary_suppression_reaches_the_report(world):
    hr = _user(world, "hr")
    round_ = world.extra["round"]
    centre_b = selectors.result_for_user(hr, round_, world.centre_b)
    assert centre_b is not None
    assert centre_b.total.respondents == 9  # shown: 2 own + 7 below
    assert centre_b.alone is not None and centre_b.alone.respondents is None  # 2: below k
    # dept_b1 (7 ≥ k) is hidden too, else 9 − 7 would reveal centre_b's own 2.
    assert centre_b.sub_units[0].respondents is None
    dept_b1 = selectors.result_for_user(hr, round_, world.dept_b1)
    assert dept_b1 is not None and dept_b1.total.respondents is None and dept_b1.total.rate is None
    assert all(not d.stat.shown and d.stat.mean is None for d in dept_b1.dimensions)
    assert all(not i.stat.shown for d in dept_b1.dimensions for i in d.items)


def test_nothing_hidden_can_be_read_from_all_reports_together(world):
    """Collect every count HR can see across all unit reports and check the attack fails."""
    from tests.results.attacker import Attacker

    hr = _user(world, "hr")
    round_ = world.extra["round"]
    units = [world.root, world.centre_a, world.dept_a1, world.team_a1x, world.centre_b, world.dept_b1]
    own = {world.root.pk: 0, world.centre_a.pk: 0, world.dept_a1.pk: 5, world.team_a1x.pk: 6}
    own.update({world.centre_b.pk: 2, world.dept_b1.pk: 7})
    atoms = [u.pk for u in units]
    below = {
        world.root.pk: set(atoms),
        world.centre_a.pk: {world.centre_a.pk, world.dept_a1.pk, world.team_a1x.pk},
        world.dept_a1.pk: {world.dept_a1.pk, world.team_a1x.pk},
        world.team_a1x.pk: {world.team_a1x.pk},
        world.centre_b.pk: {world.centre_b.pk, world.dept_b1.pk},
        world.dept_b1.pk: {world.dept_b1.pk},
    }
    shown: list[set[int]] = []
    for unit in units:
        report = selectors.result_for_user(hr, round_, unit)
        assert report is not None
        if report.total.respondents is not None:
            shown.append({atoms.index(a) for a in below[unit.pk]})
        if report.alone is not None and report.alone.respondents is not None:
            shown.append({atoms.index(unit.pk)})
    attacker = Attacker([own[a] for a in atoms], shown)
    assert attacker.leaks(5) == []


def test_leaders_and_employees_see_nothing_before_release(world):
    round_ = world.extra["round"]
    for role in ("employee", "leader", "other_leader"):
        assert selectors.result_for_user(_user(world, role), round_, world.dept_a1) is None
        assert selectors.rounds_with_results(_user(world, role)) == []
    with pytest.raises(Http404):
        selectors.visible_results(_user(world, "leader"), round_, world.centre_a)


def test_after_release_a_leader_sees_their_subtree_and_an_employee_their_own_unit(world):
    round_ = world.extra["round"]
    round_release(actor=_user(world, "hr"), round=round_)
    leader, employee, other = _user(world, "leader"), _user(world, "employee"), _user(world, "other_leader")
    for unit in (world.centre_a, world.dept_a1, world.team_a1x):
        assert selectors.result_for_user(leader, round_, unit) is not None
    for unit in (world.root, world.centre_b, world.dept_b1):
        assert selectors.result_for_user(leader, round_, unit) is None
    assert selectors.result_for_user(employee, round_, world.dept_a1) is not None
    for unit in (world.team_a1x, world.centre_a, world.root, world.dept_b1):
        assert selectors.result_for_user(employee, round_, unit) is None
    assert selectors.result_for_user(other, round_, world.dept_a1) is None
    # The leader's top unit: no parent comparison (the root is above them), the organisation figure yes.
    report = selectors.result_for_user(leader, round_, world.centre_a)
    assert report is not None
    assert [kind for kind, _label in report.comparison_labels] == ["organisation"]
    # The employee cannot open the team below their unit.
    mine = selectors.result_for_user(employee, round_, world.dept_a1)
    assert mine is not None and not mine.sub_units[0].may_open
    assert selectors.rounds_with_results(employee) == [round_]
    assert [u.pk for u in selectors.units_to_open(leader, round_)] == [world.centre_a.pk]


def test_release_needs_a_closed_round_and_is_audited(world):
    round_ = world.extra["round"]
    round_.status = Round.Status.OPEN
    round_.save()
    with pytest.raises(ReleaseError):
        round_release(actor=_user(world, "hr"), round=round_)
    round_.status = Round.Status.CLOSED
    round_.save()
    round_release(actor=_user(world, "hr"), round=round_)
    round_.refresh_from_db()
    assert round_.released
    assert AuditEntry.objects.filter(action="round.release", object_id=str(round_.pk)).count() == 1
    round_withdraw_release(actor=_user(world, "hr"), round=round_)
    round_.refresh_from_db()
    assert not round_.released
    assert selectors.result_for_user(_user(world, "employee"), round_, world.dept_a1) is None


def test_an_open_round_shows_counts_to_hr_but_no_scores(world):
    round_ = world.extra["round"]
    round_.status = Round.Status.OPEN
    round_.save()
    report = selectors.result_for_user(_user(world, "hr"), round_, world.dept_a1)
    assert report is not None and not report.numbers
    assert report.total.respondents == 11 and report.dimensions == []
    assert selectors.result_for_user(_user(world, "executive"), round_, world.root) is not None
    overview = selectors.round_overview(_user(world, "hr"), round_)
    assert overview is not None
    rows = {r.unit_id: r for r in overview}
    assert rows[world.root.pk].respondents == 20 and rows[world.root.pk].invited == 27
    assert rows[world.dept_b1.pk].respondents is None and rows[world.dept_b1.pk].percent is None
    assert selectors.round_overview(_user(world, "leader"), round_) is None


def test_comparison_with_the_previous_round_and_the_trend(world):
    hr = _user(world, "hr")
    current = world.extra["round"]
    earlier = make_round(
        world.extra["instrument"],
        world.root,
        k=5,
        opens_at=current.opens_at - dt.timedelta(days=365),
        name="Social kapital 2025",
        released=True,
    )
    add_responses(earlier, world.team_a1x, [[4, 4, 4]] * 6)
    report = selectors.result_for_user(hr, current, world.team_a1x)
    assert report is not None
    previous = next(c for c in report.dimension("d0").comparisons if c.kind == "previous")
    assert previous.mean == 75.0 and previous.delta == 25.0 and previous.change == 1
    points = selectors.trend(hr, world.extra["instrument"], world.team_a1x)
    assert [p.round_name for p in points] == ["Social kapital 2025", "Social kapital 2026"]
    assert [p.dimensions["d0"] for p in points] == [75.0, 100.0]
    # The leader sees only released rounds in the trend.
    assert [
        p.round_name
        for p in selectors.trend(_user(world, "leader"), world.extra["instrument"], world.team_a1x)
    ] == ["Social kapital 2025"]


def test_comments_only_for_groups_that_reach_comment_k_without_units_or_order(world):
    round_ = world.extra["round"]
    add_comments(round_, world.team_a1x, ["God stemning i teamet", "Travlt"])
    add_comments(round_, world.dept_a1, ["Mere sparring"])
    add_comments(round_, world.centre_b, ["Lille gruppe"])
    hr = _user(world, "hr")
    team = selectors.result_for_user(hr, round_, world.team_a1x)
    assert team is not None and sorted(c.text for c in team.comments) == ["God stemning i teamet", "Travlt"]
    dept = selectors.result_for_user(hr, round_, world.dept_a1)
    assert dept is not None and sorted(c.text for c in dept.comments) == [
        "God stemning i teamet",
        "Mere sparring",
        "Travlt",
    ]
    # centre_b (9) may be shown but dept_b1 is hidden, so centre_b's comments include its own 2 respondents'.
    centre_b = selectors.result_for_user(hr, round_, world.centre_b)
    assert centre_b is not None and [c.text for c in centre_b.comments] == ["Lille gruppe"]
    dept_b1 = selectors.result_for_user(hr, round_, world.dept_b1)
    assert dept_b1 is not None and dept_b1.comments == [] and dept_b1.comments_hidden
    assert not hasattr(team.comments[0], "unit") and not hasattr(team.comments[0], "date")


def test_a_higher_comment_threshold_moves_comments_up(world):
    round_ = world.extra["round"]
    Round.objects.filter(pk=round_.pk).update(comment_k=7)
    round_.refresh_from_db()
    add_comments(round_, world.team_a1x, ["Teamets kommentar"])
    hr = _user(world, "hr")
    team = selectors.result_for_user(hr, round_, world.team_a1x)
    assert team is not None and team.comments == [] and team.comments_hidden
    dept = selectors.result_for_user(hr, round_, world.dept_a1)
    assert dept is not None and [c.text for c in dept.comments] == ["Teamets kommentar"]


def test_heatmap_for_hr_marks_hidden_cells(world):
    heat = selectors.heatmap(_user(world, "hr"), world.extra["round"], world.root)
    assert heat is not None and [key for key, _name in heat.dimensions] == ["d0", "d1"]
    rows = {r.name: r for r in heat.rows}
    assert set(rows) == {"Direktion", "Center A", "Afdeling A1", "Center B", "Afdeling B1"}  # depth ≤ 2
    assert rows["Afdeling B1"].cells == [None, None] and rows["Afdeling B1"].respondents is None
    assert rows["Center B"].cells[0] == pytest.approx((2 * 0 + 7 * 75) / 9)
    assert selectors.heatmap(_user(world, "leader"), world.extra["round"], world.root) is None
