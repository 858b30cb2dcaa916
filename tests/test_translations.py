"""Every English catalogue is complete: no untranslated or fuzzy entries (Danish first, English second)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

KERNE = Path(__file__).resolve().parents[1] / "kerne"
CATALOGUES = sorted(KERNE.glob("**/locale/en/LC_MESSAGES/django.po"))


def test_every_app_with_text_has_an_english_catalogue():
    apps_with_catalogues = {p.relative_to(KERNE).parts[0] for p in CATALOGUES}
    assert {"locale", "foundation", "organisation", "surveys", "results", "goals"} <= apps_with_catalogues


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(KERNE)))
def test_catalogue_is_fully_translated(catalogue: Path):
    if shutil.which("msgfmt") is None:
        pytest.fail("gettext's msgfmt is missing (installed by .ci/run)")
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
