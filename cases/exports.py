"""Ways the catalogue leaves the app: the built fixture, JSON and CSV."""

from __future__ import annotations

import json

from . import seed
from .importer import Catalogue
from .models import search_document, unique_slug

# Fixed so a rebuild of the same sources is byte-identical.
FIXTURE_TIMESTAMP = "2026-01-01T00:00:00Z"


def catalogue_fixture(catalogue: Catalogue) -> str:
    """The merged catalogue as a Django fixture with natural keys, deterministic to the byte."""
    records = []

    def add(model: str, fields: dict) -> None:
        records.append({"model": f"cases.{model}", "fields": fields})

    for name in seed.THEMES:
        description = catalogue.theme_descriptions.get(name, "")
        add("theme", {"name": name, "slug": _slug(name), "description": description})
    for name in seed.REGIONS:
        add("region", {"name": name, "slug": _slug(name)})
    org_slugs: set[str] = set()
    for name in sorted(catalogue.organizations):
        record = catalogue.organizations[name]
        add(
            "organization",
            {
                "name": name,
                "slug": unique_slug(name, org_slugs.__contains__),
                "kind": record.kind,
                "country": record.facts.get("country", ""),
                "website": record.facts.get("website", ""),
                "edited_fields": [],
            },
        )
        org_slugs.add(records[-1]["fields"]["slug"])
        for contact in sorted(record.contacts.values(), key=lambda c: c.name):
            add(
                "contact",
                {
                    "organization": [name],
                    "honorific": contact.honorific,
                    "name": contact.name,
                    "role": contact.role,
                    "email": "",
                    "edited_fields": [],
                },
            )
    case_slugs: set[str] = set()
    links = []
    for case in catalogue.cases.values():
        slug = unique_slug(case.title, case_slugs.__contains__)
        case_slugs.add(slug)
        names = []
        for position, (org_name, contact_name) in enumerate(case.links):
            names.append(org_name)
            contact = catalogue.organizations[org_name].contacts.get(contact_name)
            if contact:
                names += [contact.name, contact.role]
            links.append(
                {
                    "case": [slug],
                    "organization": [org_name],
                    "position": position,
                    "contact": [org_name, contact_name] if contact_name else None,
                }
            )
        search_text, search_title = search_document(case.title, case.description, names)
        region = case.facts.get("region")
        add(
            "case",
            {
                "title": case.title,
                "slug": slug,
                "description": case.description,
                "region": [region] if region else None,
                "country": case.facts.get("country", ""),
                "city": case.facts.get("city", ""),
                "themes": [[name] for name in case.facts.get("themes", [])],
                "status": "published",
                "marked_absent": case.marked_absent,
                "source_file": case.source_file,
                "source_line": case.source_line,
                "source_facts": case.source_facts,
                "edited_fields": [],
                "search_text": search_text,
                "search_title": search_title,
                "created_at": FIXTURE_TIMESTAMP,
                "updated_at": FIXTURE_TIMESTAMP,
            },
        )
    for link in links:
        add("caseorganization", link)
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _slug(name: str) -> str:
    return unique_slug(name, lambda slug: False)
