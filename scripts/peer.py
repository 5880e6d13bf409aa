"""Datasette beside the catalogue (`make bench-peer`): the same published cases, flattened.

Datasette serves them as one table (themes and organization kinds as JSON arrays, FTS5 over
title, description, organizations and contacts), with `default_page_size` 20, facet and SQL
time limits raised so that every facet is computed, and facet suggestions off (the catalogue
suggests none). It is installed from PyPI into .bench/datasette-venv on first use.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from harness import ROOT, free_port, log, wait_for

PEER_VENV = ROOT / ".bench" / "datasette-venv"
FACETS = "_facet=region&_facet=country&_facet_array=themes&_facet_array=kinds"
# The catalogue's filter parameters as Datasette's column filters.
FILTERS = {
    "theme": "themes__arraycontains",
    "kind": "kinds__arraycontains",
    "region": "region",
    "country": "country",
}
SETTINGS = {
    "default_page_size": "20",
    "facet_time_limit_ms": "10000",
    "sql_time_limit_ms": "10000",
    "num_sql_threads": "1",
    "suggest_facets": "off",
}


def ensure_peer() -> None:
    if (PEER_VENV / "bin" / "datasette").exists():
        return
    log("installing Datasette into .bench/datasette-venv")
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(PEER_VENV / "bin" / "pip"), "install", "-q", "datasette>=0.65,<1"]
    subprocess.run(pip, check=True)


def _groups(rows) -> dict:
    grouped: dict = {}
    for key, *values in rows:
        grouped.setdefault(key, []).append(values[0] if len(values) == 1 else tuple(values))
    return grouped


def _flat_cases(src: sqlite3.Connection) -> list[tuple]:
    """One row per published case, its themes, kinds, organizations and contacts inline."""
    themes = _groups(
        src.execute(
            "SELECT ct.case_id, t.slug FROM cases_case_themes ct JOIN cases_theme t"
            " ON t.id = ct.theme_id ORDER BY t.slug"
        )
    )
    orgs = _groups(
        src.execute(
            "SELECT co.case_id, o.name, o.kind, ct.name FROM cases_caseorganization co"
            " JOIN cases_organization o ON o.id = co.organization_id"
            " LEFT JOIN cases_contact ct ON ct.id = co.contact_id"
            " ORDER BY co.case_id, co.position"
        )
    )
    cases = src.execute(
        "SELECT c.id, c.slug, c.title, c.description, r.slug, c.country, c.city,"
        " c.marked_absent FROM cases_case c LEFT JOIN cases_region r ON r.id = c.region_id"
        " WHERE c.status = 'published'"
    )
    return [
        (
            *fields[:7],
            json.dumps(themes.get(fields[0], [])),
            json.dumps(sorted({kind for _, kind, _ in orgs.get(fields[0], [])})),
            "; ".join(name for name, _, _ in orgs.get(fields[0], [])),
            "; ".join(contact for _, _, contact in orgs.get(fields[0], []) if contact),
            fields[7],
        )
        for fields in cases
    ]


def build_peer_database(source: Path) -> Path:
    """The catalogue at `source` flattened for Datasette, with indexes and FTS5."""
    target = source.with_name(f"peer-{source.stem}.db")
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        dst.execute(
            "CREATE TABLE cases (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, description TEXT,"
            " region TEXT, country TEXT, city TEXT, themes TEXT, kinds TEXT, organizations TEXT,"
            " contacts TEXT, marked_absent INTEGER)"
        )
        dst.executemany(f"INSERT INTO cases VALUES ({', '.join('?' * 12)})", _flat_cases(src))
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


@contextmanager
def datasette(db: Path):
    """Datasette serving `db` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [str(PEER_VENV / "bin" / "datasette"), "serve", str(db), "-h", "127.0.0.1"]
    command += ["-p", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def table(db: Path) -> str:
    return f"/{db.stem}/cases"


def list_path(db: Path, filters: list[tuple[str, str]]) -> str:
    """Datasette's faceted list for the catalogue's filters."""
    query = "&".join(f"{FILTERS[name]}={value}" for name, value in filters)
    return f"{table(db)}?{query + '&' if query else ''}{FACETS}"


def json_path(db: Path, filters: list[tuple[str, str]], size: int) -> str:
    query = "".join(f"{FILTERS[name]}={value}&" for name, value in filters)
    return f"{table(db)}.json?{query}_size={size}&_shape=objects"


def search_path(db: Path, words: str) -> str:
    return f"{table(db)}?_search={words.replace(' ', '+')}&{FACETS}"
