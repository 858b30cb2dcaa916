"""Orchestration of the survey rush benchmark (see bench/rush/__init__.py)."""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rush import load

PROJECT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
STEP_TIMEOUT_S = 600


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.rush", description=__doc__)
    parser.add_argument("--invitations", type=int, default=5000, help="submissions per phase (default 5000)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="gthread")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--with-get", action="store_true", help="GET the answer page before each POST")
    parser.add_argument("--people", type=int, default=0, help="demo organisation size (default: modest)")
    parser.add_argument("--no-crash", action="store_true", help="skip phase 2 (SIGKILL and restart)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser.parse_args(argv)


def say(args: argparse.Namespace, text: str) -> None:
    print(text, file=sys.stderr if args.json else sys.stdout, flush=True)


def reexec_under_postgres(argv: list[str]) -> None:
    """Run this benchmark again inside a throwaway PostgreSQL cluster (scripts/with-postgres)."""
    script = PROJECT / "scripts" / "with-postgres"
    env = {
        **os.environ,
        # Production keeps fsync on; the rush must show what a durable commit costs.
        "KERNE_PG_FSYNC": os.environ.get("KERNE_PG_FSYNC", "on"),
        "KERNE_RUSH_IN_POSTGRES": "1",
    }
    os.execvpe(str(script), [str(script), sys.executable, "-m", "bench.rush", *argv], env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def server_env(tmp: Path, port: int, database: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "kerne.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "KERNE_VAR_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "KERNE_BASE_URL": f"http://{HOST}:{port}",
        "TASKS_BACKEND": "immediate",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "ERROR",
        "LOGIN_RATE_LIMIT": "0",
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH", "")) if p),
    }
    if database == "sqlite":
        env["SQLITE_PATH"] = str(tmp / "kerne.sqlite3")
    return env


def manage(*command: str, quiet: bool = True) -> None:
    subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), *command],
        cwd=PROJECT,
        check=True,
        timeout=STEP_TIMEOUT_S,
        stdout=subprocess.DEVNULL if quiet else None,
    )


# --- The round -------------------------------------------------------------------------------------


def instrument_yaml(dimensions: int = 8, items_per_dimension: int = 5) -> str:
    """A 40-item questionnaire for the benchmark (the shipped ones have 23–27 items)."""
    lines = [
        "key: rush-40",
        "kind: other",
        "name: {da: Benchmark med 40 spørgsmål, en: Benchmark with 40 questions}",
        "licence: Written for Kerne's benchmark.",
        "dimensions:",
    ]
    for d in range(dimensions):
        lines += [f"  - key: d{d}", f"    name: {{da: Dimension {d}, en: Dimension {d}}}", "    items:"]
        for i in range(items_per_dimension):
            lines += [
                f"      - key: d{d}-i{i}",
                f"        text: {{da: Udsagn {d}.{i} om arbejdspladsen, "
                f"en: Statement {d}.{i} about the workplace}}",
            ]
            if i == items_per_dimension - 1:
                lines.append("        reversed: true")
    lines += [
        "free_text:",
        "  - key: comment",
        "    text: {da: Kommentar, en: Comment}",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Setup:
    round_id: int
    tokens: list[list[str]]  # per phase
    bodies: list[list[bytes]]


def create_round(invitations: int, phases: int) -> Setup:
    """In this process (Django set up from the same environment as the server)."""
    import datetime as dt

    from django.db import connections
    from django.utils import timezone

    from kerne.organisation.models import Unit
    from kerne.surveys import services
    from kerne.surveys.instruments import load_instrument_file
    from kerne.surveys.models import Invitation, RaterGroup, Round, hash_secret
    from kerne.surveys.tokens import new_token

    instrument = load_instrument_file(instrument_yaml())
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None, "the demo organisation is missing"
    now = timezone.now()
    round_ = Round.objects.create(
        name="Rush",
        instrument=instrument,
        target_unit=root,
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(days=1),
        cut_off_date=timezone.localdate(),
        languages=["da", "en"],
        status=Round.Status.OPEN,
    )
    plan = services.invitation_plan(round_)
    # As at launch: each answer is stored on its unit or the pooled unit above it (the
    # submission reads it with the invitation).
    stored_on = services.plan_response_units(round_, plan, services.round_tree_freeze(round_))
    rng = random.Random(1)
    item_keys = list(instrument.items.order_by("position").values_list("key", flat=True))
    question = instrument.free_text_questions.values_list("key", flat=True).first()
    setup = Setup(round_.pk, [], [])
    rows = []
    for phase in range(phases):
        tokens = [new_token() for _ in range(invitations)]
        setup.tokens.append(tokens)
        setup.bodies.append([load.submission_body(item_keys, question, rng) for _ in tokens])
        for n, token in enumerate(tokens):
            person, unit = plan[(phase * invitations + n) % len(plan)]
            rows.append(
                Invitation(
                    round=round_,
                    person_id=person,
                    unit_id=unit,
                    response_unit_id=stored_on[unit],
                    rater_group=RaterGroup.EMPLOYEE,
                    token_hash=hash_secret(token),
                )
            )
    Invitation.objects.bulk_create(rows, batch_size=5000)
    connections.close_all()
    return setup


def count(round_id: int, acknowledged: list[str]) -> dict[str, int]:
    """What the database holds: responses, answered invitations, and acknowledged tokens not answered."""
    from django.db import connections

    from kerne.surveys.models import Invitation, Response, hash_secret

    stored = Response.objects.filter(round_id=round_id).count()
    answered = Invitation.objects.filter(round_id=round_id, answered=True).count()
    hashes = [hash_secret(t) for t in acknowledged]
    confirmed = 0
    for start in range(0, len(hashes), 500):
        confirmed += Invitation.objects.filter(
            token_hash__in=hashes[start : start + 500], answered=True
        ).count()
    connections.close_all()
    return {
        "stored": stored,
        "answered": answered,
        "acknowledged_not_answered": len(acknowledged) - confirmed,
    }


# --- gunicorn ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> None:
        self.args, self.env, self.port, self.log = args, env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            # RUSH_WSGI_APP: another WSGI callable, e.g. a profiling wrapper around Kerne's.
            os.environ.get("RUSH_WSGI_APP", "kerne.wsgi:application"),
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.args.workers),
            "--worker-class",
            self.args.worker_class,
            "--threads",
            str(self.args.threads),
            "--backlog",
            "2048",
            "--keep-alive",
            "10",
            "--log-level",
            "warning",
            "--preload",
        ]
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.wait_ready()
        return time.perf_counter() - started

    def wait_ready(self, timeout: float = 60.0) -> None:
        import http.client

        stop = time.monotonic() + timeout
        while time.monotonic() < stop:
            if self.process is not None and self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{tail}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/tilgaengelighed/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, not a shutdown."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass  # already gone
        self.process = None


# --- Phases ------------------------------------------------------------------------------------------


def phase_report(outcome: load.Outcome, counted: dict[str, int], expected_stored: int) -> dict[str, Any]:
    acknowledged = len(outcome.acknowledged)
    lost = counted["acknowledged_not_answered"] + max(0, counted["answered"] - counted["stored"])
    return {
        "accepted_per_s": round(acknowledged / outcome.seconds, 1),
        "p50_ms": round(load.percentile(outcome.post_ms, 50), 1),
        "p99_ms": round(load.percentile(outcome.post_ms, 99), 1),
        "max_ms": round(max(outcome.post_ms, default=float("nan")), 1),
        "get_p50_ms": round(load.percentile(outcome.get_ms, 50), 1) if outcome.get_ms else None,
        "get_p99_ms": round(load.percentile(outcome.get_ms, 99), 1) if outcome.get_ms else None,
        "acknowledged": acknowledged,
        "already_answered_on_retry": len(outcome.already),
        "failed": len(outcome.failed),
        "retries": outcome.retries,
        "stored": counted["stored"] - expected_stored,
        "answered_invitations": counted["answered"] - expected_stored,
        "lost": lost,
        "seconds": round(outcome.seconds, 2),
        "statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
    }


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    if args.database == "postgres" and not os.environ.get("KERNE_RUSH_IN_POSTGRES"):
        reexec_under_postgres(argv)
    if args.database == "postgres" and not os.environ.get("DATABASE_URL"):
        raise SystemExit("bench.rush: no DATABASE_URL inside with-postgres")
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)

    tmp = Path(tempfile.mkdtemp(prefix="kerne-rush-"))
    port = free_port()
    env = server_env(tmp, port, args.database)
    os.environ.update(env)
    server = Server(args, env, port, tmp / "gunicorn.log")
    try:
        people = args.people or min(max(2 * args.invitations, 1000), 20000)
        say(
            args,
            f"rush: {args.database}, {args.invitations} submissions per phase, {args.concurrency} clients, "
            f"gunicorn {args.workers}×{args.worker_class}"
            + (f"/{args.threads} threads" if args.worker_class == "gthread" else ""),
        )
        t0 = time.perf_counter()
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput")
        manage("demo", "--org-only", "--people", str(people), "--seed", "1")
        import django

        django.setup()
        phases = 1 if args.no_crash else 2
        setup = create_round(args.invitations, phases)
        say(args, f"rush: set up in {time.perf_counter() - t0:.1f} s (demo organisation of {people} people)")

        server.start()
        outcome = load.run(
            host=HOST,
            port=port,
            tokens=setup.tokens[0],
            bodies=setup.bodies[0],
            concurrency=args.concurrency,
            with_get=args.with_get,
        )
        counted = count(setup.round_id, outcome.acknowledged)
        first = phase_report(outcome, counted, 0)
        first["stored_equals_acknowledged"] = first["stored"] == first["acknowledged"]
        say(
            args,
            f"rush: {first['accepted_per_s']} accepted/s, p50 {first['p50_ms']} ms, "
            f"p99 {first['p99_ms']} ms, acknowledged {first['acknowledged']}, "
            f"stored {first['stored']}, lost {first['lost']}"
            + (f", GET p50 {first['get_p50_ms']} ms p99 {first['get_p99_ms']} ms" if args.with_get else ""),
        )

        second: dict[str, Any] | None = None
        if not args.no_crash:
            crash = load.Outcome()
            restart: dict[str, float] = {}

            def crash_and_restart() -> None:
                while crash.taken < len(setup.tokens[1]) * 0.4:
                    time.sleep(0.01)
                restart["killed_at_s"] = time.perf_counter() - crash.started
                server.kill()
                time.sleep(0.5)  # the site is down for a moment
                restart["restart_s"] = server.start()

            killer = threading.Thread(target=crash_and_restart, daemon=True)
            runner = threading.Thread(
                target=load.run,
                kwargs={
                    "host": HOST,
                    "port": port,
                    "tokens": setup.tokens[1],
                    "bodies": setup.bodies[1],
                    "concurrency": args.concurrency,
                    "with_get": args.with_get,
                    "outcome": crash,
                },
            )
            runner.start()
            killer.start()
            runner.join()
            killer.join(timeout=120)
            counted = count(setup.round_id, outcome.acknowledged + crash.acknowledged)
            counted["acknowledged_not_answered"] = count(setup.round_id, crash.acknowledged)[
                "acknowledged_not_answered"
            ]
            second = phase_report(crash, counted, first["stored"])
            second.update({k: round(v, 2) for k, v in restart.items()})
            say(
                args,
                f"crash: killed gunicorn (SIGKILL) after {second.get('killed_at_s')} s, back in "
                f"{second.get('restart_s')} s; acknowledged {second['acknowledged']}, "
                f"already stored on retry {second['already_answered_on_retry']}, "
                f"stored {second['stored']}, lost {second['lost']}",
            )
        report = {
            "database": args.database,
            "invitations": args.invitations,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
            "with_get": args.with_get,
            "accepted_per_s": first["accepted_per_s"],
            "p50_ms": first["p50_ms"],
            "p99_ms": first["p99_ms"],
            "acknowledged": first["acknowledged"],
            "stored": first["stored"],
            "lost": first["lost"] + (second["lost"] if second else 0),
            "rush": first,
            "crash": second,
        }
        if args.json:
            print(json.dumps(report))
    finally:
        server.stop()
        if args.keep:
            say(args, f"rush: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
