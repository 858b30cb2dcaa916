"""Demo Kommune at small scale: deterministic, leaders at the right levels, logins for each role."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kerne.accounts.roles import is_admin, is_executive, is_hr
from kerne.organisation import demo, selectors
from kerne.organisation.management.commands import demo as demo_command
from kerne.organisation.models import Engagement, Person, Task, Unit, UnitKind

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


def recording_builder(*, seed: int, stdout) -> None:
    """A stand-in for another app's demo builder (surveys, goals …)."""
    CALLS.append(seed)
    stdout.write("recording builder ran\n")


def _snapshot() -> tuple[list[tuple], list[tuple]]:
    units = list(Unit.objects.order_by("path").values_list("name", "kind", "depth", "valid_to"))
    engagements = list(
        Engagement.objects.order_by("person__external_key", "unit__path").values_list(
            "person__name", "person__email", "unit__name", "title", "is_leader", "is_primary",
            "pipeline_level__key", "valid_from",
        )
    )  # fmt: skip
    return units, engagements


def test_same_seed_same_municipality_other_seed_another():
    demo.build(people=400, seed=7)
    first = _snapshot()
    demo.wipe()
    demo.build(people=400, seed=7)
    assert _snapshot() == first
    demo.wipe()
    demo.build(people=400, seed=8)
    assert _snapshot() != first


def test_the_tree_is_a_danish_municipality_with_the_asked_number_of_people():
    summary = demo.build(people=1_000, seed=3)
    assert Person.objects.count() == summary.people == 1_000
    root = Unit.objects.get(parent=None)
    assert (root.name, root.kind) == ("Direktion", UnitKind.EXECUTIVE)
    centres = set(Unit.objects.filter(parent=root).values_list("name", flat=True))
    assert {"Center for Børn og Familie", "Center for Skole", "Center for Sundhed og Omsorg"} <= centres
    assert {
        "Center for Kultur og Fritid",
        "Center for Job og Arbejdsmarked",
        "Center for By og Miljø",
    } <= centres
    assert {"HR og Organisation", "Økonomi og Analyse"} <= centres
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert kinds[UnitKind.INSTITUTION] > 5 and kinds[UnitKind.TEAM] > 30
    assert Unit.objects.filter(name__endswith=" Skole").exists()
    assert Unit.objects.filter(name__startswith="Plejecenter ").exists()
    assert Unit.objects.filter(name__startswith="Børnehuset ").exists()
    # Paths are those the services would compute.
    for unit in Unit.objects.select_related("parent"):
        expected = (unit.parent.path if unit.parent else "") + demo.path_segment(unit.pk)
        assert unit.path == expected and unit.depth == len(unit.ancestor_ids())
    # A few closed units, none with active people.
    closed = Unit.objects.filter(valid_to__isnull=False)
    assert closed.exists()
    assert not Engagement.objects.active().filter(unit__in=closed).exists()
    # Some people have two engagements, exactly one primary.
    two = Counter(Engagement.objects.filter(is_leader=False).values_list("person_id", flat=True))
    doubles = [pk for pk, count in two.items() if count == 2]
    assert doubles
    for pk in doubles:
        assert Engagement.objects.filter(person_id=pk, is_primary=True).count() == 1
    # Danish names and unique e-mails.
    emails = list(Person.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)
    assert all(e.endswith("@demo-kommune.dk") for e in emails)
    assert Task.objects.count() == len(demo.TASKS)


def test_exactly_the_asked_number_of_people_when_leaders_lead_several_units():
    # Seed 20 at 600 people has a daycare sharing the leader of a daycare that itself shares one.
    the_plan = demo.plan(600, demo.random.Random(20))
    assert any(
        u.shares_leader_with is not None
        and the_plan.units[u.shares_leader_with].shares_leader_with is not None
        for u in the_plan.units
    )
    demo.build(people=600, seed=20)
    assert Person.objects.count() == 600
    shared = Engagement.objects.filter(is_leader=True, is_primary=False)
    assert shared.exists()
    for engagement in shared:
        assert (
            Engagement.objects.filter(person=engagement.person, is_leader=True, is_primary=True).count() == 1
        )


def test_leaders_are_at_the_right_pipeline_levels():
    demo.build(people=600, seed=5)
    today = timezone.localdate()
    open_children = {
        u.pk: u.children.filter(valid_to__isnull=True).exists() for u in Unit.objects.active(today)
    }
    leaders = Engagement.objects.filter(is_leader=True).select_related("unit", "pipeline_level")
    assert leaders.exists()
    for e in leaders:
        level = e.pipeline_level.key
        if e.unit.kind == UnitKind.EXECUTIVE:
            assert level == "executive"
        elif e.unit.kind in (UnitKind.CENTRE, UnitKind.STAFF):
            assert level == "function_head", e.unit
        elif open_children[e.unit_id]:
            assert level == "leader_of_leaders", e.unit
        else:
            assert level == "leader_of_employees", e.unit
    assert 3 <= Engagement.objects.filter(unit__kind=UnitKind.EXECUTIVE, is_leader=True).count() <= 4
    assert not Engagement.objects.filter(is_leader=False).exclude(pipeline_level__key="employee").exists()
    # Every open unit has a leader.
    led = set(Engagement.objects.filter(is_leader=True).values_list("unit_id", flat=True))
    assert set(Unit.objects.filter(valid_to__isnull=True).values_list("pk", flat=True)) <= led


def test_demo_logins_work_and_have_their_roles():
    demo.build(people=400, seed=2)
    users = {}
    for username, _role in demo.LOGINS:
        client = Client()
        assert client.login(username=username, password=demo.DEMO_PASSWORD), username
        users[username] = client.get("/").wsgi_request.user

    assert is_executive(users["direktion"]) and not is_hr(users["direktion"])
    assert selectors.led_units(users["direktion"])[0].kind == UnitKind.EXECUTIVE
    assert is_hr(users["hr"]) and not is_admin(users["hr"])
    assert is_admin(users["admin"]) and users["admin"].is_staff

    def level(username: str) -> str:
        person = users[username].person
        return Engagement.objects.get(person=person, is_primary=True).pipeline_level.key

    assert level("centerchef") == "function_head"
    assert selectors.led_units(users["centerchef"])[0].name == "Center for Sundhed og Omsorg"
    assert level("afdelingsleder") == "leader_of_leaders"
    assert level("teamleder") == "leader_of_employees"
    assert level("medarbejder") == "employee"
    assert not selectors.led_units(users["medarbejder"])
    team = selectors.own_units(users["medarbejder"])[0]
    assert team.kind == UnitKind.TEAM
    # The chain: the team lies inside the department leader's and the centre head's subtrees.
    assert selectors.can_see_unit(users["afdelingsleder"], team)
    assert selectors.can_see_unit(users["centerchef"], team)
    assert selectors.led_units(users["teamleder"]) == [team]


def test_command_prints_logins_refuses_existing_data_and_resets(monkeypatch):
    monkeypatch.setattr(demo_command, "DEMO_BUILDERS", ["tests.organisation.test_demo.recording_builder"])
    CALLS.clear()
    out = StringIO()
    call_command("demo", "--people", "300", "--seed", "4", stdout=out)
    text = out.getvalue()
    assert "kerne-demo" in text
    for username, _ in demo.LOGINS:
        assert f"  {username} " in text
    assert "recording builder ran" in text and CALLS == [4]
    units = Unit.objects.count()

    with pytest.raises(CommandError):
        call_command("demo", "--people", "300", stdout=StringIO())

    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "kerne-demo" in out.getvalue() and "direktion" in out.getvalue()
    assert Unit.objects.count() == units and CALLS == [4]

    out = StringIO()
    call_command("demo", "--people", "300", "--seed", "4", "--reset", "--org-only", stdout=out)
    assert Unit.objects.count() == units
    assert CALLS == [4]  # --org-only: the other builders did not run
    assert Client().login(username="direktion", password="kerne-demo")


def test_if_empty_builds_into_an_empty_database():
    out = StringIO()
    call_command("demo", "--people", "250", "--if-empty", "--org-only", stdout=out)
    assert Unit.objects.exists()
    assert "Demo-logins" in out.getvalue()


def test_too_few_people_is_a_clear_error():
    with pytest.raises(CommandError, match="--people"):
        call_command("demo", "--people", "10", stdout=StringIO())
    assert not Unit.objects.exists()


def test_reset_wipes_data_that_depends_on_the_organisation():
    from kerne.surveys.models import Instrument, Round

    demo.build(people=300, seed=1)
    instrument = Instrument.objects.first()
    assert instrument is not None
    now = timezone.now()
    Round.objects.create(
        name="Trivsel 2026",
        instrument=instrument,
        target_unit=Unit.objects.get(parent=None),
        opens_at=now,
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=now.date(),
    )
    call_command("demo", "--people", "300", "--reset", "--org-only", stdout=StringIO())
    assert not Round.objects.exists()
    assert Instrument.objects.filter(pk=instrument.pk).exists()  # shipped instruments stay
    assert Unit.objects.exists()
