"""Administrators edit the foundation in the admin; every save goes through the service and is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from kerne.accounts.models import AuditEntry
from kerne.foundation import services
from kerne.foundation.models import Behaviour, Foundation, Principle, Value
from tests.factories import make_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_admin("root"))
    return client


def _form(obj, **changes) -> dict[str, str]:
    data = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(obj, field.name)
        data[field.name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_admin_edit_of_a_principle_is_audited_and_the_key_is_read_only(admin_client):
    principle = Principle.objects.get(key="better_effects")
    url = f"/admin/foundation/principle/{principle.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="key"' not in page  # read-only after creation
    response = admin_client.post(
        url, _form(principle, title_da="Vi skaber endnu bedre effekter", key="hacked")
    )
    assert response.status_code == 302
    principle.refresh_from_db()
    assert principle.title_da == "Vi skaber endnu bedre effekter"
    assert principle.key == "better_effects"
    entry = AuditEntry.objects.get(action="principle.update")
    assert entry.actor_name == "root"
    assert entry.changes == {"title_da": ["Vi skaber bedre effekter", "Vi skaber endnu bedre effekter"]}


def test_admin_create_and_delete_of_a_behaviour_are_audited(admin_client):
    response = admin_client.post(
        "/admin/foundation/behaviour/add/",
        {
            "key": "courage",
            "order": "12",
            "label_da": "Modig",
            "label_en": "Courageous",
            "sentence_da": "Gode ledere er modige.",
            "sentence_en": "Good leaders are courageous.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    behaviour = Behaviour.objects.get(key="courage")
    assert AuditEntry.objects.filter(action="behaviour.create", object_id=str(behaviour.pk)).exists()
    response = admin_client.post(f"/admin/foundation/behaviour/{behaviour.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Behaviour.objects.filter(key="courage").exists()
    assert AuditEntry.objects.filter(action="behaviour.delete", object_id=str(behaviour.pk)).exists()


def test_admin_edit_of_a_value_and_the_foundation_text(admin_client):
    value = Value.objects.get(key="trust")
    response = admin_client.post(
        f"/admin/foundation/value/{value.pk}/change/", _form(value, description_en="Trust everywhere.")
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="value.update").count() == 1

    foundation = Foundation.objects.get()
    response = admin_client.post(
        f"/admin/foundation/foundation/{foundation.pk}/change/",
        _form(foundation, governance_da="Styring er systematisk fokus på effekt."),
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="foundation.update").changes["governance_da"][1] == (
        "Styring er systematisk fokus på effekt."
    )
    # One foundation per installation: no second one can be added.
    assert admin_client.get("/admin/foundation/foundation/add/").status_code == 403


def test_saving_without_changes_writes_no_audit_row():
    value = Value.objects.get(key="justice")
    services.value_save(actor=None, value=value)
    assert not AuditEntry.objects.exists()


def test_the_service_refuses_to_change_a_key():
    principle = Principle.objects.get(key="welfare_together")
    principle.key = "other"
    with pytest.raises(services.FoundationError):
        services.principle_save(actor=None, principle=principle)
    assert Principle.objects.filter(key="welfare_together").exists()
    assert not AuditEntry.objects.exists()


def test_non_admins_cannot_reach_the_foundation_admin():
    from tests.factories import make_hr

    client = Client()
    client.force_login(make_hr("hr"))
    response = client.get("/admin/foundation/principle/")
    assert response.status_code == 302  # to the admin login: HR is not staff
