"""What the scripts share: the project's paths and production settings, a gunicorn on a free
loopback port, memory readings of its workers, and two load generators: wrk (one URL, or a
Lua script) and a client that asks each URL of a list once.

Scripts import it as a sibling (`python scripts/bench.py` puts scripts/ on sys.path).
Every request goes to 127.0.0.1 only, and every load is bounded in time.
"""

from __future__ import annotations

import functools
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOG = ROOT / ".bench" / "gunicorn.log"
# Production mode (what `make serve` runs), with settings that only a benchmark may use.
ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "http://127.0.0.1",
    "CATALOGUE_ENV_FILE": "/dev/null",  # a developer's .env must not change what is measured
}
# Headless Debian Chromium for Playwright (it cannot download browsers here); without the
# background-networking flags Chromium phones home and the closed network refuses it.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


STARTED = time.monotonic()


def log(message: str) -> None:
    """A progress line, with the minutes and seconds since the script started."""
    minutes, seconds = divmod(int(time.monotonic() - STARTED), 60)
    print(f"[{Path(sys.argv[0]).stem} {minutes}:{seconds:02}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Return once `url` answers 200; fail early if the server `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def pg_url() -> str:
    """The database of the pg_virtualenv this process runs in."""
    return "postgres://{PGUSER}:{PGPASSWORD}@{PGHOST}:{port}/{PGDATABASE}".format(
        port=os.environ.get("PGPORT", "5432"), **os.environ
    )


def django_env(db_url: str, env: dict | None = None) -> dict:
    return {**os.environ, **ENV, "DATABASE_URL": db_url, **(env or {})}


def manage(db_url: str, *args: str, env: dict | None = None) -> str:
    """Run a management command in production mode; its standard output."""
    done = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=django_env(db_url, env),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@functools.cache
def collect_static() -> None:
    """Static files once per run: they depend on the code, not on the database."""
    manage("sqlite://:memory:", "collectstatic", "--noinput", "-v0")


@dataclass
class Server:
    base: str
    process: subprocess.Popen

    def workers(self) -> list[int]:
        """Process ids of gunicorn's workers (the children of its master)."""
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@contextmanager
def gunicorn(db_url: str, env: dict | None = None, workers: int = 1, timeout: int = 30):
    """gunicorn sync workers on a free loopback port, stopped afterwards; the server's log
    (Django's warnings and errors) goes to .bench/gunicorn.log."""
    collect_static()
    port = free_port()
    command = [str(GUNICORN), "catalogue.wsgi", "-w", str(workers), "--timeout", str(timeout)]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    LOG.parent.mkdir(exist_ok=True)
    with LOG.open("a") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=django_env(db_url, env), stdout=log_file, stderr=log_file
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", process)
        yield Server(base, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


@dataclass
class Load:
    """What one load run measured."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # answers other than 2xx/3xx, and requests that got no answer
    output: str = ""


_DURATION_RE = re.compile(r"([\d.]+)(us|ms|s|m)\b")


def _ms(text: str) -> float:
    value, unit = _DURATION_RE.search(text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(out: str) -> Load:
    """The figures of wrk's report (run with --latency)."""
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return Load(
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        errors=(int(bad.group(1)) if bad else 0)
        + sum(map(int, sockets.groups() if sockets else [])),
        output=out,
    )


def wrk_command(
    target: str, connections: int, seconds: int, script: Path | None = None, timeout: int = 10
) -> list:
    """wrk with two threads (or one per connection); requests slower than `timeout` s count as
    unanswered."""
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", f"{timeout}s", *(["-s", str(script)] if script else []), target]
    return command


def wrk(url: str, connections: int = 16, seconds: int = 5) -> Load:
    """Ask one URL again and again for `seconds`, then wait until the server has finished.

    wrk leaves the requests still queued when time is up; the server answers them anyway,
    so the next measurement would pay for them: a last request of our own waits them out.
    """
    command = wrk_command(url, connections, seconds, timeout=60)
    load = parse_wrk(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    list(timed_gets(url, 1, 0))
    return load


def _ask_each(base: str, paths: deque, deadline: float, samples: list) -> None:
    """One connection: take paths off the shared queue until it is empty or time is up."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    while time.monotonic() < deadline:
        try:
            path = paths.popleft()
        except IndexError:
            break
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()  # the next request reconnects
            status = 0
        samples.append(((time.perf_counter() - started) * 1000, status))
    connection.close()


def crawl(base: str, paths: deque, connections: int, seconds: float) -> Load:
    """Ask the queued paths, each once, over `connections` keep-alive connections."""
    samples: list[tuple[float, int]] = []
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [
        threading.Thread(target=_ask_each, args=(base, paths, deadline, samples))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    times = sorted(ms for ms, _ in samples) or [0.0]
    return Load(
        requests=len(samples),
        rps=len(samples) / elapsed,
        p50_ms=statistics.median(times),
        p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))],
        errors=sum(1 for _, status in samples if not 200 <= status < 400),
    )


def timed_gets(url: str, count: int, budget: float) -> Iterator[tuple[float, int]]:
    """(milliseconds, status) of up to `count` requests in a row, stopping after `budget` s."""
    deadline = time.monotonic() + budget
    for _ in range(count):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=300) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        yield (time.perf_counter() - started) * 1000, status
        if time.monotonic() > deadline:
            return
