"""Serve an app with gunicorn on loopback and load it from threads: rps, p50, p95.

Traffic goes to 127.0.0.1 only, for a bounded time, and stops by itself.
"""
from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict, workers: int = 2, options: tuple[str, ...] = ()):
    """`target` like "bench.apps:bare()"; yields the base URL. `options`: more gunicorn arguments.

    The settings are the project's gunicorn.conf.py (gunicorn reads it from the working directory),
    or bench/gunicorn_profile.py when `env` has BENCH_PROFILE (cProfile in each worker)."""
    port = free_port()
    config = ("-c", "bench/gunicorn_profile.py") if env.get("BENCH_PROFILE") else ()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *config, "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", *options, target],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def load(base: str, path: str | None, seconds: float = 5.0, concurrency: int = 4, headers: dict | None = None,
         method: str = "GET", request_for=None, warmup: float = 0.5) -> LoadResult:
    """Keep-alive clients in threads for `seconds` (after a short warm-up).

    Every client requests `path`, or what `request_for(client_index, n)` returns:
    (path, body, headers), so each simulated person can have its own URL and cookie.
    """
    parts = urllib.parse.urlsplit(base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]

    def worker(index: int):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local, n = [], 0
        while time.perf_counter() < stop_at[0]:
            n += 1
            target, body, sent_headers = request_for(index, n) if request_for else (path, None, headers or {})
            started = time.perf_counter()
            try:
                conn.request(method, target, body=body, headers=sent_headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            local.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    stop_at[0] = time.perf_counter() + warmup  # warm-up, discarded
    warm = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    [t.start() for t in warm]
    [t.join() for t in warm]
    latencies.clear()
    errors[0] = 0
    started = time.perf_counter()
    stop_at[0] = started + seconds
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    return LoadResult(len(ordered), elapsed, 1000 * statistics.median(ordered), 1000 * p95, errors[0])


def login_cookie(base: str, email: str, password: str) -> str:
    """Log in like a browser (CSRF token from the form); returns the Cookie header."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf-token" content="([^"]+)"', html)
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": password})
    conn.request("POST", "/login", body=body, headers={"Cookie": cookie,
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 303:
        raise RuntimeError(f"login failed: {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]
