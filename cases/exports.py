"""Ways the catalogue leaves the app: the public JSON and CSV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from .caching import absolute_url
from .models import CaseCard, Contact, Organization, cards_by_id

# The public JSON and CSV, declared once: the builders below, the /data/ dictionary and the
# OpenAPI schemas all read these lists, so the documentation cannot drift from the data.


@dataclass(frozen=True)
class Field:
    """A key of the JSON exports: its JSON Schema, its meaning and how to read it from `obj`."""

    name: str
    schema: dict
    description: str
    value: Callable[[Any, Any], Any] = field(repr=False)  # (request, obj) -> value
    fields: tuple[Field, ...] = ()  # an array of objects: the keys of each object

    @property
    def type_label(self) -> str:
        """The type in words: "string", "string or null", "array of strings"…"""
        if self.fields:
            return "array of objects"
        return _type_words(self.schema)


@dataclass(frozen=True)
class Column:
    """A column of the CSV export (every cell is text)."""

    name: str
    type_label: str
    description: str


def _type_words(schema: dict) -> str:
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if kinds == ["array"]:
        return f"array of {_type_words(schema['items'])}s"
    url = schema.get("format") == "uri"
    return " or ".join("string (URL)" if url and kind == "string" else kind for kind in kinds)


def record(request, obj, fields: tuple[Field, ...]) -> dict:
    """The JSON object of `obj`: every declared field, in the declared order."""
    return {f.name: f.value(request, obj) for f in fields}


STRING = {"type": "string"}
CONTACT_FIELDS = (
    Field(
        "honorific",
        {"type": "string", "enum": ["", *Contact.Honorific.values]},
        gettext_noop("Mr., Ms., Mrs., Dr. or Prof.; empty when not stated."),
        lambda request, contact: contact.honorific,
    ),
    Field(
        "name", STRING, gettext_noop("The contact's name."), lambda request, contact: contact.name
    ),
    Field(
        "role",
        STRING,
        gettext_noop("The contact's role in the organization; empty when not stated."),
        lambda request, contact: contact.role,
    ),
)
ORGANIZATION_FIELDS = (
    Field(
        "name",
        STRING,
        gettext_noop("The organization's name."),
        lambda request, link: link.organization.name,
    ),
    Field(
        "slug",
        STRING,
        gettext_noop("Its identifier in URLs: /organizations/<slug>/."),
        lambda request, link: link.organization.slug,
    ),
    Field(
        "kind",
        {"type": "string", "enum": Organization.Kind.values},
        # Written out for the translators; tests/test_i18n.py checks it names every kind.
        gettext_noop(
            "What kind of organization it is: sse-organization, government-and-public-agency, "
            "international-organization, academic-and-research-institution, private-sector "
            "or other."
        ),
        lambda request, link: link.organization.kind,
    ),
    Field(
        "contacts",
        {"type": "array"},
        gettext_noop(
            "Its contact for this case: none or one. E-mail addresses are never published."
        ),
        lambda request, link: (
            [record(request, link.contact, CONTACT_FIELDS)] if link.contact else []
        ),
        fields=CONTACT_FIELDS,
    ),
)
CASE_FIELDS = (
    Field(
        "slug",
        STRING,
        gettext_noop("The case's identifier in URLs: /cases/<slug>/."),
        lambda request, case: case.slug,
    ),
    Field(
        "title",
        STRING,
        gettext_noop("The title of the case study."),
        lambda request, case: case.title,
    ),
    Field(
        "url",
        {"type": "string", "format": "uri"},
        gettext_noop("The absolute address of the case's page (its permalink)."),
        lambda request, case: absolute_url(request, case.get_absolute_url()),
    ),
    Field(
        "description",
        STRING,
        gettext_noop("The case study's text, in the language of its source."),
        lambda request, case: case.description,
    ),
    Field(
        "region",
        {"type": ["string", "null"]},
        gettext_noop("The slug of its world region (/regions/<slug>/); null when not stated."),
        lambda request, case: case.region.slug if case.region else None,
    ),
    Field(
        "country",
        STRING,
        gettext_noop("Its country as an ISO 3166-1 alpha-2 code; empty when not stated."),
        lambda request, case: case.country.code if case.country else "",
    ),
    Field(
        "city",
        STRING,
        gettext_noop("Its city; empty when not stated."),
        lambda request, case: case.city,
    ),
    Field(
        "themes",
        {"type": "array", "items": STRING},
        gettext_noop("The slugs of its themes (/themes/<slug>/), by theme name."),
        lambda request, case: [theme.slug for theme in case.themes.all()],
    ),
    Field(
        "marked_absent",
        {"type": "boolean"},
        gettext_noop(
            "True when the source text marked the case ABSENT; it is listed like any other."
        ),
        lambda request, case: case.marked_absent,
    ),
    Field(
        "organizations",
        {"type": "array"},
        gettext_noop("The organizations involved, in the order the case names them."),
        lambda request, case: [record(request, link, ORGANIZATION_FIELDS) for link in case.links],
        fields=ORGANIZATION_FIELDS,
    ),
)


def _page_link(request, number) -> str:
    params = request.GET.copy()
    params["page"] = number
    return absolute_url(request, f"{request.path}?{params.urlencode()}")


NEXT_PAGE = {"type": ["string", "null"], "format": "uri"}
PAGE_FIELDS = (
    Field(
        "count",
        {"type": "integer", "minimum": 0},
        gettext_noop("How many cases match the query, on all pages."),
        lambda request, page: page.paginator.count,
    ),
    Field(
        "next",
        NEXT_PAGE,
        gettext_noop("The address of the next page, with the same query; null on the last page."),
        lambda request, page: (
            _page_link(request, page.next_page_number()) if page.has_next() else None
        ),
    ),
    Field(
        "previous",
        NEXT_PAGE,
        gettext_noop("The address of the previous page; null on the first page."),
        lambda request, page: (
            _page_link(request, page.previous_page_number()) if page.has_previous() else None
        ),
    ),
    Field(
        "results",
        {"type": "array"},
        gettext_noop("The cases of this page, each an object like /cases/<slug>.json."),
        lambda request, page: [record(request, case, CASE_FIELDS) for case in page.object_list],
        fields=CASE_FIELDS,
    ),
)


def case_dict(request, case: CaseCard) -> dict:
    """One case in the public JSON shape (never a contact's email)."""
    return record(request, case, CASE_FIELDS)


def json_page(request, page) -> dict:
    """A page of cases with links to its neighbours, keeping the query."""
    return record(request, page, PAGE_FIELDS)


LIST = "text: values joined by “; ”"
CSV_COLUMNS = (
    Column("slug", "text", gettext_noop("The case's identifier in URLs: /cases/<slug>/.")),
    Column("title", "text", gettext_noop("The title of the case study.")),
    Column(
        "url", "text: URL", gettext_noop("The absolute address of the case's page (its permalink).")
    ),
    Column(
        "description", "text", gettext_noop("The case study's text, in the language of its source.")
    ),
    Column("region", "text", gettext_noop("The slug of its world region; empty when not stated.")),
    Column(
        "country",
        "text",
        gettext_noop("Its country as an ISO 3166-1 alpha-2 code; empty when not stated."),
    ),
    Column("city", "text", gettext_noop("Its city; empty when not stated.")),
    Column("themes", LIST, gettext_noop("The slugs of its themes, by theme name.")),
    Column(
        "marked_absent",
        "text: true or false",
        gettext_noop("Whether the source marked the case ABSENT."),
    ),
    Column(
        "organizations", LIST, gettext_noop("The names of its organizations, in the case's order.")
    ),
    Column(
        "organization_kinds",
        LIST,
        gettext_noop("The kind of each organization, in the same order."),
    ),
    Column(
        "contacts",
        LIST,
        gettext_noop(
            "Each named contact as “Honorific Name (role)”, in the case's order; "
            "organizations without a contact are left out. Never an e-mail address."
        ),
    ),
)
CSV_HEADER = [column.name for column in CSV_COLUMNS]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


CSV_CHUNK = 2000


def _csv_line(cells: Sequence[str]) -> str:
    """One RFC 4180 line, every cell quoted (what csv.QUOTE_ALL writes, faster) and guarded:
    a spreadsheet shows a cell starting like a formula as text, never runs it."""
    guarded = [f"'{cell}" if cell.startswith(_FORMULA_START) else cell for cell in cells]
    line = '","'.join(guarded)
    if '"' in line:
        line = '","'.join(cell.replace('"', '""') for cell in guarded)
    return f'"{line}"\r\n'


def _csv_row(card: CaseCard, url: str) -> dict[str, str]:
    """The cells of one case by column name."""
    contacts = [
        f"{link.contact.honorific} {link.contact.name}".strip()
        + (f" ({link.contact.role})" if link.contact.role else "")
        for link in card.links
        if link.contact
    ]
    return {
        "slug": card.slug,
        "title": card.title,
        "url": url.format(card.slug),
        "description": card.description,
        "region": card.region.slug if card.region else "",
        "country": card.country.code if card.country else "",
        "city": card.city,
        "themes": "; ".join(theme.slug for theme in card.themes),
        "marked_absent": "true" if card.marked_absent else "false",
        "organizations": "; ".join(link.organization.name for link in card.links),
        "organization_kinds": "; ".join(link.organization.kind for link in card.links),
        "contacts": "; ".join(contacts),
    }


def csv_lines(queryset, request):
    """Stream the header and one CSV line per case, a chunk of cases at a time.

    The matching ids are read in order, and each chunk's cases as cards by key (the two
    queries a page of cards takes): no model instances, so 100,000 cases stream in seconds.
    """
    yield _csv_line(CSV_HEADER)
    in_columns = itemgetter(*CSV_HEADER)  # a declared column the row lacks fails loudly
    url = absolute_url(request, reverse("case-detail", args=["-"])).replace("/-/", "/{}/")
    ids = queryset.values_list("pk", flat=True).iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(ids, CSV_CHUNK)):
        lines = [in_columns(_csv_row(card, url)) for card in cards_by_id(chunk)]
        yield "".join(map(_csv_line, lines))  # one write per chunk: fewer, larger writes


def dictionary(fields: tuple[Field, ...], prefix: str = "") -> list[tuple[str, str, str]]:
    """(path, type, meaning) of every key, nested ones as `organizations[].name`."""
    rows = []
    for declared in fields:
        rows.append((prefix + declared.name, declared.type_label, declared.description))
        if declared.fields:
            rows += dictionary(declared.fields, f"{prefix}{declared.name}[].")
    return rows
