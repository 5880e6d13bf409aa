"""CPU per request, in process: each URL asked through the WSGI handler (no server, no
client), production settings, the page cache bypassed (CATALOGUE_CACHE_SECONDS=0), the
catalogue index built first. Prints the median and the minimum of --runs requests per URL;
`--profile` prints cProfile's view of the first URL instead.

    .venv/bin/python scripts/cpu_per_request.py .bench/catalogue-10000.sqlite3 [URL ...]

Without URLs: /healthz, a theme's list, a search, a case page and a JSON page of 50 (what
docs/performance.md reports). `make bench` builds the catalogues in .bench/.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from harness import ENV, ROOT, collect_static, sqlite_url

DEFAULT_URLS = [
    "/healthz",
    "/cases/?theme=women",
    "/cases/?q=cooperative",
    "/cases/{case}/",
    "/cases.json?theme=women&page_size=50",
]


def application(db_url: str, index: str):
    collect_static()  # production settings serve the manifest's names
    os.environ.update(ENV)
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "CATALOGUE_CACHE_SECONDS": "0",
            "CATALOGUE_INDEX": index,
            "CATALOGUE_RELEASE": "cpu-per-request",  # no hashing of the files at start-up
            "DJANGO_SETTINGS_MODULE": "catalogue.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def asker(app):
    """get(url) -> the body, through the WSGI handler; anything but 200 is an error."""

    def get(url: str) -> bytes:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        statuses = []
        body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{url} answered {statuses[0]}")
        return body

    return get


def a_case(db: Path) -> str:
    """The slug of the 101st published case, as `make bench` asks for."""
    with sqlite3.connect(db) as conn:
        sql = (
            "SELECT slug FROM cases_case WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 100"
        )
        return conn.execute(sql).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "db", type=Path, help="a SQLite catalogue, e.g. .bench/catalogue-10000.sqlite3"
    )
    parser.add_argument("urls", nargs="*", help="{case} stands for a case's slug")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--database-url",
        help="serve from this database instead (the same generated cases, e.g. on PostgreSQL);"
        " times are then wall time, which includes the database server's work",
    )
    parser.add_argument("--index", default="inline", choices=["inline", "off"])
    parser.add_argument("--profile", action="store_true", help="cProfile the first URL")
    parser.add_argument(
        "--sort", default="cumulative", help="the profile's order: cumulative, tottime…"
    )
    args = parser.parse_intermixed_args()
    get = asker(application(args.database_url or sqlite_url(args.db.resolve()), args.index))
    clock = time.perf_counter if args.database_url else time.process_time
    urls = [url.format(case=a_case(args.db)) for url in args.urls or DEFAULT_URLS]
    for url in urls:
        for _ in range(3):  # the index, the template cache, the kept cards
            get(url)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [get(urls[0]) for _ in range(args.runs)])
        pstats.Stats(profile).sort_stats(args.sort).print_stats(60)
        return
    for url in urls:
        times = []
        for _ in range(args.runs):
            started = clock()
            get(url)
            times.append((clock() - started) * 1000)
        print(f"{statistics.median(times):7.2f} ms (min {min(times):6.2f})  {url}")


if __name__ == "__main__":
    main()
