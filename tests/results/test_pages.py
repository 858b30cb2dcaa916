"""Results pages and exports over HTTP: what each role gets, hidden numbers stay hidden everywhere."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from kerne.organisation.models import Unit
from kerne.results.services import round_release
from kerne.surveys.models import Round
from tests.access import World
from tests.results.factories import add_responses, make_round


def _client(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    assert user is not None
    client.force_login(user)
    return client


def _unit_url(world: World, unit: Unit, name: str = "results:unit") -> str:
    return reverse(name, kwargs={"pk": world.extra["round"].pk, "unit_pk": unit.pk})


def test_hr_unit_page_shows_numbers_hidden_cells_and_the_note(world):
    response = _client(world, "hr").get(_unit_url(world, world.dept_a1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Afdeling A1" in html
    assert "77,3" in html  # d0: (6 × 100 + 5 × 50) / 11, Danish decimal comma
    assert "skjult" in html  # item 2 of the unit alone, answered by 2
    assert "Tal vises kun for grupper med mindst 5 besvarelser" in html
    assert (
        "Team A1x" in html
        and reverse("results:unit_pdf", kwargs={"pk": world.extra["round"].pk, "unit_pk": world.dept_a1.pk})
        in html
    )


def test_a_hidden_unit_page_shows_no_numbers(world):
    html = _client(world, "hr").get(_unit_url(world, world.dept_b1)).content.decode()
    assert "75,0" not in html and ">7<" not in html
    assert "skjult" in html


def test_employee_sees_their_unit_only_after_release(world):
    client = _client(world, "employee")
    assert client.get(_unit_url(world, world.dept_a1)).status_code == 404
    round_release(actor=world.users["hr"], round=world.extra["round"])
    assert client.get(_unit_url(world, world.dept_a1)).status_code == 200
    assert client.get(_unit_url(world, world.team_a1x)).status_code == 404
    assert client.get(_unit_url(world, world.root)).status_code == 404
    index = client.get(reverse("results:index")).content.decode()
    assert world.extra["round"].name in index


def test_hr_releases_a_round_and_others_cannot(world):
    url = reverse("results:release", kwargs={"pk": world.extra["round"].pk})
    assert _client(world, "leader").post(url).status_code == 403
    response = _client(world, "hr").post(url, {"bekraeft": "ja"}, follow=True)
    assert response.status_code == 200
    assert "frigivet" in response.content.decode()
    round_ = Round.objects.get(pk=world.extra["round"].pk)
    assert round_.released
    _client(world, "hr").post(url, {"action": "withdraw", "bekraeft": "ja"})
    round_.refresh_from_db()
    assert not round_.released


def test_round_page_shows_response_rates_and_the_release_button_to_hr(world):
    html = (
        _client(world, "hr")
        .get(reverse("results:round", kwargs={"pk": world.extra["round"].pk}))
        .content.decode()
    )
    assert "Svarprocent pr. enhed" in html and "85 %" in html  # dept_a1: 11 of 13
    assert "Frigiv resultaterne" in html
    assert (
        "Frigiv resultaterne"
        not in _client(world, "executive")
        .get(reverse("results:round", kwargs={"pk": world.extra["round"].pk}))
        .content.decode()
    )


def test_heatmap_sorts_and_marks_hidden_cells(world):
    url = reverse("results:heatmap", kwargs={"pk": world.extra["round"].pk})
    html = _client(world, "hr").get(url + "?sorter=d0").content.decode()
    # d0 descending: Afdeling A1 (77.3) = Center A (77.3) > Direktion (65) > Center B (58.3); B1 hidden last.
    body = html[html.index("<tbody>") :]
    order = [body.index(name) for name in ("Center A", "Direktion", "Center B", "Afdeling B1")]
    assert order == sorted(order)
    assert "heat-hidden" in html and 'aria-sort="descending"' in html
    assert _client(world, "employee").get(url).status_code == 404


def test_heatmap_xlsx_has_the_numbers_and_hidden_cells(world):
    from openpyxl import load_workbook

    url = reverse("results:heatmap_xlsx", kwargs={"pk": world.extra["round"].pk})
    response = _client(world, "hr").get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["Afdeling A1"][2] == 11 and rows["Afdeling A1"][3] == pytest.approx(77.3)
    assert rows["Afdeling B1"][2] == "skjult" and rows["Afdeling B1"][3] == "skjult"


def test_csv_of_a_unit_has_aggregates_only(world):
    response = _client(world, "hr").get(_unit_url(world, world.dept_a1, "results:unit_csv"))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Niveau", "Nøgle", "Tekst", "Note", "Antal svar", "Score"]
    d0 = next(r for r in body if r[1] == "d0")
    assert d0[4] == "11" and d0[5] == "77,3"  # a decimal comma, as Danish Excel reads numbers
    # No row per respondent: one per dimension and item.
    assert len(body) == 2 + 3
    hidden = (
        _client(world, "hr")
        .get(_unit_url(world, world.dept_b1, "results:unit_csv"))
        .content.decode("utf-8-sig")
    )
    assert "skjult" in hidden and "75,0" not in hidden and "75.0" not in hidden


def test_pdf_report_opens_and_has_the_units_numbers(world):
    from pypdf import PdfReader

    response = _client(world, "hr").get(_unit_url(world, world.dept_a1, "results:unit_pdf"))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Afdeling A1" in text and "77,3" in text and "Dimension 0" in text


def test_evaluation_page_shows_self_others_and_the_hidden_peers(evaluation_world):
    w = evaluation_world
    url = reverse(
        "results:evaluation", kwargs={"pk": w.extra["round"].pk, "evaluation_pk": w.extra["evaluation"].pk}
    )
    html = _client(w, "hr").get(url).content.decode()
    assert "Største forskelle" in html and "100,0" in html  # self
    assert "ikke anonym" in html and "skjult" in html
    assert _client(w, "other_leader").get(url).status_code == 404


def test_trend_appears_with_two_rounds(world):
    earlier = make_round(
        world.extra["instrument"], world.root, k=5, opens_at=world.extra["round"].opens_at.replace(year=2020)
    )
    add_responses(earlier, world.team_a1x, [[4, 4, 4]] * 6)
    html = _client(world, "hr").get(_unit_url(world, world.team_a1x)).content.decode()
    assert "Udvikling over målinger" in html and "<svg" in html


def test_drivers_page_says_when_there_are_too_few(world):
    html = (
        _client(world, "hr")
        .get(_unit_url(world, world.dept_a1, "results:drivers") + "?udfald=d1")
        .content.decode()
    )
    assert "mindst 30 besvarelser" in html
    bad = _client(world, "hr").get(_unit_url(world, world.dept_a1, "results:drivers") + "?udfald=nope")
    assert bad.status_code == 200 and "Vælg en af dimensionerne" in bad.content.decode()


def test_unit_page_in_english(world):
    from django.conf import settings

    client = _client(world, "hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_unit_url(world, world.dept_a1)).content.decode()
    assert "Response rate" in html and "Numbers are shown only for groups of at least 5 respondents" in html
    assert "77.3" in html and "hidden" in html
