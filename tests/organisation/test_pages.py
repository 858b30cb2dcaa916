"""The organisation pages per role: tree, search, sub-units, unit page, pipeline, task register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from kerne.accounts.models import AuditEntry
from kerne.foundation.models import Principle
from kerne.organisation.browse import people_counts
from kerne.organisation.models import PipelineLevel, Task, UnitKind
from kerne.organisation.services import unit_close
from tests.access import build_world
from tests.factories import make_engagement, make_person, make_unit

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    world = build_world()
    # People: dept_a1 has the employee (from the world) + 2; team_a1x 3; dept_b1 4.
    for unit, n in ((world.dept_a1, 2), (world.team_a1x, 3), (world.dept_b1, 4)):
        for _ in range(n):
            make_engagement(make_person(), unit)
    return world


def test_people_counts_cover_the_whole_subtree_in_one_query(world, django_assert_num_queries):
    # A second, non-primary engagement and an ended engagement do not count.
    someone = make_person()
    make_engagement(someone, world.dept_b1, is_primary=False)
    make_engagement(make_person(), world.team_a1x, valid_to=dt.date(2020, 1, 1))
    units = [world.root, world.centre_a, world.dept_a1, world.team_a1x, world.centre_b, world.dept_b1]
    with django_assert_num_queries(1):
        counts = people_counts(units)
    # centre_a: its leader + employee + 2 in dept_a1 + 3 in team_a1x; centre_b: leader + 4.
    assert counts == {
        world.root.pk: 7 + 5,
        world.centre_a.pk: 7,
        world.dept_a1.pk: 6,
        world.team_a1x.pk: 3,
        world.centre_b.pk: 5,
        world.dept_b1.pk: 4,
    }
    # Units in different branches (as in search results) and a unit alone.
    assert people_counts([world.team_a1x, world.dept_b1, world.dept_a1]) == {
        world.team_a1x.pk: 3,
        world.dept_b1.pk: 4,
        world.dept_a1.pk: 6,
    }
    assert people_counts([world.centre_b]) == {world.centre_b.pk: 5}
    assert people_counts([]) == {}


def test_hr_sees_the_whole_tree_with_the_root_opened(world):
    html = _client(world.users["hr"]).get(reverse("organisation:tree")).content.decode()
    for unit in (world.root, world.centre_a, world.centre_b):
        assert reverse("organisation:unit", args=[unit.pk]) in html
    assert "12 personer" in html  # the root
    # Centres are closed, their sub-units are fetched on demand.
    assert reverse("organisation:unit_children", args=[world.centre_a.pk]) in html
    assert reverse("organisation:unit", args=[world.dept_a1.pk]) not in html


def test_a_leader_starts_at_the_led_unit_and_never_sees_beside_or_above(world):
    client = _client(world.users["leader"])
    html = client.get(reverse("organisation:tree")).content.decode()
    assert reverse("organisation:unit", args=[world.centre_a.pk]) in html
    assert reverse("organisation:unit", args=[world.dept_a1.pk]) in html  # opened: only start unit
    assert reverse("organisation:unit", args=[world.root.pk]) not in html
    assert "Center B" not in html
    for unit in (world.root, world.centre_b, world.dept_b1):
        assert client.get(reverse("organisation:unit", args=[unit.pk])).status_code == 404
        assert client.get(reverse("organisation:unit_children", args=[unit.pk])).status_code == 404


def test_an_employee_sees_only_their_own_unit(world):
    client = _client(world.users["employee"])
    html = client.get(reverse("organisation:tree")).content.decode()
    assert "Afdeling A1" in html
    assert "Center A" not in html and "Team A1x" not in html
    page = client.get(reverse("organisation:unit", args=[world.dept_a1.pk])).content.decode()
    assert "Team A1x" not in page  # a sub-unit is not the employee's
    assert client.get(reverse("organisation:unit", args=[world.team_a1x.pk])).status_code == 404


def test_search_finds_only_visible_units_and_shows_their_trail(world):
    hr = _client(world.users["hr"])
    html = hr.get(reverse("organisation:tree"), {"q": "a1"}).content.decode()
    assert "Afdeling A1" in html and "Team A1x" in html
    assert "Direktion › Center A" in html
    assert "2 enheder matcher" in html

    leader = _client(world.users["leader"])
    html = leader.get(reverse("organisation:tree"), {"q": "Center"}).content.decode()
    assert "Center A" in html and "Center B" not in html
    assert "Direktion" not in html  # not even in a trail
    html = leader.get(reverse("organisation:tree"), {"q": "B1"}).content.decode()
    assert "Ingen enheder matcher" in html


def test_search_ignores_the_case_of_danish_letters(world):
    make_unit("Økonomi og Analyse", parent=world.root, kind="staff")
    html = _client(world.users["hr"]).get(reverse("organisation:tree"), {"q": "økonomi"}).content.decode()
    assert "Økonomi og Analyse" in html


def test_htmx_gets_only_the_tree_region(world):
    client = _client(world.users["hr"])
    response = client.get(reverse("organisation:tree"), {"q": "Team"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Team A1x" in html
    assert 'hx-swap-oob="true"' in html  # the status line is updated too
    assert "HX-Request" in response["Vary"]


def test_children_partial_lists_sub_units_with_counts(world):
    html = (
        _client(world.users["leader"])
        .get(reverse("organisation:unit_children", args=[world.dept_a1.pk]))
        .content.decode()
    )
    assert "<html" not in html
    assert "Team A1x" in html and "3 personer" in html


def test_unit_page_shows_visible_breadcrumbs_leaders_children_count_and_tasks(world):
    principle = Principle.objects.get(key="stable_operations")
    Task.objects.create(
        name_da="Fordele ressourcer mellem afdelingerne",
        pipeline_level=PipelineLevel.objects.get(key="function_head"),
        unit_kind=UnitKind.CENTRE,
        principle=principle,
    )
    Task.objects.create(
        name_da="Lægge vagtplan",
        pipeline_level=PipelineLevel.objects.get(key="leader_of_employees"),
        unit_kind=UnitKind.TEAM,
    )
    client = _client(world.users["leader"])
    html = client.get(reverse("organisation:unit", args=[world.centre_a.pk])).content.decode()
    assert "Fordele ressourcer mellem afdelingerne" in html
    assert "Lægge vagtplan" not in html
    assert reverse("foundation:principle", args=["stable_operations"]) in html
    assert "Leder af ledere" in html  # the leader's pipeline level
    assert ">7</dd>" in html
    assert "Afdeling A1" in html

    html = client.get(reverse("organisation:unit", args=[world.team_a1x.pk])).content.decode()
    breadcrumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert "Center A" in breadcrumbs and "Afdeling A1" in breadcrumbs
    assert "Direktion" not in breadcrumbs  # above the leader
    assert "Lægge vagtplan" in html

    html = _client(world.users["hr"]).get(reverse("organisation:unit", args=[world.team_a1x.pk])).content
    assert "Direktion" in html.decode().split('class="breadcrumbs"')[1].split("</nav>")[0]


def test_closed_units_are_marked_as_closed(world):
    unit_close(actor=None, unit=world.team_a1x, valid_to=dt.date(2024, 6, 30))
    client = _client(world.users["hr"])
    html = client.get(reverse("organisation:unit", args=[world.team_a1x.pk])).content.decode()
    assert "Lukket" in html and "30. juni 2024" in html
    html = client.get(reverse("organisation:unit_children", args=[world.dept_a1.pk])).content.decode()
    assert "closed-badge" in html


def test_pipeline_page_is_public_and_describes_the_five_levels():
    html = Client().get(reverse("organisation:pipeline")).content.decode()
    for level in PipelineLevel.objects.all():
        assert level.name_da in html
        assert level.work_values_da in html
        assert level.time_application_da in html
        assert level.skills_da in html
    assert reverse("organisation:level_tasks", args=["executive"]) not in html  # login-only link


def _tasks() -> tuple[Task, Task]:
    a = Task.objects.create(
        name_da="Godkende budget",
        pipeline_level=PipelineLevel.objects.get(key="executive"),
        unit_kind=UnitKind.EXECUTIVE,
        principle=Principle.objects.get(key="better_effects"),
    )
    b = Task.objects.create(
        name_da="Lægge vagtplan",
        description_da="Planlægge teamets vagter",
        pipeline_level=PipelineLevel.objects.get(key="leader_of_employees"),
        unit_kind=UnitKind.TEAM,
    )
    return a, b


def test_task_register_lists_by_level_and_filters(world):
    _tasks()
    client = _client(world.users["employee"])
    html = client.get(reverse("organisation:tasks")).content.decode()
    assert "Godkende budget" in html and "Lægge vagtplan" in html
    assert reverse("organisation:task_create") not in html  # HR only
    html = client.get(reverse("organisation:tasks"), {"kind": "team"}).content.decode()
    assert "Lægge vagtplan" in html and "Godkende budget" not in html
    html = client.get(reverse("organisation:tasks"), {"principle": "better_effects"}).content.decode()
    assert "Godkende budget" in html and "Lægge vagtplan" not in html
    html = client.get(reverse("organisation:tasks"), {"q": "vagter"}).content.decode()
    assert "Lægge vagtplan" in html and "Godkende budget" not in html
    html = client.get(reverse("organisation:tasks"), {"level": "nonsense"}).content.decode()
    assert "Godkende budget" in html  # an unknown filter value is ignored


def test_level_page_lists_what_the_level_owns(world):
    _tasks()
    client = _client(world.users["employee"])
    html = client.get(reverse("organisation:level_tasks", args=["leader_of_employees"])).content.decode()
    assert "Lægge vagtplan" in html and "Godkende budget" not in html
    assert "Team" in html
    assert client.get(reverse("organisation:level_tasks", args=["nope"])).status_code == 404


def test_hr_creates_edits_and_deletes_tasks_with_audit(world):
    client = _client(world.users["hr"])
    level = PipelineLevel.objects.get(key="leader_of_leaders")
    response = client.post(
        reverse("organisation:task_create"),
        {
            "name_da": "Udvikle institutionslederne",
            "name_en": "Develop the institution leaders",
            "pipeline_level": level.pk,
            "unit_kind": "department",
            "principle": Principle.objects.get(key="robust_organisation").pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(name_da="Udvikle institutionslederne")
    assert AuditEntry.objects.get(action="task.create").object_id == str(task.pk)

    response = client.post(
        reverse("organisation:task_edit", args=[task.pk]),
        {"name_da": "Udvikle lederne", "pipeline_level": level.pk, "unit_kind": "department"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.name_da == "Udvikle lederne" and task.principle is None
    changes = AuditEntry.objects.get(action="task.update").changes
    assert changes["name_da"] == ["Udvikle institutionslederne", "Udvikle lederne"]
    assert changes["principle"][1] is None

    response = client.post(reverse("organisation:task_delete", args=[task.pk]))
    assert response.status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    assert AuditEntry.objects.filter(action="task.delete").exists()


def test_a_bad_task_form_names_the_field_and_changes_nothing(world):
    client = _client(world.users["hr"])
    response = client.post(reverse("organisation:task_create"), {"name_da": "", "unit_kind": "planet"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_name_da_error"' in html or "errorlist" in html
    assert not Task.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="task.").exists()


def test_only_hr_may_write_tasks(world):
    a, _ = _tasks()
    for role in ("employee", "leader", "executive"):
        client = _client(world.users[role])
        assert client.post(reverse("organisation:task_create"), {"name_da": "x"}).status_code == 403
        assert client.post(reverse("organisation:task_delete", args=[a.pk])).status_code == 403
    assert Task.objects.filter(pk=a.pk).exists()
