"""The load generator: C threads, each with one persistent HTTP/1.1 connection.

Kept light on purpose (it shares the 2 cores with the server): `http.client`, a
pre-encoded body per submission, and no parsing beyond the status line.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

RETRYABLE = (ConnectionError, http.client.HTTPException, OSError, TimeoutError)


@dataclass
class Outcome:
    acknowledged: list[str] = field(default_factory=list)  # tokens answered with 303 (stored, receipt)
    already: list[str] = field(default_factory=list)  # a retry found the token already used
    failed: list[str] = field(default_factory=list)  # gave up (bad status or deadline)
    post_ms: list[float] = field(default_factory=list)  # latency of acknowledged POSTs
    get_ms: list[float] = field(default_factory=list)
    retries: int = 0
    taken: int = 0  # tokens handed to clients so far (the crash phase watches it)
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)


def submission_body(item_keys: list[str], question_key: str | None, rng: random.Random) -> bytes:
    """A complete answer: every item answered (a few "don't know"), one in five with a comment."""
    fields = [(f"q-{key}", str(rng.choice("1234455550"))) for key in item_keys]
    if question_key and rng.random() < 0.2:
        fields.append((f"c-{question_key}", "Vi hjælper hinanden, når det brænder på. " * rng.randint(1, 3)))
    return urlencode(fields).encode()


def run(
    *,
    host: str,
    port: int,
    tokens: list[str],
    bodies: list[bytes],
    concurrency: int,
    with_get: bool = False,
    deadline_s: float = 300.0,
    outcome: Outcome | None = None,
) -> Outcome:
    """Submit one answer per token from `concurrency` clients; retry what the server did not answer."""
    outcome = outcome or Outcome()
    lock = threading.Lock()
    queue = list(reversed(range(len(tokens))))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"}
    stop_at = time.monotonic() + deadline_s

    def take() -> int | None:
        with lock:
            if not queue:
                return None
            outcome.taken += 1
            return queue.pop()

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        acked = already = failed = 0
        local_post: list[float] = []
        local_get: list[float] = []
        local_status: dict[int, int] = {}
        acked_tokens: list[str] = []
        already_tokens: list[str] = []
        failed_tokens: list[str] = []
        retries = 0
        while True:
            index = take()
            if index is None:
                break
            token, body = tokens[index], bodies[index]
            path = f"/svar/{token}/"
            fetched = not with_get
            while True:
                try:
                    if not fetched:
                        t0 = time.perf_counter()
                        conn.request("GET", path, headers={"Connection": "keep-alive"})
                        reply = conn.getresponse()
                        reply.read()
                        local_get.append((time.perf_counter() - t0) * 1000)
                        fetched = True
                    t0 = time.perf_counter()
                    conn.request("POST", path, body=body, headers=headers)
                    reply = conn.getresponse()
                    reply.read()
                    elapsed = (time.perf_counter() - t0) * 1000
                except RETRYABLE:
                    conn.close()
                    retries += 1
                    if time.monotonic() > stop_at:
                        failed += 1
                        failed_tokens.append(token)
                        break
                    time.sleep(0.05)
                    continue
                local_status[reply.status] = local_status.get(reply.status, 0) + 1
                if reply.status == 303:
                    acked += 1
                    acked_tokens.append(token)
                    local_post.append(elapsed)
                elif reply.status == 200:  # "you have already answered": an earlier try was stored
                    already += 1
                    already_tokens.append(token)
                elif reply.status in (502, 503) and time.monotonic() < stop_at:
                    retries += 1
                    time.sleep(0.05)
                    continue
                else:
                    failed += 1
                    failed_tokens.append(token)
                break
        conn.close()
        with lock:
            outcome.acknowledged += acked_tokens
            outcome.already += already_tokens
            outcome.failed += failed_tokens
            outcome.post_ms += local_post
            outcome.get_ms += local_get
            outcome.retries += retries
            for status, n in local_status.items():
                outcome.statuses[status] = outcome.statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    outcome.started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.finished = time.perf_counter()
    return outcome


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
