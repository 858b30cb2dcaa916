"""The load generator: C threads, each with one persistent HTTP/1.1 connection.

Kept light on purpose, because it shares the 2 cores with the server it measures: each
request is encoded once, before the clock starts (request line, headers and body in one
buffer), sent with one `sendall`, and of the reply only the status line and the
Content-Length are read. What a browser would do beyond that (render the receipt) is
not the server's work.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

RETRYABLE = (ConnectionError, OSError, TimeoutError, ValueError)


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


def post_request(host: str, port: int, path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def get_request(host: str, port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()


class Connection:
    """One keep-alive HTTP/1.1 connection that reads replies by Content-Length."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def exchange(self, request: bytes) -> int:
        """Send one request, read the whole reply, return its status code."""
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, keep_alive = 0, False, True
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = value == b"chunked"
            elif name == b"connection" and value == b"close":
                keep_alive = False
        self.buffer = rest
        if chunked:
            self._skip_chunks()
        else:
            while len(self.buffer) < length:
                self._receive()
            self.buffer = self.buffer[length:]
        if not keep_alive:
            self.close()
        return status

    def _skip_chunks(self) -> None:
        while True:
            while b"\r\n" not in self.buffer:
                self._receive()
            size_line, _, self.buffer = self.buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                self._receive()
            self.buffer = self.buffer[size + 2 :]
            if size == 0:  # no trailers are sent to us
                return

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk


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
    stop_at = time.monotonic() + deadline_s

    def take() -> int | None:
        with lock:
            if not queue:
                return None
            outcome.taken += 1
            return queue.pop()

    def client() -> None:
        conn = Connection(host, port)
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
            token = tokens[index]
            path = f"/svar/{token}/"
            post = post_request(host, port, path, bodies[index])
            fetched = not with_get
            while True:
                try:
                    if not fetched:
                        t0 = time.perf_counter()
                        conn.exchange(get_request(host, port, path))
                        local_get.append((time.perf_counter() - t0) * 1000)
                        fetched = True
                    t0 = time.perf_counter()
                    status = conn.exchange(post)
                    elapsed = (time.perf_counter() - t0) * 1000
                except RETRYABLE:
                    conn.close()
                    retries += 1
                    if time.monotonic() > stop_at:
                        failed_tokens.append(token)
                        break
                    time.sleep(0.05)
                    continue
                local_status[status] = local_status.get(status, 0) + 1
                if status == 303:
                    acked_tokens.append(token)
                    local_post.append(elapsed)
                elif status == 200:  # "you have already answered": an earlier try was stored
                    already_tokens.append(token)
                elif status in (502, 503) and time.monotonic() < stop_at:
                    retries += 1
                    time.sleep(0.05)
                    continue
                else:
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
