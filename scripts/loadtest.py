"""`make loadtest`: normal and hostile traffic against gunicorn while an import runs.

Inside pg_virtualenv (the Makefile runs it there) on PostgreSQL, or with `--database sqlite`
on a throwaway SQLite file. 10,000 generated cases; gunicorn with WEB_CONCURRENCY (default 2)
sync workers; 60 s of wrk with 32 connections over list, filter, search, detail and JSON
URLs, mixed with hostile requests (the 100-word search, junk parameters on a 500-case JSON
page, a Host header with a port); a client signs in to the admin with a wrong password twice
a second; an import of 2,000 more cases starts 10 s in. Passes when no answer is a 5xx,
every request is answered, no body links to port 1, every worker's peak RSS stays under
250 MB, no worker restarts, and the published count grows by what the import created.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from harness import (
    ENV,
    LOG,
    PYTHON,
    ROOT,
    Load,
    Server,
    django_env,
    gunicorn,
    log,
    manage,
    parse_wrk,
    peak_rss_mb,
    pg_url,
    sqlite_url,
    wrk_command,
)

CASES, IMPORTED, IMPORT_AFTER_S = 10_000, 2_000, 10
RSS_LIMIT_MB = 250
FORGED_HOST = "catalogue.example.org:1"
LONG_QUERY = "/cases/?q=" + "+".join(["a"] * 100)
TITLES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
INTRO = """# Load test

Written by `make loadtest` (`scripts/loadtest.py` on PostgreSQL in pg_virtualenv) and by
`.venv/bin/python scripts/loadtest.py --database sqlite`; each run replaces its own section.

Production mode (`DJANGO_DEBUG=0`, `SITE_URL=http://127.0.0.1`), gunicorn sync workers
(`WEB_CONCURRENCY`, default 2) on loopback, 10,000 generated cases. wrk walks list, filter,
search, detail and JSON URLs at random and mixes in hostile requests:

- 1% the 100-word search (`q=a+a+…`, a hundred times);
- 4% `/cases.json?page_size=500&x=N` with a new junk `x` each time (a 1 MB page, larger
  than `CATALOGUE_CACHE_MAX_BYTES`, so never stored: each one is computed);
- 10% a normal URL with a junk `x=N` added (each a new URL, each the same page in the cache);
- 5% a normal URL with `Host: catalogue.example.org:1` (a host the site accepts, with a port).

Beside it a client signs in to `/admin/` with a wrong password twice a second (the form
fetched first for its CSRF token and cookie): after five failures django-axes answers 429
for that name and address, as it should. `import_cases` of 2,000 more cases starts 10 s in
(it changes the catalogue version, so every cached page is rebuilt once). Every body is
searched for `:1/`, a link built from the forged Host header. wrk gives up on a request
after 10 s: those count as unanswered.
"""
WRK_SCRIPT = """
local paths = {paths}
local long_query = {long_query}
local forged = {{Host = {forged}}}
local threads = {{}}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  statuses = {{}}
  poisoned = 0
  math.randomseed(id * 7919)
end

function request()
  counter = counter + 1
  local roll = math.random(100)
  if roll <= 1 then return wrk.format("GET", long_query) end
  if roll <= 5 then
    return wrk.format("GET", "/cases.json?page_size=500&x=" .. id .. "-" .. counter)
  end
  local path = paths[math.random(#paths)]
  if roll <= 15 then
    local junk = (string.find(path, "?", 1, true) and "&" or "?") .. "x=" .. id .. "-" .. counter
    return wrk.format("GET", path .. junk)
  end
  if roll <= 20 then return wrk.format("GET", path, forged) end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if body and string.find(body, ":1/", 1, true) then poisoned = poisoned + 1 end
end

function done(summary, latency, requests)
  local parts, total_poisoned = {{}}, 0
  local totals = {{}}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
    total_poisoned = total_poisoned + thread:get("poisoned")
  end
  for status, count in pairs(totals) do table.insert(parts, status .. "=" .. count) end
  io.write("STATUSES " .. table.concat(parts, " ") .. "\\n")
  io.write("POISONED " .. total_poisoned .. "\\n")
end
"""


def published_count(base: str) -> int:
    with urllib.request.urlopen(f"{base}/cases.json?page_size=1", timeout=60) as response:
        return json.load(response)["count"]


def normal_paths(base: str) -> list[str]:
    """List, filter, search, page, detail and JSON URLs a visitor would ask."""
    with urllib.request.urlopen(f"{base}/cases.json?page_size=200", timeout=60) as response:
        slugs = [case["slug"] for case in json.load(response)["results"]]
    rng = random.Random(7)
    paths = ["/", "/cases/", "/cases/?sort=recent", "/organizations/", "/themes/"]
    for theme in ("women", "youth", "social-cohesion", "recognizing-the-informal-economy"):
        paths += [f"/cases/?theme={theme}", f"/cases.json?theme={theme}&page_size=50"]
        paths += [f"/cases/?theme={theme}&region={r}" for r in ("africa", "asia", "europe")]
    for word in ("cooperative", "waste", "women", "solidarity", "asociacion", "credit union"):
        paths.append("/cases/?q=" + word.replace(" ", "+"))
    paths += [f"/cases/{slug}/" for slug in rng.sample(slugs, 60)]
    paths += [f"/cases/?page={n}" for n in range(2, 12)]
    return paths


def wrk_script(paths: list[str]) -> str:
    return WRK_SCRIPT.format(
        paths="{" + ", ".join(json.dumps(p) for p in paths) + "}",
        long_query=json.dumps(LONG_QUERY),
        forged=json.dumps(FORGED_HOST),
    )


class SignIns(threading.Thread):
    """Wrong admin sign-ins twice a second until stopped; counts the answers' statuses."""

    def __init__(self, base: str, stop: threading.Event):
        super().__init__()
        self.host, port = base.removeprefix("http://").split(":")
        self.port, self.stop, self.statuses = int(port), stop, Counter()

    def run(self) -> None:
        names = ["editor", "ｅｄｉｔｏｒ"]  # the fullwidth name is the same account to Django
        while not self.stop.wait(0.5):
            try:
                self.statuses[self.attempt(names[sum(self.statuses.values()) % 2])] += 1
            except (OSError, http.client.HTTPException):
                self.statuses[0] += 1  # no answer

    def attempt(self, username: str) -> int:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        connection.request("GET", "/admin/login/")
        page = connection.getresponse()
        body = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", ""))
        if page.status != 200 or not token or not cookie:
            return page.status
        form = {"csrfmiddlewaretoken": token[1], "username": username, "password": "wrong"}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie[1]}",
        }
        connection.request("POST", "/admin/login/?next=/admin/", urlencode(form), headers)
        answer = connection.getresponse()
        answer.read()
        connection.close()
        return answer.status


class MemoryWatch(threading.Thread):
    """Peak RSS of every gunicorn worker, read each second (workers that die keep theirs)."""

    def __init__(self, server: Server, stop: threading.Event):
        super().__init__()
        self.server, self.stop, self.peaks = server, stop, {}

    def run(self) -> None:
        while True:
            self.read()
            if self.stop.wait(1):
                return

    def read(self) -> None:
        for pid in self.server.workers():
            # A worker may exit between the listing and the reading.
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak_rss_mb(pid))


@dataclass
class Run:
    """What one load test saw."""

    paths: int
    workers: int
    load: Load
    sign_ins: Counter
    peaks: dict[int, float]
    before: int
    after: int
    import_seconds: float
    import_summary: str
    server_log: str
    statuses: Counter = field(default_factory=Counter)
    poisoned: int = 0

    def __post_init__(self):
        out = self.load.output
        found = re.search(r"^STATUSES (.*)$", out, re.M)
        pairs = (item.split("=") for item in found[1].split()) if found else []
        self.statuses = Counter({int(status): int(count) for status, count in pairs})
        self.poisoned = int(re.search(r"^POISONED (\d+)$", out, re.M)[1])


def run_import(db_url: str, text: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(PYTHON), "manage.py", "import_cases", str(text)],
        cwd=ROOT,
        env=django_env(db_url),
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def under_load(server: Server, db_url: str, text: Path, args, work: Path) -> Run:
    before, paths = published_count(server.base), normal_paths(server.base)
    script = work / "mixed.lua"
    script.write_text(wrk_script(paths))
    workers, log_start = len(server.workers()), LOG.stat().st_size
    stop = threading.Event()
    watch, sign_ins = MemoryWatch(server, stop), SignIns(server.base, stop)
    log(f"{args.duration} s of traffic, {args.connections} connections, {workers} workers")
    command = wrk_command(server.base, args.connections, args.duration, script)
    load = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    for thread in (watch, sign_ins):
        thread.start()
    time.sleep(IMPORT_AFTER_S)
    log("importing 2,000 more cases")
    seconds, summary = run_import(db_url, text)
    out, _ = load.communicate(timeout=args.duration + 60)
    stop.set()
    for thread in (watch, sign_ins):
        thread.join()
    after = published_count(server.base)  # waits for requests still running
    watch.read()  # a worker restarted by now shows up as one more process
    return Run(
        paths=len(paths),
        workers=workers,
        load=parse_wrk(out),
        sign_ins=sign_ins.statuses,
        peaks=watch.peaks,
        before=before,
        after=after,
        import_seconds=seconds,
        import_summary=summary,
        server_log=LOG.read_bytes()[log_start:].decode(errors="replace"),
    )


def checks(run: Run) -> dict[str, bool]:
    created = int(re.search(r"cases: created (\d+)", run.import_summary)[1])
    answers = run.statuses + run.sign_ins
    return {
        "no 5xx answer": not any(count for status, count in answers.items() if status >= 500),
        "every request answered": "Socket errors" not in run.load.output and not run.sign_ins[0],
        "no body links to port 1": run.poisoned == 0,
        f"every worker's peak RSS under {RSS_LIMIT_MB} MB": max(run.peaks.values()) < RSS_LIMIT_MB,
        "no worker timed out or restarted": len(run.peaks) == run.workers
        and "WORKER TIMEOUT" not in run.server_log,
        "published count grew by what the import created": run.after - run.before == created,
    }


def report(run: Run, database: str, args) -> tuple[bool, str]:
    """The run's section of docs/loadtest.md, and whether every check passed."""
    passed = checks(run)
    socket_errors = re.search(r"Socket errors: (.*)", run.load.output)
    fivexx = sum(count for status, count in (run.statuses + run.sign_ins).items() if status >= 500)
    lines = [
        f"{database}; {run.workers} gunicorn sync workers (counted); `wrk -t2 -c{args.connections}"
        f" -d{args.duration}s` over {run.paths} URLs plus the hostile mix.",
        "",
        "| measure | result |",
        "|---|---|",
        f"| requests (wrk) | {run.load.requests:,} ({run.load.rps:,.0f} req/s) |",
        f"| latency p50 / p99 | {run.load.p50_ms:,.1f} ms / {run.load.p99_ms:,.1f} ms |",
        f"| answers by status (wrk) | {', '.join(f'{s}: {n:,}' for s, n in sorted(run.statuses.items()))} |",
        f"| wrong sign-ins by status | {', '.join(f'{s}: {n:,}' for s, n in sorted(run.sign_ins.items()))} |",
        f"| 5xx answers | {fivexx} |",
        f"| requests without an answer | {socket_errors[1] if socket_errors else 'none'} |",
        f"| bodies linking to port 1 | {run.poisoned} |",
        f"| worker timeouts (gunicorn's log) | {run.server_log.count('WORKER TIMEOUT')} |",
        f"| peak RSS per worker | {', '.join(f'{mb:.0f} MB' for mb in run.peaks.values())} |",
        f"| import under load | {run.import_seconds:.1f} s: `{run.import_summary}` |",
        f"| published cases before → after | {run.before:,} → {run.after:,} (+{run.after - run.before:,}) |",
        "",
        *[f"- {'pass' if ok else '**FAIL**'}: {name}" for name, ok in passed.items()],
        "",
        f"Verdict: {'pass' if all(passed.values()) else '**fail**'}.",
        "",
    ]
    return all(passed.values()), "\n".join(lines)


def write_section(path: Path, title: str, body: str) -> None:
    """Replace this database's section of the report, keeping the other's."""
    sections = {}
    if path.exists():
        for chunk in path.read_text(encoding="utf-8").split("\n## ")[1:]:
            name, _, rest = chunk.partition("\n")
            sections[name] = rest.strip("\n")
    sections[title] = body.strip("\n")
    parts = [INTRO, *(f"## {name}\n\n{sections[name]}\n" for name in sorted(sections))]
    path.write_text("\n".join(parts), encoding="utf-8")
    log(f"wrote {path}")


def database_url(database: str, work: Path) -> tuple[str, str]:
    """The database to load, and how the report names it."""
    if database == "sqlite":
        return sqlite_url(work / "loadtest.sqlite3"), f"SQLite {sqlite3.sqlite_version}"
    if "PGHOST" not in os.environ:
        sys.exit("run inside pg_virtualenv (`make loadtest`), or pass --database sqlite")
    url = pg_url()
    code = "from django.db import connection as c; print(c.cursor().connection.info.server_version)"
    version = int(manage(url, "shell", "-c", code).split()[-1])
    return url, f"PostgreSQL {version // 10000}.{version % 10000} (pg_virtualenv)"


def prepare(url: str, work: Path) -> Path:
    """Migrate and generate the catalogue; the seed text of the cases imported under load."""
    log(f"migrating and generating {CASES:,} cases")
    manage(url, "migrate", "--noinput", "-v0")
    manage(url, "generate_cases", str(CASES), "--seed", "1")
    text = work / "more-cases.txt"
    manage(url, "generate_cases", str(IMPORTED), "--seed", "2", "--as-text", str(text))
    return text


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=sorted(TITLES), default="postgresql")
    parser.add_argument("--duration", type=int, default=60, help="seconds of traffic")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--output", default=str(ROOT / "docs" / "loadtest.md"))
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    try:
        url, database = database_url(args.database, work)
        text = prepare(url, work)
        hosts = {"DJANGO_ALLOWED_HOSTS": f"{ENV['DJANGO_ALLOWED_HOSTS']},catalogue.example.org"}
        workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
        with gunicorn(url, hosts, workers=workers) as server:
            run = under_load(server, url, text, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ok, section = report(run, database, args)
    print(section)
    write_section(Path(args.output), TITLES[args.database], section)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
