"""Ways the catalogue leaves the app: the public JSON and CSV."""

from __future__ import annotations

from collections import defaultdict
from itertools import islice

from django.urls import reverse

from .caching import absolute_url
from .models import Case, CaseOrganization


def case_dict(request, case) -> dict:
    """One case in the public JSON shape (never a contact's email)."""
    return {
        "slug": case.slug,
        "title": case.title,
        "url": absolute_url(request, case.get_absolute_url()),
        "description": case.description,
        "region": case.region.slug if case.region else None,
        "country": case.country.code or "",
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
