"""Fixtures of the organisation import page tests (tests/org_import)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import make_hr
from tests.organisation.import_helpers import FILES


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Any) -> None:
    settings.KERNE_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def hr_client(db: None) -> Client:
    client = Client()
    client.force_login(make_hr("hr-import"))
    return client


def post_upload(
    client: Client,
    units: str,
    people: str | None = None,
    *,
    fmt: str = "auto",
    data: bytes | None = None,
    people_data: bytes | None = None,
    **extra: Any,
) -> Any:
    payload: dict[str, Any] = {
        "units_file": SimpleUploadedFile(units, data if data is not None else (FILES / units).read_bytes()),
        "format": fmt,
    }
    if people:
        payload["people_file"] = SimpleUploadedFile(
            people, people_data if people_data is not None else (FILES / people).read_bytes()
        )
    return client.post(reverse("org_import:upload"), payload, **extra)
