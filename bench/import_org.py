"""Benchmark: `kerne import-org` at municipality and national scale.

    python -m bench.import_org [--units N] [--people M] [--seed S] [--json]

Writes a synthetic organisation (default 30,000 units, 500,000 people, one engagement
each, a leader per unit) as Danish Excel CSV files (semicolons, Windows-1252), and
imports it into a throwaway SQLite database (and a throwaway PostgreSQL database too
when DATABASE_URL is set, e.g. under `scripts/with-postgres`), each in its own child
process. It times:

- the first import into an empty database (everything added, one audit row each);
- the same files again (nothing to change: read, compare, one summary row);
- a re-import with about 1% changes: renamed units, a moved centre subtree, closed
  teams with their engagements, new people;

and reports seconds and the child's peak memory (max RSS). The figures are
for the machine it runs on; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def write_files(folder: Path, units: int, people: int, seed: int) -> tuple[Path, Path, Path, Path]:
    """The organisation as CSV files, and a second pair with about 1% changes."""
    rng = random.Random(seed)
    rows = [("D", "", "Direktionen", "direktion")]
    centres = [f"C{i}" for i in range(1, 7)]
    rows += [(key, "D", f"Center {key}", "center") for key in centres]
    departments: list[str] = []
    level_2: list[str] = []
    while len(rows) < units:
        n = len(rows)
        if len(departments) < max(6, units // 40):
            key = f"A{n}"
            departments.append(key)
            rows.append((key, rng.choice(centres), f"Afdeling {n}", "afdeling"))
        elif len(level_2) < units // 5:
            key = f"I{n}"
            level_2.append(key)
            rows.append((key, rng.choice(departments), f"Institution {n} Æblehaven", "institution"))
        else:
            rows.append((f"T{n}", rng.choice(level_2), f"Team {n} Sølvpilen", "team"))
    leaves = [r[0] for r in rows if r[3] in ("team", "institution")]
    people_rows = []
    for i, (key, _parent, _name, _kind) in enumerate(rows):  # one leader per unit
        level = {"direktion": "5", "center": "4", "afdeling": "3"}.get(_kind, "2")
        people_rows.append((f"L{i}", f"Leder {i} Ærø", f"leder{i}@demo.dk", key, "Leder", "ja", level))
    for i in range(len(people_rows), people):
        people_rows.append(
            (
                f"P{i}",
                f"Medarbejder {i} Østergård",
                f"p{i}@demo.dk",
                rng.choice(leaves),
                "Pædagog",
                "nej",
                "1",
            )
        )

    def write(name: str, header: str, lines: Sequence[tuple[str, ...]]) -> Path:
        path = folder / name
        text = header + "\r\n" + "\r\n".join(";".join(line) for line in lines) + "\r\n"
        path.write_bytes(text.encode("cp1252"))
        return path

    units_header = "enhed_id;overordnet_id;navn;type"
    people_header = "person_id;navn;e-mail;enhed_id;stilling;leder;niveau"
    units_file = write("enheder.csv", units_header, rows)
    people_file = write("personer.csv", people_header, people_rows)

    # About 1% changes: renames, one department moved to another centre, closed teams, new people.
    changed = list(rows)
    for i in rng.sample(range(7, len(changed)), max(1, units // 200)):
        key, parent, name, kind = changed[i]
        changed[i] = (key, parent, name + " (nyt navn)", kind)
    moved = next(i for i, r in enumerate(changed) if r[0] == departments[0])
    key, parent, name, kind = changed[moved]
    changed[moved] = (key, next(c for c in centres if c != parent), name, kind)
    closing = {r[0] for r in rng.sample([r for r in changed if r[3] == "team"], max(1, units // 200))}
    changed = [r for r in changed if r[0] not in closing]
    open_leaves = [key for key in leaves if key not in closing]
    kept_people = [p for p in people_rows if p[3] not in closing]
    kept_people += [
        (f"N{i}", f"Ny medarbejder {i}", f"n{i}@demo.dk", rng.choice(open_leaves), "Pædagog", "nej", "1")
        for i in range(max(1, people // 100))
    ]
    return (
        units_file,
        people_file,
        write("enheder-2.csv", units_header, changed),
        write("personer-2.csv", people_header, kept_people),
    )


def measure(units_file: Path, people_file: Path, units2: Path, people2: Path) -> dict[str, Any]:
    """Run the three imports in this (child) process against its empty, migrated database."""
    from django.db import connection

    from kerne.organisation.import_service import org_import_run
    from kerne.organisation.importers import SourceFile
    from kerne.organisation.models import Engagement, Unit

    def run(label: str, u: Path, p: Path) -> dict[str, Any]:
        started = time.perf_counter()
        result = org_import_run(
            actor=None,
            units_file=SourceFile(u.name, u.read_bytes()),
            people_file=SourceFile(p.name, p.read_bytes()),
        )
        seconds = time.perf_counter() - started
        assert result.applied and not result.errors, [str(e) for e in result.errors[:5]]
        assert result.summary is not None
        return {"import": label, "seconds": round(seconds, 1), **result.summary.as_dict()}

    runs = [
        run("first import", units_file, people_file),
        run("same files again", units_file, people_file),
        run("about 1% changed", units2, people2),
    ]
    return {
        "backend": connection.vendor,
        "units": Unit.objects.count(),
        "engagements": Engagement.objects.count(),
        "runs": runs,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _child(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    files = [Path(p) for p in args.files]
    print("RESULT " + json.dumps(measure(*files)))
    return 0


def _run_backend(backend: str, files: list[Path], workdir: str) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(DEBUG="0", SECRET_KEY="bench-only-not-a-secret", ALLOWED_HOSTS="localhost", KERNE_TESTING="1")
    base_url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    try:
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
            env["KERNE_VAR_DIR"] = workdir
            env["SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
        else:
            import psycopg

            pg_name = f"kerne_bench_import_{os.getpid()}"
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            env["DATABASE_URL"] = base_url.rpartition("/")[0] + "/" + pg_name
        command = [sys.executable, "-m", "bench.import_org", "--child", *map(str, files)]
        child = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if child.returncode != 0:
            raise RuntimeError(f"{backend}: the benchmark failed\n{child.stdout}{child.stderr}")
        line = next(x for x in child.stdout.splitlines() if x.startswith("RESULT "))
        result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
        return result
    finally:
        if pg_name:
            import psycopg

            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=30_000)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    with tempfile.TemporaryDirectory(prefix="kerne-bench-import-") as workdir:
        started = time.perf_counter()
        files = list(write_files(Path(workdir), args.units, args.people, args.seed))
        took = time.perf_counter() - started
        print(f"files: {args.units} units, {args.people} people ({took:.1f} s to write)")
        backends = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
        results = [_run_backend(backend, files, workdir) for backend in backends]
    for result in results:
        print(
            f"\n{result['backend']}: {result['units']} units, {result['engagements']} engagements, "
            f"peak memory {result['max_rss_mib']} MiB"
        )
        for run in result["runs"]:
            print(
                f"  {run['import']:<18} {run['seconds']:>7.1f} s   units +{run['units_added']} "
                f"~{run['units_changed']} (moved {run['units_moved']}) -{run['units_closed']}   "
                f"people +{run['persons_added']} ~{run['persons_changed']} -{run['persons_closed']}   "
                f"engagements +{run['engagements_added']} ~{run['engagements_changed']} "
                f"-{run['engagements_closed']}"
            )
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
