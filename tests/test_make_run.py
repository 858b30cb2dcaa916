"""`make run PORT=…` (issue 10, point 14): e-mail links, paper codes and QR codes point where
the development server listens, unless KERNE_BASE_URL is set."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dry_run(*args: str, env: dict[str, str] | None = None) -> list[str]:
    done = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return [line for line in done.stdout.splitlines() if "kerne " in line]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_base_url_follows_host_and_port():
    lines = _dry_run("PORT=8101")
    serving = [line for line in lines if "runserver" in line or "db_worker" in line or " demo " in line]
    assert len(serving) == 3
    for line in serving:
        assert "KERNE_BASE_URL=${KERNE_BASE_URL:-http://127.0.0.1:8101}" in line
    assert any("runserver 127.0.0.1:8101" in line for line in serving)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_an_explicit_base_url_wins():
    lines = _dry_run("PORT=8101")
    command = next(line for line in lines if "runserver" in line).split(".venv/bin/kerne")[0]
    shown = subprocess.run(
        ["sh", "-c", f"{command} env"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KERNE_BASE_URL": "https://kerne.example.dk"},
    )
    assert "KERNE_BASE_URL=https://kerne.example.dk" in shown.stdout.splitlines()
    derived = subprocess.run(
        ["sh", "-c", f"{command} env"],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "KERNE_BASE_URL"},
    )
    assert "KERNE_BASE_URL=http://127.0.0.1:8101" in derived.stdout.splitlines()
