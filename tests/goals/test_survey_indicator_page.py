"""The survey-based indicator's page (issue 10, point 12): a centre head looking at the
municipality's "Tillid (social kapital)" indicator sees her own unit's values, not "Der er ingen
måling endnu", and a missing value says why."""

from __future__ import annotations

import pytest
from django.test import Client

from kerne.surveys.models import Round
from tests.goals.test_survey_indicator import survey_world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _page(world, role: str, query: str = "") -> str:
    client = Client()
    client.force_login(world.users[role])
    response = client.get(f"/maal/indikatorer/{world.extra['indicator'].pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_centre_head_sees_her_own_units_values_by_default(survey_world):  # noqa: F811
    w = survey_world
    html = _page(w, "leader")
    assert "Der er ingen måling endnu" not in html
    assert 'id="shown-for-own-unit"' in html
    assert "Indikatoren hører til Direktion, hvis resultater du ikke kan se" in html
    assert "din egen enhed, Center A" in html
    # Center A with everything below it: 6 × 100 and 5 × 50 on d0 → 77.27…
    assert "77,27" in html


def test_an_employee_sees_their_own_units_values(survey_world):  # noqa: F811
    html = _page(survey_world, "employee")
    assert "din egen enhed, Afdeling A1" in html
    assert "77,27" in html  # Afdeling A1 with Team A1x below it


def test_the_whole_tree_still_opens_the_owner_unit(survey_world):  # noqa: F811
    html = _page(survey_world, "hr")
    assert 'id="shown-for-own-unit"' not in html
    assert "Indikator · Direktion" in html


def test_asking_for_a_unit_she_may_not_see_says_why(survey_world):  # noqa: F811
    w = survey_world
    html = _page(w, "leader", f"?unit={w.root.pk}")
    assert "Der er ingen måling endnu" not in html
    assert "Du kan ikke se resultaterne for Direktion" in html


def test_a_round_not_yet_released_is_named(survey_world):  # noqa: F811
    w = survey_world
    Round.objects.filter(pk=w.extra["round"].pk).update(released=False)
    html = _page(w, "leader")
    assert "Resultaterne af Social kapital er ikke frigivet endnu." in html


def test_a_hidden_score_says_it_is_hidden_for_anonymity(survey_world):  # noqa: F811
    w = survey_world
    html = _page(w, "hr", f"?unit={w.centre_b.pk}")
    html_b1 = _page(w, "hr", f"?unit={w.dept_b1.pk}")
    assert "skjult for at beskytte anonymiteten" in html + html_b1


def test_the_indicator_list_gives_her_own_units_status(survey_world):  # noqa: F811
    client = Client()
    client.force_login(survey_world.users["leader"])
    html = client.get("/maal/indikatorer/").content.decode()
    assert "(for Center A)" in html
