from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kerne.foundation.models import Behaviour, Principle, Value
from kerne.organisation.models import PipelineLevel, Task, UnitKind
from tests.factories import make_employee, make_unit

pytestmark = pytest.mark.django_db


def test_index_shows_definition_values_principles_and_governance():
    html = Client().get(reverse("foundation:index")).content.decode()
    assert "God ledelse sætter retning" in html
    for value in Value.objects.all():
        assert value.label_da in html
        assert reverse("foundation:value", args=[value.key]) in html
    for principle in Principle.objects.all():
        assert reverse("foundation:principle", args=[principle.key]) in html
    assert "Styring er en del af ledelsesopgaven" in html


def test_definition_lists_every_behaviour_with_its_sentence():
    html = Client().get(reverse("foundation:definition")).content.decode()
    for behaviour in Behaviour.objects.all():
        assert behaviour.label_da in html
        assert behaviour.sentence_da in html
        assert reverse("foundation:behaviour", args=[behaviour.key]) in html


def test_behaviour_page_shows_label_sentence_and_siblings_from_the_same_sentence():
    html = Client().get(reverse("foundation:behaviour", args=["direction"])).content.decode()
    assert "Sætter retning" in html
    assert "God ledelse sætter retning, skaber mening og resultater" in html
    # "meaning_results" comes from the same sentence.
    assert reverse("foundation:behaviour", args=["meaning_results"]) in html
    assert "Målt i spørgerammer" in html


def test_principle_page_has_its_three_parts():
    html = Client().get(reverse("foundation:principle", args=["stable_operations"])).content.decode()
    assert "Vores stabile drift er fundamentet" in html
    for heading in ("Hele organisationen", "Lederne", "Det betyder"):
        assert f">{heading}</h2>" in html
    assert "Med afsæt i tænkningen i Leadership Pipeline" in html
    assert "implementeret ”i bund”" in html


def _task(principle: Principle) -> Task:
    return Task.objects.create(
        name_da="Godkende centrets budget",
        name_en="Approve the centre's budget",
        pipeline_level=PipelineLevel.objects.get(key="function_head"),
        unit_kind=UnitKind.CENTRE,
        principle=principle,
    )


def test_principle_page_lists_the_tasks_owned_under_it_for_logged_in_users():
    principle = Principle.objects.get(key="stable_operations")
    _task(principle)
    url = reverse("foundation:principle", args=[principle.key])

    anonymous = Client().get(url).content.decode()
    assert "Godkende centrets budget" not in anonymous
    assert "Log ind for at se dem" in anonymous

    client = Client()
    client.force_login(make_employee(make_unit()))
    html = client.get(url).content.decode()
    assert "Godkende centrets budget" in html
    assert reverse("organisation:level_tasks", args=["function_head"]) in html
    other = client.get(reverse("foundation:principle", args=["better_effects"])).content.decode()
    assert "Godkende centrets budget" not in other
    assert "Ingen opgaver er knyttet til princippet endnu." in other


def test_unknown_keys_are_404():
    client = Client()
    assert client.get(reverse("foundation:principle", args=["nope"])).status_code == 404
    assert client.get(reverse("foundation:behaviour", args=["nope"])).status_code == 404
    assert client.get(reverse("foundation:value", args=["nope"])).status_code == 404


def test_english_shows_the_english_fields():
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("foundation:principle", args=["robust_organisation"])).content.decode()
    assert "Our organisation is robust" in html
    assert "Vores organisation er robust" not in html
    html = client.get(reverse("foundation:definition")).content.decode()
    assert "Sets direction" in html
