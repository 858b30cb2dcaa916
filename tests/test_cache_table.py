"""The shared cache's table (kerne/cache.py) exists wherever Kerne's tables do: `kerne migrate`
creates it, `make run` creates it, and so does the test database's setup."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_test_database_has_the_shared_cache_table():
    assert "kerne_cache" in connection.introspection.table_names()


def test_migrate_creates_the_shared_cache_table(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DEBUG": "1", "KERNE_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(database)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "kerne_cache" in tables


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_creates_the_shared_cache_table():
    done = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    commands = [line for line in done.stdout.splitlines() if "kerne " in line]
    migrate = next(n for n, line in enumerate(commands) if "kerne migrate" in line)
    create = next(n for n, line in enumerate(commands) if "kerne createcachetable" in line)
    serve = next(n for n, line in enumerate(commands) if "runserver" in line)
    assert migrate < create < serve
