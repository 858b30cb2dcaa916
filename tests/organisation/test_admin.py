"""The admin writes through the services (audit rows, tree paths), and shows no survey responses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import Client

from kerne.accounts.models import ApiToken, AuditEntry, hash_token
from kerne.organisation.models import Engagement, Person, PipelineLevel, Task, Unit
from tests.factories import make_admin, make_engagement, make_hr, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_admin("root"))
    return client


def test_adding_a_unit_computes_its_path_and_is_audited(admin_client):
    parent = make_unit("Center")
    response = admin_client.post(
        "/admin/organisation/unit/add/",
        {
            "name": "Ny afdeling",
            "kind": "department",
            "external_key": "X1",
            "parent": parent.pk,
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(external_key="X1")
    assert unit.is_within(parent) and unit.depth == 1
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk), actor_name="root").exists()


def test_moving_a_unit_in_the_admin_moves_its_subtree_and_refuses_cycles(admin_client):
    root = make_unit("Rod")
    a = make_unit("A", parent=root)
    b = make_unit("B", parent=root)
    child = make_unit("A1", parent=a)
    url = f"/admin/organisation/unit/{a.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="path"' not in page and 'name="depth"' not in page  # read-only

    response = admin_client.post(url, {"name": "A", "kind": "department", "parent": b.pk, "valid_to": ""})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.is_within(b) and child.depth == 3
    assert AuditEntry.objects.filter(action="unit.move", object_id=str(a.pk)).exists()

    response = admin_client.post(
        f"/admin/organisation/unit/{b.pk}/change/",
        {"name": "B", "kind": "department", "parent": child.pk, "valid_to": ""},
    )
    assert response.status_code == 200  # the form shows the error
    assert "ind under sig selv" in response.content.decode()
    b.refresh_from_db()
    assert b.parent_id == root.pk


def test_closing_a_unit_in_the_admin_closes_its_subtree_and_units_cannot_be_deleted(admin_client):
    root = make_unit("Rod")
    a = make_unit("A", parent=root)
    child = make_unit("A1", parent=a)
    response = admin_client.post(
        f"/admin/organisation/unit/{a.pk}/change/",
        {"name": "A", "kind": "department", "parent": root.pk, "valid_to": "2025-01-31"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.valid_to == dt.date(2025, 1, 31)
    assert AuditEntry.objects.filter(action="unit.close").exists()
    assert admin_client.get(f"/admin/organisation/unit/{a.pk}/delete/").status_code == 403


def test_engagement_and_person_edits_are_audited(admin_client):
    unit = make_unit()
    person = make_person("Anne Jensen")
    level = PipelineLevel.objects.get(key="leader_of_employees")
    response = admin_client.post(
        "/admin/organisation/engagement/add/",
        {
            "person": person.pk,
            "unit": unit.pk,
            "title": "Teamleder",
            "is_leader": "on",
            "pipeline_level": level.pk,
            "is_primary": "on",
            "valid_from": "2023-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement = Engagement.objects.get(person=person)
    assert engagement.is_leader and engagement.pipeline_level == level
    assert AuditEntry.objects.filter(action="engagement.create").exists()

    response = admin_client.post(
        f"/admin/organisation/engagement/{engagement.pk}/change/",
        {
            "title": "Teamleder",
            "is_leader": "on",
            "pipeline_level": level.pk,
            "is_primary": "on",
            "valid_from": "2023-01-01",
            "valid_to": "2025-12-31",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="engagement.update")
    assert entry.changes == {"valid_to": [None, "2025-12-31"]}

    response = admin_client.post(
        f"/admin/organisation/person/{person.pk}/change/",
        {
            "name": "Anne K. Jensen",
            "email": "ak@example.org",
            # The read-only engagement inline still posts its management form.
            "engagements-TOTAL_FORMS": "1",
            "engagements-INITIAL_FORMS": "1",
            "engagements-0-id": engagement.pk,
            "engagements-0-person": person.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditEntry.objects.get(action="person.update").changes["name"] == ["Anne Jensen", "Anne K. Jensen"]
    assert admin_client.get(f"/admin/organisation/person/{person.pk}/delete/").status_code == 403


def test_task_and_pipeline_level_edits_are_audited(admin_client):
    level = PipelineLevel.objects.get(key="executive")
    response = admin_client.post(
        "/admin/organisation/task/add/",
        {"name_da": "Sætte retning", "pipeline_level": level.pk, "unit_kind": "executive"},
    )
    assert response.status_code == 302
    task = Task.objects.get(name_da="Sætte retning")
    assert AuditEntry.objects.filter(action="task.create", object_id=str(task.pk)).exists()
    response = admin_client.post(f"/admin/organisation/task/{task.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="task.delete").exists()

    data = {
        f: getattr(level, f)
        for f in (
            "name_da",
            "name_en",
            "work_values_da",
            "work_values_en",
            "time_application_da",
            "time_application_en",
            "skills_da",
            "skills_en",
        )
    }
    data["skills_en"] = "Setting direction."
    response = admin_client.post(f"/admin/organisation/pipelinelevel/{level.pk}/change/", data)
    assert response.status_code == 302
    assert (
        AuditEntry.objects.get(action="pipeline_level.update").changes["skills_en"][1] == "Setting direction."
    )
    assert admin_client.get("/admin/organisation/pipelinelevel/add/").status_code == 403


def test_audit_log_in_the_admin_is_read_only():
    make_unit()
    client = Client()
    client.force_login(make_admin("root"))
    entry = AuditEntry.objects.first()
    assert client.get("/admin/accounts/auditentry/").status_code == 200
    assert client.get(f"/admin/accounts/auditentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_log_in_the_admin_is_visible_to_staff_hr_only():
    make_unit()
    hr = make_hr("hr-staff")
    hr.is_staff = True
    hr.save()
    client = Client()
    client.force_login(hr)
    assert client.get("/admin/accounts/auditentry/").status_code == 200
    assert client.get("/admin/organisation/unit/").status_code == 403


def test_creating_an_api_token_shows_the_secret_once_and_stores_only_its_hash(admin_client):
    user = make_hr("integration")
    response = admin_client.post("/admin/accounts/apitoken/add/", {"name": "OS2mo-sync", "user": user.pk})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get(name="OS2mo-sync")
    assert token.token_hash == hash_token(secret)
    assert "no-store" in response["Cache-Control"]
    # Later pages never show it again, nor the hash.
    page = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page and token.token_hash not in page
    listing = admin_client.get("/admin/accounts/apitoken/").content.decode()
    assert "OS2mo-sync" in listing and secret not in listing
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["username"] == "integration"
    assert AuditEntry.objects.filter(action="apitoken.create").exists()


def test_survey_responses_and_comments_are_not_in_the_admin():
    from kerne.surveys.models import Comment, Response

    assert not admin.site.is_registered(Response)
    assert not admin.site.is_registered(Comment)


def test_person_and_engagement_lists_load(admin_client):
    unit = make_unit("Skolen")
    make_engagement(make_person("Bo Hansen"), unit)
    assert "Bo Hansen" in admin_client.get("/admin/organisation/person/").content.decode()
    assert "Skolen" in admin_client.get("/admin/organisation/engagement/").content.decode()
    assert admin_client.get("/admin/organisation/unit/?q=Skolen").status_code == 200
    assert Person.objects.count() == 1
