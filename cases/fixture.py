"""The built fixture (fixtures/catalogue.json): the merged catalogue as Django fixture JSON.

Deterministic to the byte; its rows come from the importer's row functions, so loading it
gives what importing the same sources gives.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import seed
from .editorial import load_editorial
from .importer import (
    Catalogue,
    case_row,
    case_status,
    claim_slug,
    contact_row,
    merge,
    organization_row,
    search_fields,
    vocabulary_row,
)
from .models import name_key

# Fixed so a rebuild of the same sources is byte-identical.
FIXTURE_TIMESTAMP = "2026-01-01T00:00:00Z"

# Each model's fields in the order the fixture lists them, with the values of a row whose
# record states nothing more.
THEME = {"name": "", "slug": "", "description": ""}
REGION = {"name": "", "slug": ""}
ORGANIZATION = {
    "name": "",
    "slug": "",
    "kind": "",
    "source_name": "",
    "name_key": "",
    "country": "",
    "website": "",
    "edited_fields": [],
}
CONTACT = {
    "organization": None,
    "honorific": "",
    "name": "",
    "source_name": "",
    "role": "",
    "email": "",
    "edited_fields": [],
}
CASE = {
    "title": "",
    "slug": "",
    "description": "",
    "region": None,
    "country": "",
    "city": "",
    "themes": [],
    "status": "",
    "marked_absent": False,
    "source_file": "",
    "source_line": None,
    "source_title": "",
    "source_facts": [],
    "edited_fields": [],
    "search_text": "",
    "search_title": "",
    "created_at": FIXTURE_TIMESTAMP,
    "updated_at": FIXTURE_TIMESTAMP,
}


def build_fixture(source: Path) -> str:
    """The fixture built from the seed files (*.txt) and editorial.toml in the source folder."""
    files = [seed.parse_file(path) for path in sorted(source.glob("*.txt"))]
    if not files:
        raise seed.SeedError(str(source), None, "no seed files (*.txt) in the source folder")
    editorial_path = source / "editorial.toml"
    editorial = load_editorial(editorial_path) if editorial_path.exists() else None
    return catalogue_fixture(merge(files, editorial))


def catalogue_fixture(catalogue: Catalogue) -> str:
    """The merged catalogue as a Django fixture with natural keys, deterministic to the byte."""
    descriptions = catalogue.theme_descriptions
    records = [
        *_record("theme", THEME, *(vocabulary_row(name, descriptions) for name in seed.THEMES)),
        *_record("region", REGION, *(vocabulary_row(name, {}) for name in seed.REGIONS)),
        *_organization_records(catalogue),
        *_case_records(catalogue),
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _record(model: str, fields: dict, *rows: dict) -> list[dict]:
    """Fixture records of the model, each row over the model's fields in fixture order."""
    return [{"model": f"cases.{model}", "fields": fields | row} for row in rows]


def _organization_records(catalogue: Catalogue) -> list[dict]:
    """Organizations by name, each followed by its contacts by name."""
    records, slugs = [], set()
    for name in sorted(catalogue.organizations):
        record = catalogue.organizations[name]
        row = organization_row(record) | {"name_key": name_key(name)}
        row["slug"] = claim_slug(name, slugs)
        records += _record("organization", ORGANIZATION, row)
        contacts = sorted(record.contacts.values(), key=lambda contact: contact.name)
        rows = [contact_row(contact) | {"organization": [name]} for contact in contacts]
        records += _record("contact", CONTACT, *rows)
    return records


def _case_records(catalogue: Catalogue) -> list[dict]:
    """Cases in the order of the text, then the links of them all."""
    cases, links, slugs = [], [], set()
    regions = {name: [name] for name in seed.REGIONS}
    for record in catalogue.cases.values():
        slug = claim_slug(record.title, slugs)
        row = case_row(record, regions) | {
            "slug": slug,
            "themes": [[name] for name in record.facts.get("themes", [])],
            "status": case_status(record),
            **search_fields(record, catalogue.people(record)),
        }
        cases += _record("case", CASE, row)
        links += [
            {
                "case": [slug],
                "organization": [name],
                "position": position,
                "contact": [name, contact] if contact else None,
            }
            for position, (name, contact) in enumerate(record.links)
        ]
    return cases + [{"model": "cases.caseorganization", "fields": link} for link in links]
