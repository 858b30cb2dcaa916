"""Unbounded numbers (issue 10, point 1): every decimal is checked against its model field in the
forms, the import and the API alike, and a bad value already stored shows as invalid, not 500."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from kerne.accounts.models import ApiToken, hash_token
from kerne.goals import importers, numbers, services
from kerne.goals.models import Indicator, Measurement, MeasurementHistory, Milestone
from tests.goals.helpers import make_effect_goal, make_indicator, make_unit_goal

VALUE = numbers.decimal_field(Measurement, "value")
TOO_BIG = ("1e999999", "123456789012345678901234567890", "1e308", "100000000000000", "-1e14")


# --- the rule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TOO_BIG)
def test_a_number_with_too_many_digits_is_refused_naming_the_field(text):
    with pytest.raises(numbers.NumberError) as caught:
        importers.parse_number(text, VALUE)
    assert "Værdi" in caught.value.message and "14 cifre" in caught.value.message


@pytest.mark.parametrize("text", ["inf", "-Infinity", "NaN", "sNaN", "1" * 101])
def test_no_infinity_no_nan_no_endless_text(text):
    with pytest.raises((numbers.NumberError, importers.InvalidOperation)):
        importers.parse_number(text, VALUE)


def test_extra_decimals_are_rounded_to_the_field_and_the_largest_value_fits():
    assert importers.parse_number("0.30000000000000004", VALUE) == Decimal("0.3")
    assert importers.parse_number("2,0000005", VALUE) == Decimal("2.000001")
    assert importers.parse_number("99999999999999,999999", VALUE) == Decimal("99999999999999.999999")
    assert importers.parse_number("-0,0000001", VALUE) == Decimal(0)
    assert importers.parse_number("1e-999999", VALUE) == Decimal(0)
    with pytest.raises(numbers.NumberError):  # rounds up to 10^14
        importers.parse_number("99999999999999.9999999", VALUE)


# --- forms, import and API -------------------------------------------------------------------------


def _leader(world) -> Client:
    client = Client()
    client.force_login(world.users["leader"])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("text", TOO_BIG)
def test_measurement_form_refuses_a_number_too_big_for_the_field(world, text):
    indicator = make_indicator(world.dept_a1, frequency="monthly")
    response = _leader(world).post(
        f"/maal/indikatorer/{indicator.pk}/maaling/",
        {"unit": world.dept_a1.pk, "period": "2025-01", "value": text, "weight": text},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Værdi: tallet er for stort – højst 14 cifre før kommaet." in page
    assert "Vægt (valgfri): tallet er for stort" in page
    assert Measurement.objects.count() == 0


@pytest.mark.django_db
def test_indicator_form_checks_baseline_target_milestones_and_factor(world):
    client = _leader(world)
    data = {
        "name_da": "Sprog",
        "owner_unit": world.dept_a1.pk,
        "direction": "higher",
        "frequency": "quarterly",
        "source": "manual",
        "aggregation": "average",
        "factor": "1e999999",
        "tolerance": "0.05",
        "off_track_threshold": "0.15",
        "baseline_value": "1e999999",
        "target_value": "123456789012345678901234567890",
        "milestones": "2025-12-31; 62,5\n2026-06-30; 1e308",
    }
    response = client.post("/maal/indikatorer/ny/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "Baseline (værdi): tallet er for stort" in form.errors["baseline_value"][0]
    assert "Mål (værdi): tallet er for stort" in form.errors["target_value"][0]
    assert form.errors["milestones"] == ["Linje 2: Delmål: tallet er for stort – højst 14 cifre før kommaet."]
    assert "factor" in form.errors  # Django's own DecimalField checks digits and finiteness
    assert not Indicator.objects.exists()
    data.update(factor="100", baseline_value="40,1234567", target_value="60", milestones="2025-12-31; 1e2")
    assert client.post("/maal/indikatorer/ny/", data).status_code == 302
    indicator = Indicator.objects.get()
    assert indicator.baseline_value == Decimal("40.123457")
    assert Milestone.objects.get().value == Decimal(100)


@pytest.mark.django_db
def test_import_reports_the_row_and_column_of_a_number_too_big(world):
    make_indicator(world.dept_a1, code="sprog", frequency="monthly")
    key = world.dept_a1.external_key
    csv = (
        "indikator;enhed;periode;værdi;vægt\n"
        f"sprog;{key};2025-01;1e999999;\n"
        f"sprog;{key};2025-02;12,5;123456789012345678901234567890\n"
        f"sprog;{key};2025-03;{'9' * 200};\n"
        f"sprog;{key};2025-04;0.30000000000000004;\n"
    ).encode()
    response = _leader(world).post("/maal/import/", {"file": SimpleUploadedFile("m.csv", csv)})
    assert response.status_code == 200
    errors = [str(e) for e in response.context["errors"]]
    assert errors == [
        "Række 2, kolonne værdi: Værdi: tallet er for stort – højst 14 cifre før kommaet.",
        "Række 3, kolonne vægt: Vægt (fx antal borgere): tallet er for stort – højst 14 cifre før kommaet.",
        f"Række 4, kolonne værdi: Ugyldigt tal: '{'9' * 40}…'",
    ]
    assert Measurement.objects.count() == 0


def _api(world) -> tuple[Client, dict[str, str]]:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=world.users["leader"], name="test", token_hash=hash_token(secret))
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
def test_api_refuses_numbers_too_big_for_the_field(world):
    make_indicator(world.dept_a1, code="a", frequency="monthly")
    client, auth = _api(world)
    key = world.dept_a1.external_key
    items = [
        {"indicator": "a", "unit": key, "period": "2025-01", "value": "1e999999"},
        {"indicator": "a", "unit": key, "period": "2025-02", "value": "123456789012345678901234567890"},
        {"indicator": "a", "unit": key, "period": "2025-03", "value": 1e308},
        {"indicator": "a", "unit": key, "period": "2025-04", "value": 1, "weight": 1e20},
    ]
    # 1e999999 as a JSON number: Python's parser reads it as infinity.
    body = json.dumps({"measurements": items}).replace('"value": 1e+308', '"value": 1e999999')
    response = client.post("/api/goals/measurements", body, content_type="application/json", **auth)
    assert response.status_code == 400
    found = {(e["index"], e["field"]): e["message"] for e in response.json()}
    assert set(found) == {(0, "value"), (1, "value"), (2, "value"), (3, "weight")}
    assert "tallet er for stort" in found[(0, "value")] and "Værdi" in found[(0, "value")]
    assert "ikke uendelig" in found[(2, "value")] or "tallet er for stort" in found[(2, "value")]
    assert Measurement.objects.count() == 0
    ok = {"measurements": [{"indicator": "a", "unit": key, "period": "2025-01", "value": 0.1 + 0.2}]}
    response = client.post("/api/goals/measurements", ok, content_type="application/json", **auth)
    assert response.status_code == 200
    assert Measurement.objects.get().value == Decimal("0.3")


# --- a bad value already stored -----------------------------------------------------------------------


def _store_bad(table: str, column: str, pk: int, how: str) -> None:
    """Put a value no check would let through straight into the database, as an old row would be."""
    if connection.vendor == "sqlite":
        literal = {"infinite": "9e999", "huge": "1.2345678901234568e29", "nan": "'NaN'"}[how]
    else:  # PostgreSQL's numeric(20, 6) holds NaN, never infinity or 10^14
        literal = "'NaN'"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {literal} WHERE id = %s", [pk])


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["infinite", "huge"])
def test_pages_and_api_survive_a_bad_measurement_already_stored(world, how):
    indicator = make_indicator(world.dept_a1, code="a", frequency="monthly", aggregation="sum")
    make_unit_goal(world.dept_a1).indicators.add(indicator)
    make_effect_goal(world.root).indicators.add(indicator)
    other = make_indicator(world.dept_a1, code="b", frequency="monthly")
    ratio = make_indicator(world.dept_a1, code="c", source="computed", numerator=indicator, denominator=other)
    for unit in (world.dept_a1, world.team_a1x):
        services.measurement_record(
            actor=None, indicator=indicator, unit=unit, period=dt.date(2025, 1, 1), value=Decimal(5)
        )
    services.measurement_record(
        actor=None, indicator=other, unit=world.dept_a1, period=dt.date(2025, 1, 1), value=Decimal(2)
    )
    bad = Measurement.objects.get(indicator=indicator, unit=world.team_a1x)
    _store_bad("goals_measurement", "value", bad.pk, how)

    client = _leader(world)
    for url in (
        f"/maal/indikatorer/{indicator.pk}/?unit={world.team_a1x.pk}",
        f"/maal/indikatorer/{indicator.pk}/?unit={world.centre_a.pk}",
        f"/maal/indikatorer/{ratio.pk}/?unit={world.team_a1x.pk}",
        "/maal/indikatorer/",
        "/maal/",
        "/maal/mine/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/maal/indikatorer/{indicator.pk}/?unit={world.team_a1x.pk}").content.decode()
    assert "ugyldig værdi" in page and "En gemt værdi er ugyldig" in page

    api, auth = _api(world)
    response = api.get(f"/api/goals/indicators/{indicator.pk}?unit={world.team_a1x.pk}", **auth)
    assert response.status_code == 200
    body = json.loads(response.content, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert body["series"] == [{"period": "2025-01-01", "value": None, "reason": "invalid_value"}]

    # The leader corrects it; the old (bad) value stays in the history.
    response = client.post(
        f"/maal/indikatorer/{indicator.pk}/maaling/",
        {"unit": world.team_a1x.pk, "period": "2025-01", "value": "6"},
    )
    assert response.status_code == 302
    assert Measurement.objects.get(pk=bad.pk).value == Decimal(6)
    assert MeasurementHistory.objects.filter(measurement=bad).count() == 1
    assert client.get(f"/maal/indikatorer/{indicator.pk}/?unit={world.team_a1x.pk}").status_code == 200


@pytest.mark.django_db
def test_pages_and_api_survive_a_bad_plan_already_stored(world):
    indicator = make_indicator(world.dept_a1, code="a")
    indicator.milestones.create(date=dt.date(2025, 6, 30), value=Decimal(50))
    make_unit_goal(world.dept_a1).indicators.add(indicator)
    _store_bad("goals_indicator", "baseline_value", indicator.pk, "infinite")
    _store_bad("goals_milestone", "value", indicator.milestones.get().pk, "huge")
    client = _leader(world)
    for url in (f"/maal/indikatorer/{indicator.pk}/", "/maal/indikatorer/", "/maal/", "/maal/mine/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/maal/indikatorer/{indicator.pk}/").content.decode()
    assert "ugyldig værdi" in page and "Baseline, mål eller grænserne har en ugyldig værdi" in page
    assert client.get(f"/maal/indikatorer/{indicator.pk}/rediger/").status_code == 200
    api, auth = _api(world)
    listed = json.loads(api.get("/api/goals/indicators", **auth).content, parse_constant=pytest.fail)
    assert listed[0]["baseline_value"] is None
    values = api.get(f"/api/goals/indicators/{indicator.pk}", **auth)
    assert json.loads(values.content, parse_constant=pytest.fail)["status"]["reason"] == "invalid_plan"
