"""Dialogue meeting cases: opened on release, the guide from what the viewer may see, the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kerne.accounts.models import AuditEntry
from kerne.followup import selectors, services
from kerne.followup.forms import MeetingForm
from kerne.followup.guide import build_guide
from kerne.followup.models import MEETING_DEADLINE_DAYS, Meeting, MeetingCase, RoundFollowup
from kerne.followup.questions import GENERAL, QUESTIONS, questions_for
from kerne.results.selectors import result_for_user
from kerne.results.services import round_release, round_withdraw_release
from tests.results.factories import make_instrument, make_round

pytestmark = pytest.mark.django_db


def _case(world, unit) -> MeetingCase:
    return MeetingCase.objects.get(followup__round=world.extra["round"], unit=unit)


def test_release_opens_a_case_for_every_unit_with_a_leader(released):
    w = released
    followup = RoundFollowup.objects.get(round=w.extra["round"])
    assert followup.deadline == timezone.localdate() + dt.timedelta(days=MEETING_DEADLINE_DAYS)
    units = set(followup.cases.values_list("unit__name", flat=True))
    # Leaders: centre A, centre B, dept A1, team A1x (hidden results too); the root has none.
    assert units == {"Center A", "Center B", "Afdeling A1", "Team A1x"}
    assert AuditEntry.objects.filter(action="round_followup.open", object_id=str(followup.pk)).exists()


def test_releasing_again_opens_no_second_case(released):
    w = released
    round_ = w.extra["round"]
    round_withdraw_release(actor=w.users["hr"], round=round_)
    round_release(actor=w.users["hr"], round=round_)
    assert MeetingCase.objects.filter(followup__round=round_).count() == 4
    assert RoundFollowup.objects.filter(round=round_).count() == 1


def test_a_360_round_opens_no_meetings(sc_world):
    instrument = make_instrument(kind="leadership_360")
    round_ = make_round(instrument, sc_world.root)
    round_release(actor=sc_world.users["hr"], round=round_)
    assert not RoundFollowup.objects.filter(round=round_).exists()


def test_the_guide_takes_its_numbers_from_the_unit_report(released):
    w = released
    leader = w.users["deptleader"]
    case = _case(w, w.dept_a1)
    guide = selectors.meeting_guide(leader, case)
    report = result_for_user(leader, w.extra["round"], w.dept_a1)
    assert report is not None and guide.report is not None
    assert not guide.own_hidden and guide.source_unit_name == "Afdeling A1"
    means = {d.key: d.stat.mean for d in report.dimensions}
    assert [d.key for d in guide.strongest] == ["trust-bonding", "cooperation-bonding"]
    assert [d.key for d in guide.weakest] == ["justice-linking", "trust-linking"]
    for d in guide.strongest + guide.weakest:
        assert d.mean == means[d.key]
    # Changes beyond 5 points since the round before, exactly the report's "previous" comparisons.
    expected = {
        d.key: c.delta for d in report.dimensions for c in d.comparisons if c.kind == "previous" and c.change
    }
    assert {c.key: c.delta for c in guide.changes} == expected
    assert set(expected) == {
        "trust-bonding",
        "trust-linking",
        "justice-linking",
        "cooperation-bonding",
        "cooperation-linking",
    }
    assert guide.changes[0].key in ("justice-linking", "cooperation-linking")  # ±50 points
    # Comments as the report has them; three questions per weak dimension, from the data.
    assert sorted(c.text for c in guide.comments) == sorted(c.text for c in report.comments)
    assert len(guide.comments) == 6
    assert [len(q.questions) for q in guide.questions] == [3, 3]
    assert guide.questions[0].questions[0] == QUESTIONS["justice-linking"][0].da


def test_a_hidden_unit_gets_the_nearest_shown_unit_above_it_that_the_viewer_may_see(released):
    w = released
    case = _case(w, w.team_a1x)
    own = result_for_user(w.users["leader"], w.extra["round"], w.team_a1x)
    assert own is not None and not own.total.shown
    # The centre's leader sees dept A1: the guide uses it and says so.
    guide = selectors.meeting_guide(w.users["leader"], case)
    assert guide.own_hidden and guide.source_unit_name == "Afdeling A1" and guide.strongest
    # The team's own leader may not see the units above: no numbers at all, questions only.
    guide = selectors.meeting_guide(w.users["teamleader"], case)
    assert guide.own_hidden and guide.report is None and not guide.strongest and not guide.changes


def test_withdrawn_results_leave_the_guide_without_numbers(released):
    w = released
    round_withdraw_release(actor=w.users["hr"], round=w.extra["round"])
    guide = selectors.meeting_guide(w.users["deptleader"], _case(w, w.dept_a1))
    assert guide.report is None and not guide.own_hidden


def test_build_guide_without_report_and_question_fallbacks():
    guide = build_guide(None, unit_name="X", own_hidden=True)
    assert guide.report is None and not guide.has_numbers
    assert questions_for("trust-something-else") is not GENERAL
    assert questions_for("d0") is GENERAL
    for key, questions in QUESTIONS.items():
        assert len(questions) == 3 and all(q.da and q.en for q in questions), key


def test_who_sees_and_records_a_case(released):
    w = released
    case = _case(w, w.dept_a1)
    assert selectors.can_see_case(w.users["leader"], case) and selectors.can_record_meeting(
        w.users["leader"], case
    )
    assert selectors.can_see_case(w.users["deptleader"], case)
    assert selectors.can_see_case(w.users["hr"], case) and not selectors.can_record_meeting(
        w.users["hr"], case
    )
    for role in ("employee", "other_leader", "teamleader"):
        assert not selectors.can_see_case(w.users[role], case), role
    assert [c.unit.name for c in selectors.my_cases(w.users["deptleader"])] == ["Afdeling A1"]


def test_recording_a_meeting_is_audited_and_can_be_corrected(released):
    w = released
    case = _case(w, w.dept_a1)
    today = timezone.localdate()
    meeting = services.meeting_record(
        actor=w.users["deptleader"], case=case, held_on=today, participants=7, agreed="Faste morgenmøder"
    )
    services.meeting_record(actor=w.users["deptleader"], case=case, held_on=today, participants=8, agreed="X")
    meeting.refresh_from_db()
    assert (meeting.participants, meeting.agreed) == (8, "X")
    actions = list(AuditEntry.objects.filter(object_type="followup.Meeting").values_list("action", flat=True))
    assert sorted(actions) == ["meeting.create", "meeting.update"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"held_on": "2999-01-01", "participants": "5", "agreed": "x"}, "held_on"),
        ({"held_on": "2000-01-01", "participants": "5", "agreed": "x"}, "held_on"),
        ({"held_on": "TODAY", "participants": "0", "agreed": "x"}, "participants"),
        ({"held_on": "TODAY", "participants": "Anna og Bo", "agreed": "x"}, "participants"),
        ({"held_on": "TODAY", "participants": "5", "agreed": ""}, "agreed"),
        ({"held_on": "TODAY", "participants": "5", "agreed": "x" * 5001}, "agreed"),
    ],
)
def test_bad_meeting_input_is_refused(released, data, field):
    case = _case(released, released.dept_a1)
    data = {k: (timezone.localdate().isoformat() if v == "TODAY" else v) for k, v in data.items()}
    form = MeetingForm(data, case=case)
    assert not form.is_valid() and field in form.errors
    assert not Meeting.objects.exists()


def test_hr_moves_the_deadline(released):
    w = released
    followup = RoundFollowup.objects.get(round=w.extra["round"])
    new = followup.deadline + dt.timedelta(days=14)
    services.followup_deadline_set(actor=w.users["hr"], followup=followup, deadline=new)
    followup.refresh_from_db()
    assert followup.deadline == new
    assert AuditEntry.objects.filter(action="round_followup.deadline").count() == 1
