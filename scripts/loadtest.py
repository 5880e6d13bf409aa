"""`make loadtest`: mixed traffic against gunicorn on PostgreSQL while an import runs.

Run inside `pg_virtualenv` (the Makefile does). 10,000 generated cases; 60 s of wrk
with 32 connections over list, filter, search, detail and JSON URLs on loopback; an
import of 2,000 more cases starts 10 s in. Passes when there are no errors and no 5xx,
and the published count grew by exactly what the import says it created.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ENV, PYTHON, ROOT, gunicorn, log, manage, pg_url

CASES, IMPORTED, DURATION, CONNECTIONS = 10_000, 2_000, 60, 32


def published_count(base: str) -> int:
    with urllib.request.urlopen(f"{base}/cases.json?page_size=1", timeout=30) as response:
        return json.load(response)["count"]


def mixed_paths(base: str) -> list[str]:
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
    quoted = ", ".join(json.dumps(p) for p in paths)
    return (
        f"local paths = {{{quoted}}}\n"
        "math.randomseed(os.time())\n"
        "request = function()\n"
        "  return wrk.format('GET', paths[math.random(#paths)])\n"
        "end\n"
    )


def main() -> None:
    url = pg_url()
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    log("migrating and generating 10,000 cases on PostgreSQL")
    manage(url, "migrate", "--noinput", "-v0")
    manage(url, "generate_cases", str(CASES), "--seed", "1")
    text = work / "more-cases.txt"
    manage(url, "generate_cases", str(IMPORTED), "--seed", "2", "--as-text", str(text))

    with gunicorn(url, workers=4) as (base, _):
        before = published_count(base)
        paths = mixed_paths(base)
        script = work / "mixed.lua"
        script.write_text(wrk_script(paths))
        log(f"{DURATION} s of mixed traffic, {CONNECTIONS} connections; import starts at 10 s")
        load = subprocess.Popen(
            [
                "wrk",
                "-t4",
                f"-c{CONNECTIONS}",
                f"-d{DURATION}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(10)
        started = time.perf_counter()
        imported = subprocess.run(
            [str(PYTHON), "manage.py", "import_cases", str(text)],
            cwd=ROOT,
            env={**os.environ, **ENV, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        import_seconds = time.perf_counter() - started
        out, _ = load.communicate(timeout=DURATION + 60)
        after = published_count(base)

    created = int(re.search(r"cases: created (\d+)", imported.stdout).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    non_ok = int(bad.group(1)) if bad else 0
    ok = non_ok == 0 and socket_errors is None and after - before == created

    report = [
        "# Load test",
        "",
        "Written by `make loadtest` (`scripts/loadtest.py`): gunicorn with 4 sync workers on",
        "PostgreSQL 15 (pg_virtualenv), 10,000 generated cases, `wrk -t4 -c32 -d60s` over",
        f"{len(paths)} list, filter, search, detail and JSON",
        "URLs on loopback; `import_cases` of 2,000 more cases starts 10 s in.",
        "",
        "| measure | result |",
        "|---|---|",
        f"| requests | {requests:,} ({rps:,.0f} req/s) |",
        f"| latency p50 / p99 | {p50} / {p99} |",
        f"| non-2xx/3xx responses | {non_ok} |",
        f"| socket errors | {socket_errors.group(1) if socket_errors else 'none'} |",
        f"| import under load | {import_seconds:.1f} s: `{imported.stdout.strip().splitlines()[-1]}` |",
        f"| published cases before → after | {before:,} → {after:,} (+{after - before:,}) |",
        f"| import says it created | {created:,} |",
        f"| verdict | {'pass' if ok else '**fail**'} |",
    ]
    target = ROOT / "docs" / "loadtest.md"
    target.write_text("\n".join(report) + "\n", encoding="utf-8")
    log(f"wrote {target.relative_to(ROOT)}")
    print("\n".join(report))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
