"""The measurement upload is bounded like the organisation import (issue 10, point 5; kerne/uploads.py):
the file's size is counted while the upload streams in and stops at KERNE_IMPORT_MAX_BYTES, an
XLSX is refused before it is opened when it unpacks to more than KERNE_IMPORT_MAX_UNPACKED_BYTES,
and the CSRF check stays in place."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import Workbook

from kerne import uploads
from kerne.goals.models import Measurement
from tests.goals.helpers import make_indicator

pytestmark = pytest.mark.django_db


def _csv(world, rows: int) -> io.BytesIO:
    body = "indikator;enhed;periode;værdi\n" + "".join(
        f"sprog;{world.dept_a1.external_key};2025-{month:02d};{month}\n" for month in range(1, rows + 1)
    )
    data = io.BytesIO(body.encode())
    data.name = "maalinger.csv"
    return data


def test_a_file_past_the_limit_is_refused_while_it_streams_in(world, client, settings, monkeypatch):
    settings.KERNE_IMPORT_MAX_BYTES = 200
    make_indicator(world.dept_a1, code="sprog", frequency="monthly")
    client.force_login(world.users["leader"])
    received: list[int] = []
    original = uploads.LimitedUpload.receive_data_chunk

    def counting(self, raw_data, start):
        received.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(uploads.LimitedUpload, "receive_data_chunk", counting)
    response = client.post("/maal/import/", {"file": _csv(world, 12)})
    assert response.status_code == 413
    html = response.content.decode()
    assert "maalinger.csv er større end 200\xa0bytes" in html and "Intet er importeret" in html
    assert received  # the size was counted by the shared handler, chunk by chunk
    assert Measurement.objects.count() == 0
    # Within the limit, the same page imports.
    settings.KERNE_IMPORT_MAX_BYTES = 10_000
    assert client.post("/maal/import/", {"file": _csv(world, 12)}).status_code == 302
    assert Measurement.objects.count() == 12


def test_the_page_names_the_limit(world, client, settings):
    settings.KERNE_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    client.force_login(world.users["leader"])
    html = client.get("/maal/import/").content.decode()
    assert "Filen må fylde højst 5,0\xa0MB og have højst 100.000 rækker." in html


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_it_is_opened(world, client, settings):
    settings.KERNE_IMPORT_MAX_UNPACKED_BYTES = 1000
    make_indicator(world.dept_a1, code="timer", frequency="monthly")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["indikator", "enhed", "periode", "værdi"])
    sheet.append(["timer", world.dept_a1.external_key, "2025-01", 7])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "m.xlsx"
    client.force_login(world.users["leader"])
    response = client.post("/maal/import/", {"file": data})
    assert "når den pakkes ud; grænsen er 1000\xa0bytes" in response.content.decode()
    assert Measurement.objects.count() == 0


def test_the_upload_still_checks_csrf(world):
    make_indicator(world.dept_a1, code="sprog", frequency="monthly")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["leader"])
    assert client.post("/maal/import/", {"file": _csv(world, 1)}).status_code == 403
    assert Measurement.objects.count() == 0
