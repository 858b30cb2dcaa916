"""Benchmark: the goal tree and roll-out coverage pages for the executive board at national scale.

    python -m bench.goals [--people N] [--requests K] [--seed S] [--json]

Builds Demo Kommune with N people (default 500,000: about 30,000 units; what
`kerne demo --people N --org-only` builds) into a throwaway SQLite database, adds the goals
demo (vision, effect goals, unit goals, indicators with 2½ years of measurements) and its
roll-out over the whole tree (about half the units have reported), all in a child process.
Then, as a member of the executive board, it requests through Django's test client (the
whole middleware stack, templates included; no network):

- the goal tree `/maal/`,
- the coverage page of the whole-tree roll-out `/maal/udrulninger/<pk>/`,
- the same for a copy of that roll-out whose deadline has passed (so the page also counts and
  lists the units not started past the deadline),

K times each after three warm-up requests, and prints p50/p95/max per page; with --json the
last line is one JSON object. Target (issue "governance that follows effect"): p95 < 300 ms.
The figures are for the machine it runs on; nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

TARGET_P95_MS = 300.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(people: int, requests: int, seed: int) -> dict[str, Any]:
    """Build the data into the (empty, migrated) database and time the pages. Runs in the child."""
    from django.contrib.auth.models import Group as AuthGroup
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from kerne.accounts.models import Group
    from kerne.goals import demo as goals_demo
    from kerne.goals.models import Rollout, RolloutState
    from kerne.organisation import demo as org_demo
    from kerne.organisation.models import Unit

    started = time.perf_counter()
    summary = org_demo.build(people=people, seed=seed)
    org_seconds = time.perf_counter() - started
    started = time.perf_counter()
    goals_demo.build(seed=seed, stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    goals_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    root = Unit.objects.get(depth=0, parent=None)
    rollout = Rollout.objects.get(root_unit=root)
    # The same roll-out once more, past its deadline: the page then also lists the overdue units.
    late = Rollout.objects.create(
        title_da="Forsinket udrulning", root_unit=root, deadline=dt.date.today() - dt.timedelta(days=10)
    )
    RolloutState.objects.bulk_create(
        RolloutState(rollout=late, unit_id=s.unit_id, state=s.state, reason=s.reason, updated_at=s.updated_at)
        for s in RolloutState.objects.filter(rollout=rollout).iterator()
    )
    user = User.objects.create_user("bench-direktion", password="x")
    user.groups.add(AuthGroup.objects.get_or_create(name=Group.EXECUTIVE)[0])
    client = Client()
    client.force_login(user)
    pages = {
        "goal tree": "/maal/",
        "roll-out coverage": f"/maal/udrulninger/{rollout.pk}/",
        "roll-out, overdue": f"/maal/udrulninger/{late.pk}/",
    }
    results: dict[str, dict[str, float]] = {}
    for name, url in pages.items():
        for _warm in range(3):
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _n in range(requests):
            t0 = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        results[name] = {
            "n": len(timings),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 95), 1),
            "max_ms": round(max(timings), 1),
            "bytes": len(response.content),
        }
    return {
        "backend": connection.vendor,
        "people": summary.people,
        "units": summary.units,
        "rollout_states": RolloutState.objects.filter(rollout=rollout).count(),
        "org_build_seconds": round(org_seconds, 1),
        "goals_build_seconds": round(goals_seconds, 1),
        "pages": results,
        "target_p95_ms": TARGET_P95_MS,
        "ok": all(r["p95_ms"] < TARGET_P95_MS for r in results.values()),
    }


def _child(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("RESULT " + json.dumps(measure(args.people, args.requests, args.seed)))
    return 0


def _run(args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    # Not DEBUG: Django would keep every query in memory, and pages would not be timed as served.
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret",
        ALLOWED_HOSTS="testserver,localhost",
        TASKS_BACKEND="immediate",
        KERNE_TESTING="1",
        LOG_LEVEL="ERROR",
    )
    env.pop("DATABASE_URL", None)
    workdir = tempfile.mkdtemp(prefix="kerne-bench-goals-")
    try:
        env["KERNE_VAR_DIR"] = workdir
        env["SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
        command = [sys.executable, "-m", "bench.goals", "--child", "--people", str(args.people)]
        command += ["--requests", str(args.requests), "--seed", str(args.seed)]
        child = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if child.returncode != 0:
            raise RuntimeError(f"the benchmark failed\n{child.stdout}{child.stderr}")
        line = next(x for x in child.stdout.splitlines() if x.startswith("RESULT "))
        result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
        return result
    finally:
        for name in os.listdir(workdir):
            os.remove(os.path.join(workdir, name))
        os.rmdir(workdir)


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m bench.goals", description=doc.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.people < 200 or args.requests < 1:
        parser.error("--people must be at least 200 and --requests at least 1")
    if args.child:
        return _child(args)
    result = _run(args)
    print(
        f"{result['people']:,} people, {result['units']:,} units, "
        f"{result['rollout_states']:,} roll-out states (built in {result['org_build_seconds']} s "
        f"+ {result['goals_build_seconds']} s), {result['backend']}"
    )
    for name, r in result["pages"].items():
        print(
            f"  {name:<20} p50 {r['p50_ms']:>7.1f} ms   p95 {r['p95_ms']:>7.1f} ms   "
            f"max {r['max_ms']:>7.1f} ms"
        )
    print(f"  target p95 < {TARGET_P95_MS:.0f} ms: {'met' if result['ok'] else 'NOT met'}")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
