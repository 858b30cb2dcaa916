"""The shared cache's table (kerne/cache.py) exists wherever Kerne's tables do: `kerne migrate`
creates it, `make run` creates it, and so does the test database's setup."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_test_database_has_the_shared_cache_table():
    assert "kerne_cache" in connection.introspection.table_names()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh SQLite database file, as `kerne migrate` leaves it."""
    folder = tmp_path_factory.mktemp("fresh")
    database = folder / "fresh.sqlite3"
    env = {**os.environ, "DEBUG": "1", "KERNE_VAR_DIR": str(folder), "SQLITE_PATH": str(database)}
    env.pop("DATABASE_URL", None)
    env.pop("KERNE_TESTING", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return database, env


def test_migrate_creates_the_shared_cache_table(migrated):
    database, _ = migrated
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "kerne_cache" in tables


COUNTING_WORKER = """
import sys, time
import django
django.setup()
from kerne.surveys.submission import open_rate_limited
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
print(sum(open_rate_limited("198.51.100.7") for _ in range(10)))
"""


def test_the_rate_limit_holds_across_worker_processes(migrated):
    """Four processes, as four gunicorn workers, count one client's submissions on one database."""
    from kerne.surveys.submission import OPEN_RATE_LIMIT

    _, env = migrated
    env = {**env, "DJANGO_SETTINGS_MODULE": "kerne.settings"}
    start = str(time.time() + 3)  # every worker starts counting at this moment
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTING_WORKER, start],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    refused = [int(worker.communicate(timeout=120)[0]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert sum(refused) == 4 * 10 - OPEN_RATE_LIMIT


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_creates_the_shared_cache_table():
    done = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    commands = [line for line in done.stdout.splitlines() if "kerne " in line]
    migrate = next(n for n, line in enumerate(commands) if "kerne migrate" in line)
    create = next(n for n, line in enumerate(commands) if "kerne createcachetable" in line)
    serve = next(n for n, line in enumerate(commands) if "runserver" in line)
    assert migrate < create < serve
