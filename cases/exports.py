"""Ways the catalogue leaves the app: the built fixture, JSON and CSV."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import islice

from django.urls import reverse

from . import seed
from .caching import absolute_url
from .importer import Catalogue
from .models import Case, CaseCard, CaseOrganization, search_document, unique_slug

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
                "source_name": name,
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
                    "source_name": contact.name,
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
        people = [
            (org_name, catalogue.organizations[org_name].contacts.get(contact_name))
            for org_name, contact_name in case.links
        ]
        for position, (org_name, contact_name) in enumerate(case.links):
            links.append(
                {
                    "case": [slug],
                    "organization": [org_name],
                    "position": position,
                    "contact": [org_name, contact_name] if contact_name else None,
                }
            )
        search_text, search_title = search_document(case.title, case.description, people)
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
                "source_title": case.title,
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


def case_dict(request, case: CaseCard) -> dict:
    """One case in the public JSON shape (never a contact's email)."""
    return {
        "slug": case.slug,
        "title": case.title,
        "url": absolute_url(request, case.get_absolute_url()),
        "description": case.description,
        "region": case.region.slug if case.region else None,
        "country": case.country.code if case.country else "",
        "city": case.city,
        "themes": [theme.slug for theme in case.themes.all()],
        "marked_absent": case.marked_absent,
        "organizations": [
            {
                "name": link.organization.name,
                "slug": link.organization.slug,
                "kind": link.organization.kind,
                "contacts": [
                    {
                        "honorific": link.contact.honorific,
                        "name": link.contact.name,
                        "role": link.contact.role,
                    }
                ]
                if link.contact
                else [],
            }
            for link in case.links
        ],
    }


def json_page(request, page) -> dict:
    """A page of cases with links to its neighbours, keeping the query."""

    def link(number):
        params = request.GET.copy()
        params["page"] = number
        return absolute_url(request, f"{request.path}?{params.urlencode()}")

    return {
        "count": page.paginator.count,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [case_dict(request, case) for case in page.object_list],
    }


CSV_HEADER = [
    "slug",
    "title",
    "url",
    "description",
    "region",
    "country",
    "city",
    "themes",
    "marked_absent",
    "organizations",
    "organization_kinds",
    "contacts",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


CSV_CHUNK = 500


def _csv_line(fields) -> str:
    """One RFC 4180 line, every field guarded and quoted: what csv.QUOTE_ALL writes, faster."""
    return ",".join(f'"{_cell(field).replace(chr(34), chr(34) * 2)}"' for field in fields) + "\r\n"


def csv_lines(queryset, request):
    """Stream the header and one CSV line per case, a chunk of cases at a time.

    Plain rows, read a chunk at a time with the themes and organizations of that chunk
    in one query each: no model instances, so 100,000 cases stream in seconds.
    """
    yield _csv_line(CSV_HEADER)
    url = absolute_url(request, reverse("case-detail", args=["-"])).replace("/-/", "/{}/")
    columns = ("pk", "slug", "title", "description", "region__slug", "country", "city")
    rows = queryset.values_list(*columns, "marked_absent").iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(rows, CSV_CHUNK)):
        ids = [row[0] for row in chunk]
        themes, organizations = defaultdict(list), defaultdict(list)
        theme_rows = (
            Case.themes.through.objects.filter(case__in=ids)
            .order_by("theme__name")
            .values_list("case", "theme__slug")
        )
        for case_id, slug in theme_rows:
            themes[case_id].append(slug)
        links = (
            CaseOrganization.objects.filter(case__in=ids)
            .order_by("position")
            .values_list(
                "case",
                "organization__name",
                "organization__kind",
                "contact__honorific",
                "contact__name",
                "contact__role",
            )
        )
        for case_id, *link in links:
            organizations[case_id].append(link)
        lines = []
        for pk, slug, title, description, region, country, city, absent in chunk:
            links = organizations[pk]
            contacts = [
                f"{honorific} {name}".strip() + (f" ({role})" if role else "")
                for _, _, honorific, name, role in links
                if name
            ]
            lines.append(
                [
                    slug,
                    title,
                    url.format(slug),
                    description,
                    region or "",
                    country,
                    city,
                    "; ".join(themes[pk]),
                    "true" if absent else "false",
                    "; ".join(name for name, *_ in links),
                    "; ".join(kind for _, kind, *_ in links),
                    "; ".join(contacts),
                ]
            )
        yield "".join(map(_csv_line, lines))  # one write per chunk: fewer, larger writes
