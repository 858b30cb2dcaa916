"""Benchmark: subtree and access queries on the governance chain at national scale.

    python -m bench.subtree [--people N] [--samples K] [--seed S] [--json]

Builds Demo Kommune with N people (default 500,000: about 30,000 units) into a
throwaway SQLite database, and into a throwaway PostgreSQL database as well when
DATABASE_URL is set (e.g. under `scripts/with-postgres`). Each database is built and
measured in its own child process. Then it times, over K random units each:

- the subtree of a centre and of a department: COUNT, and fetching the ids;
- the ancestors of a unit (the breadcrumbs);
- `units_visible_to(leader)` for a random leader, fetching the ids (a fresh user
  object each time, as in a request);
- the tree page's people-count aggregate (`browse.people_counts`): for the children of
  a random unit (opening a unit), and for the first view (the root and the centres).

and prints p50/p95/max per measurement; with --json the last line is one JSON object.
The figures are for the machine it runs on; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

MEASURES = (
    "subtree count, centre",
    "subtree ids, centre",
    "subtree count, department",
    "subtree ids, department",
    "ancestors",
    "units_visible_to(leader) ids",
    "people counts, children of a unit",
    "people counts, root + centres",
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _time(samples: list[Any], run: Callable[[Any], object]) -> dict[str, float]:
    timings = []
    for sample in samples:
        started = time.perf_counter()
        run(sample)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(_percentile(timings, 95), 3),
        "max_ms": round(max(timings), 3),
    }


def measure(people: int, samples: int, seed: int) -> dict[str, Any]:
    """Build the demo into the (empty, migrated) database and time the queries. Runs in the child."""
    from django.contrib.auth.models import User
    from django.db import connection

    from kerne.organisation import browse, demo, selectors
    from kerne.organisation.models import Engagement, Person, Unit, UnitKind

    started = time.perf_counter()
    summary = demo.build(people=people, seed=seed)
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    rng = random.Random(seed)
    units = list(Unit.objects.only("id", "path", "depth", "parent_id"))
    centres = [u for u in units if u.depth == 1]
    departments = [u for u in units if u.depth == 2]
    with_children = sorted({u.parent_id for u in units if u.parent_id is not None})
    root = next(u for u in units if u.parent_id is None)

    # Users for a sample of leaders below the executive board (the demo has only 7 logins).
    leader_people = list(
        Engagement.objects.filter(is_leader=True, is_primary=True)
        .exclude(unit__kind=UnitKind.EXECUTIVE)
        .values_list("person_id", flat=True)
    )
    chosen = rng.sample(leader_people, min(samples, len(leader_people)))
    users = User.objects.bulk_create([User(username=f"bench-leader-{pk}") for pk in chosen])
    for user, person_pk in zip(users, chosen, strict=True):
        Person.objects.filter(pk=person_pk).update(user=user)
    user_ids = [u.pk for u in User.objects.filter(username__startswith="bench-leader-")]
    fresh_users = [User.objects.get(pk=pk) for pk in user_ids]

    def pick(pool: list[Any]) -> list[Any]:
        return [rng.choice(pool) for _ in range(samples)]

    children_of: dict[int, list[Any]] = {}
    for u in units:
        if u.parent_id is not None:
            children_of.setdefault(u.parent_id, []).append(u)

    results = {
        "subtree count, centre": _time(pick(centres), lambda u: Unit.objects.subtree_of(u).count()),
        "subtree ids, centre": _time(
            pick(centres), lambda u: list(Unit.objects.subtree_of(u).values_list("id", flat=True))
        ),
        "subtree count, department": _time(pick(departments), lambda u: Unit.objects.subtree_of(u).count()),
        "subtree ids, department": _time(
            pick(departments), lambda u: list(Unit.objects.subtree_of(u).values_list("id", flat=True))
        ),
        "ancestors": _time(pick(units), lambda u: list(u.ancestors())),
        "units_visible_to(leader) ids": _time(
            fresh_users, lambda user: list(selectors.units_visible_to(user).values_list("id", flat=True))
        ),
        "people counts, children of a unit": _time(
            [children_of[pk] for pk in pick(with_children)], browse.people_counts
        ),
        "people counts, root + centres": _time(
            [[root, *children_of[root.pk]]] * max(3, samples // 20), browse.people_counts
        ),
    }
    return {
        "backend": connection.vendor,
        "people": summary.people,
        "units": summary.units,
        "engagements": summary.engagements,
        "build_seconds": round(build_seconds, 1),
        "measures": results,
    }


def _child(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("RESULT " + json.dumps(measure(args.people, args.samples, args.seed)))
    return 0


def _postgres_database(base_url: str) -> tuple[str, str]:
    import psycopg

    name = f"kerne_bench_subtree_{os.getpid()}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix, _sep, _old = base_url.rpartition("/")
    return f"{prefix}/{name}", name


def _drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    # Not DEBUG: Django would keep every query (the bulk inserts too) in memory.
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret",
        ALLOWED_HOSTS="localhost",
        TASKS_BACKEND="immediate",
        KERNE_TESTING="1",
    )
    workdir = tempfile.mkdtemp(prefix="kerne-bench-subtree-")
    base_url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    try:
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
            env["KERNE_VAR_DIR"] = workdir
            env["SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
        else:
            env["DATABASE_URL"], pg_name = _postgres_database(base_url)
        command = [sys.executable, "-m", "bench.subtree", "--child", "--people", str(args.people)]
        command += ["--samples", str(args.samples), "--seed", str(args.seed)]
        child = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if child.returncode != 0:
            raise RuntimeError(f"{backend}: the benchmark failed\n{child.stdout}{child.stderr}")
        line = next(x for x in child.stdout.splitlines() if x.startswith("RESULT "))
        result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
        return result
    finally:
        if pg_name:
            _drop_postgres_database(base_url, pg_name)
        for name in os.listdir(workdir):
            os.remove(os.path.join(workdir, name))
        os.rmdir(workdir)


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m bench.subtree", description=doc.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.people < 200 or args.samples < 1:
        parser.error("--people must be at least 200 and --samples at least 1")
    if args.child:
        return _child(args)

    backends = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append("postgres")
    results = {}
    for backend in backends:
        print(f"Building Demo Kommune with {args.people:,} people on {backend} …", flush=True)
        results[backend] = _run_backend(backend, args)
        r = results[backend]
        print(
            f"  {r['units']:,} units, {r['people']:,} people, {r['engagements']:,} engagements; "
            f"built in {r['build_seconds']} s",
            flush=True,
        )

    print()
    print(f"{'backend':<10} {'measurement':<36} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for backend, r in results.items():
        for name in MEASURES:
            m = r["measures"][name]
            figures = f"{m['p50_ms']:>9.2f} {m['p95_ms']:>9.2f} {m['max_ms']:>9.2f}"
            print(f"{backend:<10} {name:<36} {m['n']:>5} {figures}")
    if args.json:
        print(json.dumps({"people": args.people, "samples": args.samples, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
