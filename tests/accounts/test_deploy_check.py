"""`kerne check --deploy` passes with production settings (DEBUG off, secret key, hosts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "KERNE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "kerne.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _run(
        {
            "SECRET_KEY": "x" * 20 + "production-secret-that-is-long-and-random-0123456789",
            "ALLOWED_HOSTS": "kerne.example.org",
            "KERNE_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run({"SECRET_KEY": "", "ALLOWED_HOSTS": "kerne.example.org", "KERNE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
