"""The catalogue's benchmark: `make bench` (and `make bench-peer` with Datasette beside it).

Generates synthetic catalogues, serves them with one gunicorn sync worker on loopback,
loads them with wrk (-t2 -c16 -d10s, median of 3 runs) and writes docs/benchmarks.md.
Every request goes to 127.0.0.1 only, and every load is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PEER_VENV = BENCH / "datasette-venv"
SEED = 1
ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "http://127.0.0.1",
}


@dataclass
class Result:
    name: str
    target: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    runs: list[float] = field(default_factory=list)
    note: str = ""


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(db: Path | str, *args: str, env: dict | None = None) -> str:
    full_env = {**os.environ, **ENV, "DATABASE_URL": str(db), **(env or {})}
    done = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def build_catalogue(n: int) -> Path:
    """A SQLite catalogue of n generated cases (5% drafts), rebuilt only when missing."""
    path = BENCH / f"catalogue-{n}.sqlite3"
    if path.exists():
        manage(sqlite_url(path), "migrate", "--noinput", "-v0")  # catalogues outlive migrations
        return path
    BENCH.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    log(f"generating {n} cases into {partial.name}")
    manage(sqlite_url(partial), "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    out = manage(
        sqlite_url(partial), "generate_cases", str(n), "--seed", str(SEED), "--draft-ratio", "0.05"
    )
    log(f"  {out.strip()} ({time.perf_counter() - started:.1f} s)")
    partial.rename(path)
    return path


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def gunicorn(db_url: str, env: dict | None = None, workers: int = 1):
    port = free_port()
    full_env = {**os.environ, **ENV, "DATABASE_URL": db_url, **(env or {})}
    subprocess.run(
        [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=full_env,
        check=True,
    )
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "catalogue.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=full_env,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def datasette(db: Path):
    port = free_port()
    process = subprocess.Popen(
        [
            str(PEER_VENV / "bin" / "datasette"),
            "serve",
            str(db),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--setting",
            "default_page_size",
            "20",
            "--setting",
            "facet_time_limit_ms",
            "10000",
            "--setting",
            "sql_time_limit_ms",
            "10000",
            "--setting",
            "num_sql_threads",
            "1",
            "--setting",
            "suggest_facets",
            "off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


_DURATION_RE = re.compile(r"([\d.]+)(us|ms|s|m)\b")


def _ms(text: str) -> float:
    value, unit = _DURATION_RE.search(text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, duration: int) -> tuple[float, float, float, int]:
    """(req/s, p50 ms, p99 ms, non-2xx/3xx responses) of one wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "--timeout", "10s", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: .*timeout (\d+)", out)
    count = int(errors.group(1)) if errors else 0
    count += int(socket_errors.group(1)) if socket_errors else 0
    return rps, p50, p99, count


def measure(name: str, url: str, target: str, runs: int, duration: int) -> Result:
    with urllib.request.urlopen(url, timeout=60) as response:  # warm up and check it works
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        response.read()
    samples = [wrk(url, duration) for _ in range(runs)]
    median = sorted(samples, key=lambda s: s[0])[len(samples) // 2]
    result = Result(name, target, *median[:3], errors=sum(s[3] for s in samples))
    result.runs = [round(s[0], 1) for s in samples]
    log(f"  {name}: {result.rps:.0f} req/s (runs {result.runs}), p50 {result.p50_ms:.1f} ms")
    return result


def published_slug(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT slug FROM cases_case WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 100"
        ).fetchone()
    return row[0]


def single_request_p50(urls: list[str]) -> float:
    times = []
    for url in urls:
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of gunicorn's worker, the child of the master pid."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def csv_stream(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    rows = 0
    with urllib.request.urlopen(url, timeout=600) as response:
        # A light client, like wrk: count line ends in large reads (no field holds one).
        while block := response.read(1 << 20):
            rows += block.count(b"\n")
    return rows - 1, time.perf_counter() - started


def time_import(db_url: str, text_file: Path) -> tuple[float, float]:
    manage(db_url, "migrate", "--noinput", "-v0")
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        manage(db_url, "import_cases", str(text_file))
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def import_benchmark(n: int) -> dict:
    text_file = BENCH / f"cases-{n}.txt"
    if not text_file.exists():
        log(f"writing {n} cases as seed text")
        manage(
            sqlite_url(BENCH / "scratch.sqlite3"),
            "generate_cases",
            str(n),
            "--seed",
            str(SEED),
            "--as-text",
            str(text_file),
        )
    results = {}
    db = BENCH / "import.sqlite3"
    db.unlink(missing_ok=True)
    log("timing import_cases on SQLite")
    results["sqlite"] = time_import(sqlite_url(db), text_file)
    if shutil.which("pg_virtualenv"):
        log("timing import_cases on PostgreSQL (pg_virtualenv)")
        out = subprocess.run(
            ["pg_virtualenv", str(PYTHON), str(Path(__file__)), "--import-pg", str(text_file)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(line for line in out.splitlines() if line.startswith("RESULT "))
        results["postgresql"] = tuple(json.loads(line.removeprefix("RESULT ")))
    return results


def pg_url() -> str:
    """The database of the pg_virtualenv this process runs in."""
    return "postgres://{PGUSER}:{PGPASSWORD}@{PGHOST}:{port}/{PGDATABASE}".format(
        port=os.environ.get("PGPORT", "5432"), **os.environ
    )


def import_pg(text_file: str) -> None:
    url = pg_url()
    print("RESULT " + json.dumps(time_import(url, Path(text_file))))


def build_peer_database(source: Path) -> Path:
    """The same catalogue flattened for Datasette: themes and kinds as JSON arrays, FTS5."""
    target = BENCH / "peer.db"
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        dst.execute(
            "CREATE TABLE cases (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, description TEXT,"
            " region TEXT, country TEXT, city TEXT, themes TEXT, kinds TEXT, organizations TEXT,"
            " contacts TEXT, marked_absent INTEGER)"
        )
        cases = src.execute(
            "SELECT c.id, c.slug, c.title, c.description, r.slug, c.country, c.city,"
            " c.marked_absent FROM cases_case c LEFT JOIN cases_region r ON r.id = c.region_id"
            " WHERE c.status = 'published'"
        ).fetchall()
        themes, orgs = {}, {}
        for case_id, slug in src.execute(
            "SELECT ct.case_id, t.slug FROM cases_case_themes ct JOIN cases_theme t"
            " ON t.id = ct.theme_id ORDER BY t.slug"
        ):
            themes.setdefault(case_id, []).append(slug)
        for case_id, name, kind, contact in src.execute(
            "SELECT co.case_id, o.name, o.kind, ct.name FROM cases_caseorganization co"
            " JOIN cases_organization o ON o.id = co.organization_id"
            " LEFT JOIN cases_contact ct ON ct.id = co.contact_id ORDER BY co.case_id, co.position"
        ):
            orgs.setdefault(case_id, []).append((name, kind, contact))
        dst.executemany(
            "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    case_id,
                    slug,
                    title,
                    description,
                    region,
                    country,
                    city,
                    json.dumps(themes.get(case_id, [])),
                    json.dumps(sorted({kind for _, kind, _ in orgs.get(case_id, [])})),
                    "; ".join(name for name, _, _ in orgs.get(case_id, [])),
                    "; ".join(c for _, _, c in orgs.get(case_id, []) if c),
                    absent,
                )
                for case_id, slug, title, description, region, country, city, absent in cases
            ],
        )
        for column in ("region", "country"):
            dst.execute(f"CREATE INDEX cases_{column} ON cases ({column})")
        dst.execute(
            "CREATE VIRTUAL TABLE cases_fts USING fts5(title, description, organizations,"
            " contacts, content='cases', content_rowid='id')"
        )
        dst.execute(
            "INSERT INTO cases_fts (rowid, title, description, organizations, contacts)"
            " SELECT id, title, description, organizations, contacts FROM cases"
        )
    return target


def ensure_peer() -> None:
    if (PEER_VENV / "bin" / "datasette").exists():
        return
    log("installing Datasette into .bench/datasette-venv")
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(PEER_VENV / "bin" / "pip"), "install", "-q", "datasette>=0.65,<1"], check=True
    )


def machine_facts() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores; memory {memory / 1024 / 1024:.0f} GiB",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {wrk_version.strip()}",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def write_report(path: Path, sections: list[str]) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(sections) + "\n", encoding="utf-8")
    log(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000, help="0 skips the large catalogue")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--peer", action="store_true", help="also measure Datasette")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--import-pg", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_pg:
        import_pg(args.import_pg)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it from Debian's packages")

    db = build_catalogue(args.cases)
    slug = published_slug(db)
    workloads = [
        ("`/healthz` (floor)", "/healthz", None),
        ("`/cases/?theme=women`", "/cases/?theme=women", 150),
        ("`/cases/?q=cooperative`", "/cases/?q=cooperative", 100),
        ("`/cases/<slug>/`", f"/cases/{slug}/", 400),
        ("`/cases.json?theme=women&page_size=50`", "/cases.json?theme=women&page_size=50", 300),
    ]
    results: dict[str, list[Result]] = {}
    for mode, env in (("cached", {}), ("no cache", {"CATALOGUE_CACHE_SECONDS": "0"})):
        log(f"{args.cases} cases, gunicorn (1 sync worker), {mode}")
        with gunicorn(sqlite_url(db), env) as (base, _):
            results[mode] = [
                measure(
                    name,
                    base + url,
                    f"≥ {target} req/s" if target else "measured",
                    args.runs,
                    args.duration,
                )
                for name, url, target in workloads
            ]
    floor = results["cached"][0].rps

    peer: list[Result] = []
    if args.peer:
        ensure_peer()
        peer_db = build_peer_database(db)
        facets = "_facet=region&_facet=country&_facet_array=themes&_facet_array=kinds"
        with sqlite3.connect(peer_db) as conn:
            peer_id = conn.execute("SELECT id FROM cases WHERE slug = ?", (slug,)).fetchone()[0]
        log("Datasette, same data")
        with datasette(peer_db) as base:
            peer_workloads = [
                ("`/healthz` equivalent (`/-/versions.json`)", "/-/versions.json"),
                (
                    "list, theme women, 4 facets",
                    f"/peer/cases?themes__arraycontains=women&{facets}",
                ),
                ("search `cooperative`, 4 facets", f"/peer/cases?_search=cooperative&{facets}"),
                ("case detail (row page)", f"/peer/cases/{peer_id}"),
                (
                    "JSON, theme women, 50 rows",
                    "/peer/cases.json?themes__arraycontains=women&_size=50",
                ),
            ]
            peer = [measure(n, base + u, "", args.runs, args.duration) for n, u in peer_workloads]

    big_rows = []
    if args.big:
        big = build_catalogue(args.big)
        log(f"{args.big} cases")
        combos = [
            f"/cases/?theme={t}&region={r}"
            for t in ("women", "youth", "social-cohesion")
            for r in ("africa", "asia", "europe", "latin-america")
        ]
        with gunicorn(sqlite_url(big), {"CATALOGUE_CACHE_SECONDS": "0"}) as (base, _):
            cold = single_request_p50([base + u for u in combos])
        with gunicorn(sqlite_url(big)) as (base, process):
            warm = single_request_p50([base + "/cases/?theme=women"] * 21)
            rows, seconds = csv_stream(base + "/cases.csv")
            rss = peak_rss_mb(process.pid)
        big_rows = [
            (
                "list page, single request, p50, facets cached (same URL 21×)",
                "≤ 100 ms",
                f"{warm:.0f} ms",
                warm <= 100,
            ),
            (
                "list page, single request, p50, no cache (12 filter combinations)",
                "≤ 100 ms",
                f"{cold:.0f} ms",
                cold <= 100,
            ),
            (
                "`/cases.csv`, every published case",
                "≥ 20,000 rows/s",
                f"{rows / seconds:,.0f} rows/s ({rows:,} rows in {seconds:.1f} s)",
                rows / seconds >= 20_000,
            ),
            ("gunicorn worker peak RSS during the CSV", "≤ 200 MB", f"{rss:.0f} MB", rss <= 200),
        ]

    for row in big_rows:
        log(f"  {row[0]}: {row[2]}")
    imports = {} if args.skip_import else import_benchmark(args.cases)
    for name, (first, again) in imports.items():
        log(f"  import on {name}: {first:.1f} s, unchanged re-import {again:.1f} s")

    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.py`); `make bench-peer` adds Datasette on the same data.",
        "One gunicorn sync worker, SQLite, `DJANGO_DEBUG=0`; load from `wrk -t2 -c16 -d"
        f"{args.duration}s` on loopback; each figure is the median of {args.runs} runs (all runs listed).",
        "Absolute numbers vary up to 2× between runs on this shared machine: compare the ratios,",
        "which are measured in the same run.",
        "",
        *[f"- {fact}" for fact in machine_facts()],
        "",
        f"## {args.cases:,} cases (5% drafts), facets cached by catalogue version",
        "",
        "| workload | target | req/s | p50 | p99 | × of `/healthz` | errors | runs (req/s) | |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results["cached"]:
        target = int(r.target.split()[1]) if r.target.startswith("≥") else None
        lines.append(
            f"| {r.name} | {r.target} | {r.rps:,.0f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms | "
            f"{r.rps / floor:.2f} | {r.errors} | {r.runs} | {verdict(target and r.rps >= target)} |"
        )
    lines += [
        "",
        "Within 5× of `/healthz` (the stretch goal) means a ratio of at least 0.20.",
        "",
        "### Same workloads with the cache disabled (`CATALOGUE_CACHE_SECONDS=0`)",
        "",
        "| workload | req/s | p50 | p99 | runs |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [
        f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms | {r.runs} |"
        for r in results["no cache"]
    ]
    if peer:
        lines += [
            "",
            "## Side by side with Datasette (same data, same run)",
            "",
            "Datasette serves the same published cases flattened into one table (themes and",
            "organization kinds as JSON arrays, FTS5 over title, description, organizations and",
            "contacts), with `default_page_size` 20, facet/SQL time limits raised so that every",
            "facet is computed, and facet suggestions off (the catalogue suggests none).",
            "",
            "| workload | catalogue req/s | catalogue, no cache | Datasette req/s | Datasette p50 |"
            " catalogue ÷ Datasette | no cache ÷ Datasette |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for ours, cold, theirs in zip(results["cached"], results["no cache"], peer, strict=True):
            lines.append(
                f"| {theirs.name} | {ours.rps:,.0f} | {cold.rps:,.0f} | {theirs.rps:,.0f} | "
                f"{theirs.p50_ms:.1f} ms | {ours.rps / theirs.rps:.1f}× | "
                f"{cold.rps / theirs.rps:.1f}× |"
            )
        ratio = results["cached"][1].rps / peer[1].rps
        cold_ratio = results["no cache"][1].rps / peer[1].rps
        lines += [
            "",
            f"List page with facets: {ratio:.1f}× Datasette (target ≥ 10×: {verdict(ratio >= 10)});",
            f"with every cache switched off it is {cold_ratio:.1f}× Datasette.",
        ]
    if big_rows:
        lines += [
            "",
            f"## {args.big:,} cases",
            "",
            "| measure | target | result | |",
            "|---|---|---|---|",
        ]
        lines += [f"| {a} | {b} | {c} | {verdict(d)} |" for a, b, c, d in big_rows]
    if imports:
        lines += [
            "",
            f"## `import_cases` of a {args.cases:,}-case text file",
            "",
            "| database | first import | target | unchanged re-import | target |",
            "|---|---:|---|---:|---|",
        ]
        for name, limit in (("sqlite", 20), ("postgresql", 30)):
            if name in imports:
                first, again = imports[name]
                lines.append(
                    f"| {name} | {first:.1f} s | ≤ {limit} s {verdict(first <= limit)} | "
                    f"{again:.1f} s | ≤ 10 s {verdict(again <= 10)} |"
                )
    write_report(Path(args.output), lines)


if __name__ == "__main__":
    main()
