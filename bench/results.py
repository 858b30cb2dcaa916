"""Benchmark: the full results of one survey round (DESIGN §4).

    python -m bench.results [--respondents N] [--units U] [--items I]
                            [--database sqlite|postgres] [--repeat R] [--json]

Builds a synthetic round directly in bulk in a throwaway database (a temporary SQLite
file, or a temporary database in the PostgreSQL server named by DATABASE_URL, e.g. via
`scripts/with-postgres`): a tree of U units (8 children per unit, breadth first), an
instrument of I items in ~8 dimensions, N responses spread unevenly over the units (many
units below k, so suppression has work to do) with answers that vary by unit, and 1.25
invitations per response.

Then, in a fresh child process (so the peak memory is that of the computation, not of
building the data), it times `rollup.compute_round_results`: one query for the
responses, numpy aggregation, roll-up of every unit with everything below it, summaries
(means, SDs, t-intervals, shares) for every unit and item, and the anonymity decisions
for every unit (numbers and comments) — cold, without the results cache. It repeats R
times (each a full recomputation from the database) and reports the first run (the
database connection is already open, as in a running server); then it
times building single unit reports (`selectors.result_for_user` as HR, warm cache) for
200 random units, and rendering those units' report pages (the view and its template,
without an HTTP server).

With --json the last line is one JSON object with at least: seconds, peak_rss_mib,
respondents, units, items.

Targets (DESIGN §4): 5,000 / 400 / 40 under 0.2 s; 500,000 / 30,000 / 40 under 5 s and
2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import numpy as np

DIMENSIONS = 8


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


# --- Building the synthetic round (parent process) -------------------------------------------


def _tree(units: int) -> tuple[np.ndarray[Any, Any], list[str], np.ndarray[Any, Any]]:
    """Parent index (breadth first, 8 children each), paths and depth of `units` units with ids 1…U."""
    from kerne.organisation.models import path_segment

    parent = np.full(units, -1, dtype=np.int64)
    parent[1:] = (np.arange(1, units) - 1) // 8
    paths: list[str] = []
    depth = np.zeros(units, dtype=np.int64)
    for i in range(units):
        segment = path_segment(i + 1)
        if parent[i] < 0:
            paths.append(segment)
        else:
            paths.append(paths[parent[i]] + segment)
            depth[i] = depth[parent[i]] + 1
    return parent, paths, depth


def build(respondents: int, units: int, items: int, seed: int = 20260101) -> int:
    """Create the units, instrument, a closed round, responses and invitations; return the round id."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from kerne.organisation.models import Unit
    from kerne.surveys.models import Dimension, Instrument, InstrumentKind, Item, Response, Round

    rng = np.random.default_rng(seed)
    parent, paths, depth = _tree(units)
    kinds = ["executive", "centre", "department", "institution", "team"]
    with transaction.atomic():
        Unit.objects.bulk_create(
            [
                Unit(
                    id=i + 1,
                    name=f"Enhed {i + 1}",
                    kind=kinds[min(int(depth[i]), len(kinds) - 1)],
                    external_key=f"B{i + 1}",
                    parent_id=int(parent[i]) + 1 if parent[i] >= 0 else None,
                    path=paths[i],
                    depth=int(depth[i]),
                )
                for i in range(units)
            ],
            batch_size=2000,
        )
        instrument = Instrument.objects.create(
            key="bench", kind=InstrumentKind.SOCIAL_CAPITAL, name_da="Bench"
        )
        dims = Dimension.objects.bulk_create(
            [
                Dimension(instrument=instrument, key=f"d{d}", position=d, name_da=f"Dimension {d}")
                for d in range(DIMENSIONS)
            ]
        )
        Item.objects.bulk_create(
            [
                Item(
                    instrument=instrument,
                    dimension=dims[i % DIMENSIONS],
                    key=f"i{i}",
                    position=i,
                    text_da=f"Udsagn {i}",
                    reversed=i % 7 == 3,
                )
                for i in range(items)
            ]
        )
        opens = timezone.now() - dt.timedelta(days=30)
        round_ = Round.objects.create(
            name="Bench",
            instrument=instrument,
            target_unit_id=1,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=14),
            cut_off_date=(opens - dt.timedelta(days=1)).date(),
            status=Round.Status.CLOSED,
            released=True,
        )

    # Uneven unit sizes: lognormal weights, leaves weigh more than units with sub-units.
    has_children = np.zeros(units, dtype=bool)
    has_children[parent[parent >= 0]] = True
    weights = rng.lognormal(0.0, 1.0, size=units) * np.where(has_children, 0.3, 1.0)
    unit_of = rng.choice(units, size=respondents, p=weights / weights.sum())
    unit_bias = rng.normal(0.0, 0.6, size=units)
    item_bias = rng.normal(0.0, 0.4, size=items)
    raw = (
        3.5
        + unit_bias[unit_of][:, None]
        + item_bias[None, :]
        + rng.normal(0.0, 1.0, size=(respondents, items))
    )
    options = np.clip(np.rint(raw), 1, 5).astype(np.uint8)
    options[rng.random(size=options.shape) < 0.04] = 0  # "don't know"

    table = Response._meta.db_table
    uuid_field = Response._meta.get_field("id")
    with transaction.atomic(), connection.cursor() as cursor:
        sql = (
            f"INSERT INTO {table} (id, round_id, unit_id, rater_group, evaluation_id, answers) "
            "VALUES (%s, %s, %s, %s, NULL, %s)"
        )
        batch = 20000
        for start in range(0, respondents, batch):
            stop = min(start + batch, respondents)
            cursor.executemany(
                sql,
                [
                    (
                        uuid_field.get_db_prep_value(uuid.UUID(bytes=os.urandom(16), version=4), connection),
                        round_.pk,
                        int(unit_of[r]) + 1,
                        "employee",
                        options[r].tobytes(),
                    )
                    for r in range(start, stop)
                ],
            )
        invited_of = np.concatenate([unit_of, rng.choice(unit_of, size=respondents // 4)])
        sql = (
            "INSERT INTO surveys_invitation (round_id, person_id, unit_id, rater_group, evaluation_id, "
            "token_hash, answered, emailed, reminders_sent) "
            "VALUES (%s, NULL, %s, 'employee', NULL, %s, %s, false, 0)"
        )
        for start in range(0, len(invited_of), batch):
            stop = min(start + batch, len(invited_of))
            cursor.executemany(
                sql,
                [
                    (round_.pk, int(invited_of[r]) + 1, f"bench-{r}", r < respondents)
                    for r in range(start, stop)
                ],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return int(round_.pk)


# --- Measuring (child process) ------------------------------------------------------------------


def measure(round_id: int, repeat: int) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from kerne.organisation.models import Unit
    from kerne.results import rollup, selectors
    from kerne.surveys.models import Round

    # The round row is read and the connection opened before timing (a server keeps both around).
    round_ = Round.objects.select_related("instrument", "target_unit").get(pk=round_id)
    runs = []
    results = None
    for _ in range(repeat):
        rollup.clear_memo()
        started = time.perf_counter()
        results = rollup.compute_round_results(round_)
        runs.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert results is not None and results.units is not None
    shown = results.units.visibility.subtree_shown
    hidden_by_k = int(
        ((results.units.subtree.respondents > 0) & (results.units.subtree.respondents < results.k)).sum()
    )

    # A unit report as HR, from the warm cache (the leader's page minus HTTP and templates).
    hr = User(username="bench-hr", is_superuser=True, is_staff=True, is_active=True)
    hr.save()
    rollup.round_results(round_)  # warm
    rng = np.random.default_rng(1)
    ids = rng.choice(results.units.tree.unit_ids, size=min(200, len(results.units.tree)), replace=False)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[int(i) for i in ids])}
    page_times = []
    for unit_id in ids:
        started = time.perf_counter()
        selectors.result_for_user(hr, round_, units[int(unit_id)])
        page_times.append((time.perf_counter() - started) * 1000)
    # The whole page: the view with its template (no HTTP server, no middleware).
    from django.test import RequestFactory

    from kerne.results import views

    factory = RequestFactory()
    view_times = []
    for unit_id in ids:
        request = factory.get(f"/resultater/{round_id}/enhed/{int(unit_id)}/")
        request.user = hr
        started = time.perf_counter()
        response = views.unit_report(request, round_id, int(unit_id))
        view_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "seconds": round(runs[0], 4),
        "runs": [round(r, 4) for r in runs],
        "best_seconds": round(min(runs), 4),
        "peak_rss_mib": round(peak, 1),
        "respondents": results.respondents,
        "units_shown": int(shown.sum()),
        "units_below_k": hidden_by_k,
        "units_suppressed_extra": int(((results.units.subtree.respondents >= results.k) & ~shown).sum()),
        "report_p95_ms": round(float(np.percentile(page_times, 95)), 2),
        "page_p95_ms": round(float(np.percentile(view_times, 95)), 2),
    }


# --- Orchestration ----------------------------------------------------------------------------------


def _postgres_database(base_url: str) -> tuple[str, str]:
    """Create a throwaway database in the server of `base_url`; return (its URL, its name)."""
    import psycopg

    name = f"kerne_bench_results_{os.getpid()}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix, _sep, _old = base_url.rpartition("/")
    return f"{prefix}/{name}", name


def _drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.results", description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=5000)
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure-round", type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)

    if args.measure_round:
        _setup_django()
        print("RESULT " + json.dumps(measure(args.measure_round, args.repeat)))
        return 0
    if args.respondents < 1 or args.units < 1 or args.items < 1:
        parser.error("--respondents, --units and --items must be at least 1")

    env = dict(os.environ)
    workdir = tempfile.mkdtemp(prefix="kerne-bench-results-")
    pg_name = None
    base_url = env.get("DATABASE_URL", "")
    try:
        if args.database == "sqlite":
            env.pop("DATABASE_URL", None)
            env["KERNE_VAR_DIR"] = workdir
            env["SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
        else:
            if not base_url.startswith("postgres"):
                parser.error("--database postgres needs DATABASE_URL (run under scripts/with-postgres)")
            env["DATABASE_URL"], pg_name = _postgres_database(base_url)
        env.setdefault("DEBUG", "1")
        env["TASKS_BACKEND"] = "immediate"
        os.environ.update(env)
        if "DATABASE_URL" not in env:
            os.environ.pop("DATABASE_URL", None)
        _setup_django()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        round_id = build(args.respondents, args.units, args.items)
        setup_seconds = time.perf_counter() - started
        from django.db import connections

        connections.close_all()
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.results",
                "--measure-round",
                str(round_id),
                "--repeat",
                str(args.repeat),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            sys.stderr.write(child.stdout + child.stderr)
            return child.returncode
        line = next(x for x in child.stdout.splitlines() if x.startswith("RESULT "))
        result = json.loads(line.removeprefix("RESULT "))
        result.update(
            units=args.units,
            items=args.items,
            database=args.database,
            setup_seconds=round(setup_seconds, 1),
        )
        print(
            f"Results of one round: {args.respondents} respondents, {args.units} units, {args.items} items "
            f"({args.database})\n"
            f"  full computation (cold, no cache): {result['seconds']:.3f} s  (runs: {result['runs']})\n"
            f"  peak memory of the computing process: {result['peak_rss_mib']:.0f} MiB\n"
            f"  units shown: {result['units_shown']}, below k: {result['units_below_k']}, "
            f"hidden to protect others: {result['units_suppressed_extra']}\n"
            f"  one unit report from the warm cache, p95: {result['report_p95_ms']:.1f} ms "
            f"(rendered page: {result['page_p95_ms']:.1f} ms)\n"
            f"  (building the data took {setup_seconds:.1f} s)"
        )
        if args.json:
            print(json.dumps(result))
        return 0
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            _drop_postgres_database(base_url, pg_name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
