"""Actions: services, who sees and edits them, links to what they address, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.accounts.models import AuditEntry
from kerne.followup import links, selectors, services
from kerne.followup.forms import ActionForm, NoteForm, StatusForm
from kerne.followup.models import Action, ActionLink, ActionNote, ActionStatusChange, MeetingCase
from kerne.foundation.models import Behaviour, Principle
from tests.factories import make_employee
from tests.goals.helpers import make_effect_goal

pytestmark = pytest.mark.django_db

SOON = dt.timedelta(days=30)


def _person(user):
    return user.person


def _action(world, unit=None, owner=None, **extra) -> Action:
    return services.action_create(
        actor=world.users["leader"],
        unit=unit or world.dept_a1,
        title=extra.pop("title", "Faste tavlemøder"),
        description="",
        owner=owner or _person(world.users["deptleader"]),
        deadline=timezone.localdate() + SOON,
        **extra,
    )


def _form_data(world, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Fælles frokost med nabo-teamet",
        "description": "En gang om måneden",
        "unit": world.dept_a1.pk,
        "owner": _person(world.users["deptleader"]).pk,
        "deadline": (timezone.localdate() + SOON).isoformat(),
    }
    data.update(overrides)
    return data


def test_create_with_links_history_and_audit(released):
    w = released
    round_ = w.extra["round"]
    leader = w.users["leader"]
    behaviour = Behaviour.objects.first()
    principle = Principle.objects.first()
    assert behaviour is not None and principle is not None
    goal = make_effect_goal(w.root)
    targets = [
        links.resolve(leader, w.dept_a1, f"dimension:{round_.pk}:justice-linking"),
        links.resolve(leader, w.dept_a1, f"behaviour:{behaviour.key}"),
        links.resolve(leader, w.dept_a1, f"principle:{principle.key}"),
        links.resolve(leader, w.dept_a1, f"effect_goal:{goal.pk}"),
    ]
    action = _action(w, links=targets)
    assert sorted(action.links.values_list("kind", flat=True)) == [
        "behaviour",
        "dimension",
        "effect_goal",
        "principle",
    ]
    assert [links.link_code(link) for link in action.links.filter(kind="dimension")] == [
        f"dimension:{round_.pk}:justice-linking"
    ]
    assert list(action.status_changes.values_list("from_status", "to_status")) == [("", "planned")]
    audited = set(AuditEntry.objects.filter(object_type="followup.Action").values_list("action", flat=True))
    assert audited == {"action.create", "action.link"}


@pytest.mark.parametrize(
    "code",
    [
        "dimension:999999:trust-bonding",
        "dimension:ROUND:no-such-dimension",
        "behaviour:no-such-behaviour",
        "principle:nope",
        "effect_goal:999999",
        "effect_goal:abc",
        "indicator:1x",
        "goal:1",
        "",
    ],
)
def test_unknown_link_targets_are_refused(released, code):
    w = released
    code = code.replace("ROUND", str(w.extra["round"].pk))
    with pytest.raises(links.LinkError):
        links.resolve(w.users["leader"], w.dept_a1, code)


def test_a_round_the_user_may_not_see_cannot_be_linked(released):
    w = released
    round_ = w.extra["round"]
    # centre_b's leader may not see dept A1's results, so cannot link an action there to them.
    with pytest.raises(links.LinkError):
        links.resolve(w.users["other_leader"], w.dept_a1, f"dimension:{round_.pk}:trust-bonding")


def test_status_changes_and_dropping_needs_a_reason(released):
    w = released
    action = _action(w)
    with pytest.raises(services.FollowupError):
        services.action_status_set(actor=w.users["leader"], action=action, status="dropped", reason="  ")
    action.refresh_from_db()
    assert action.status == "planned" and action.status_changes.count() == 1
    services.action_status_set(actor=w.users["leader"], action=action, status="underway")
    services.action_status_set(actor=w.users["leader"], action=action, status="dropped", reason="Budget")
    action.refresh_from_db()
    assert (action.status, action.dropped_reason) == ("dropped", "Budget")
    assert list(action.status_changes.values_list("to_status", "reason")) == [
        ("planned", ""),
        ("underway", ""),
        ("dropped", "Budget"),
    ]
    assert AuditEntry.objects.filter(action="action.status").count() == 2


def test_notes_have_a_date_and_an_author(released):
    w = released
    action = _action(w)
    note = services.action_note_add(actor=w.users["deptleader"], action=action, text="Første møde holdt")
    assert note.on == timezone.localdate() and note.author == w.users["deptleader"]
    assert note.author_name == _person(w.users["deptleader"]).name
    assert AuditEntry.objects.filter(action="action.note").count() == 1


def test_who_sees_actions(released):
    w = released
    a1 = _action(w, w.dept_a1, title="A1")
    b1 = _action(w, w.dept_b1, owner=_person(w.users["other_leader"]), title="B1")
    users = {role: user for role, user in w.users.items() if user is not None}
    seen = {
        role: set(selectors.actions(user).values_list("title", flat=True)) for role, user in users.items()
    }
    assert seen["employee"] == {"A1"}  # their own unit: "you said – we did"
    assert seen["leader"] == {"A1"} and seen["other_leader"] == {"B1"}
    assert seen["teamleader"] == set()  # beside and above the team: not seen
    assert seen["hr"] == seen["executive"] == seen["admin"] == {"A1", "B1"}
    assert a1.pk and b1.pk


def test_who_edits_actions(released):
    w = released
    owner = make_employee(w.team_a1x, "owner-employee")
    action = _action(w, w.team_a1x, owner=owner.person)
    assert selectors.can_edit_action(owner, action)  # the owner
    for role in ("teamleader", "deptleader", "leader"):  # the unit's leaders and those above
        assert selectors.can_edit_action(w.users[role], action), role
    for role in ("employee", "other_leader", "hr", "executive"):
        assert not selectors.can_edit_action(w.users[role], action), role


def test_the_form_accepts_good_input(released):
    w = released
    round_ = w.extra["round"]
    data = _form_data(w, links=[f"dimension:{round_.pk}:trust-linking"])
    form = ActionForm(data, user=w.users["leader"], units=selectors.action_units(w.users["leader"]))
    assert form.is_valid(), form.errors
    assert [t.code for t in form.cleaned_data["links"]] == [f"dimension:{round_.pk}:trust-linking"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"deadline": "2001-01-01"}, "deadline", "fortiden"),
        ({"links": ["behaviour:findes-ikke"]}, "links", "findes ikke"),
        ({"links": ["dimension:999999:trust-bonding"]}, "links", "findes ikke"),
        ({"title": "x" * 201}, "title", "200"),
        ({"description": "x" * 5001}, "description", "5000"),
        ({"owner": "OTHER"}, "owner", "person i enheden"),
        ({"unit": "CENTRE_B"}, "unit", ""),
        ({"title": ""}, "title", ""),
    ],
)
def test_bad_action_input_is_refused_and_changes_nothing(released, overrides, field, message):
    w = released
    if overrides.get("owner") == "OTHER":
        overrides["owner"] = _person(w.users["other_leader"]).pk
    if overrides.get("unit") == "CENTRE_B":
        overrides["unit"] = w.centre_b.pk
    client = Client()
    client.force_login(w.users["leader"])
    response = client.post(reverse("followup:action_create"), _form_data(w, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert not Action.objects.exists() and not ActionLink.objects.exists()


def test_status_and_note_forms_refuse_bad_input():
    assert "reason" in StatusForm({"status": "dropped", "reason": ""}).errors
    assert "status" in StatusForm({"status": "finished"}).errors
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert "on" in NoteForm({"text": "x", "on": future}).errors
    assert "text" in NoteForm({"text": "x" * 5001}).errors


def test_pages_create_from_the_meeting_change_status_and_add_a_note(released):
    w = released
    case = MeetingCase.objects.get(followup__round=w.extra["round"], unit=w.dept_a1)
    client = Client()
    client.force_login(w.users["deptleader"])
    url = reverse("followup:action_create") + f"?case={case.pk}"
    assert client.get(url).status_code == 200
    data = _form_data(w, case=case.pk)
    response = client.post(reverse("followup:action_create"), data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.case == case and action.unit == w.dept_a1
    assert action.title in client.get(reverse("followup:case", args=[case.pk])).content.decode()
    status_url = reverse("followup:action_status", args=[action.pk])
    page = client.post(status_url, {"status": "dropped", "reason": ""}, follow=True).content.decode()
    assert "Skriv hvorfor handlingen opgives" in page
    action.refresh_from_db()
    assert action.status == "planned"
    client.post(status_url, {"status": "done", "reason": ""})
    client.post(reverse("followup:action_note", args=[action.pk]), {"text": "Det virker"})
    action.refresh_from_db()
    assert action.status == "done" and ActionNote.objects.get().text == "Det virker"
    assert ActionStatusChange.objects.filter(action=action).count() == 2
    # The employee of the unit sees it, and cannot change it.
    employee = Client()
    employee.force_login(w.users["employee"])
    assert action.title in employee.get(reverse("followup:actions") + "?vis=alle").content.decode()
    assert employee.post(status_url, {"status": "planned"}).status_code == 403
    assert employee.get(reverse("followup:action_edit", args=[action.pk])).status_code == 403
