"""The catalogue as linked data: schema.org JSON-LD for pages, and JSON-LD or Turtle downloads.

One set of node builders serves both: pages embed a node under the schema.org context, the
downloads put nodes in a graph under an inline context (so no reader fetches anything), and
rdflib turns that graph into Turtle. Contacts are people: they never appear here.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from rdflib import Graph

from .caching import absolute_url
from .models import Organization, country_name

SCHEMA_CONTEXT = "https://schema.org"
# The ESSGlobal vocabulary of the SSE mapping community (RIPESS), version 2a, at the address
# its maintainers publish it under.
ESSGLOBAL = "https://w3id.solidarityeconomy.coop/essglobal/V2a/vocab/"
SSE_INITIATIVE = f"{ESSGLOBAL}SSEInitiative"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
# The schema.org terms the nodes use, with the ones whose values are addresses marked so:
# what https://schema.org's own context says of them, written out.
CONTEXT = {
    "@vocab": "https://schema.org/",
    "essglobal": ESSGLOBAL,
    **{
        name: {"@type": "@id"}
        for name in ("url", "sameAs", "contentUrl", "license", "additionalType", "inDefinedTermSet")
    },
    **{name: {"@type": XSD_DATETIME} for name in ("dateCreated", "dateModified")},
}
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
CONTENT_TYPES = {JSON_LD: JSON_LD, TURTLE: "text/turtle; charset=utf-8"}

# schema.org has a type for one of the catalogue's kinds; the others stay Organization.
ORGANIZATION_TYPES = {Organization.Kind.GOVERNMENT_AND_PUBLIC_AGENCY: "GovernmentOrganization"}


def _url(request, path: str) -> str:
    return absolute_url(request, path)


def catalogue_reference(request) -> dict:
    """The catalogue as a Dataset, as a case names what it is part of."""
    data_url = _url(request, reverse("data"))
    return {"@type": "Dataset", "@id": f"{data_url}#dataset", "name": settings.SITE_TITLE}


def organization_node(request, organization) -> dict:
    """An organization: its kind as a schema.org type (and ESSGlobal's SSE initiative)."""
    page = _url(request, organization.get_absolute_url())
    node = {
        "@type": ORGANIZATION_TYPES.get(organization.kind, "Organization"),
        "@id": f"{page}#organization",
        "name": organization.name,
        "url": page,
        "description": organization.get_kind_display(),
    }
    if organization.kind == Organization.Kind.SSE_ORGANIZATION:
        node["additionalType"] = SSE_INITIATIVE
    country = organization.country  # (django-countries builds it anew at each reading)
    if country:
        node["address"] = {"@type": "PostalAddress", "addressCountry": country.code}
    if organization.website:
        node["sameAs"] = organization.website
    return node


def _place(request, case) -> dict | None:
    """Where the case happened: city and country, within its world region."""
    country = case.country  # (django-countries builds it anew at each reading)
    if not (case.city or country or case.region):
        return None
    place = {"@type": "Place"}
    names = [name for name in (case.city, country_name(country.code)) if name]
    if names:
        place["name"] = ", ".join(names)
    if country or case.city:
        address = {"@type": "PostalAddress"}
        if country:
            address["addressCountry"] = country.code
        if case.city:
            address["addressLocality"] = case.city
        place["address"] = address
    if case.region:
        place["containedInPlace"] = {
            "@type": "Place",
            "name": case.region.name,
            "url": _url(request, case.region.get_absolute_url()),
        }
    return place


def case_node(request, case) -> dict:
    """A case study (themes and `links` prefetched) as a schema.org CreativeWork."""
    page = _url(request, case.get_absolute_url())
    themes = _url(request, reverse("theme-list"))
    node = {
        "@type": "CreativeWork",
        "@id": page,
        "url": page,
        "identifier": case.slug,
        "name": case.title,
        "description": case.description,
        "genre": "Case study",
        "about": [
            {
                "@type": "DefinedTerm",
                "@id": _url(request, theme.get_absolute_url()),
                "name": theme.name,
                "termCode": theme.slug,
                "inDefinedTermSet": themes,
            }
            for theme in case.themes.all()
        ],
        "contributor": [organization_node(request, link.organization) for link in case.links],
        "dateCreated": case.created_at.isoformat(),
        "dateModified": case.updated_at.isoformat(),
        "isPartOf": catalogue_reference(request),
    }
    place = _place(request, case)
    if place:
        node["spatialCoverage"] = place
    return node


def _download(request, name: str, media_type: str, description: str) -> dict:
    return {
        "@type": "DataDownload",
        "name": description,
        "encodingFormat": media_type,
        "contentUrl": _url(request, reverse(name)),
    }


def catalogue_node(request, changed_at) -> dict:
    """The whole catalogue as a Dataset with its downloads and licence."""
    node = catalogue_reference(request) | {
        "description": (
            "Case studies of the social and solidarity economy: cooperatives, public–SSE "
            "partnerships and grassroots networks, with the organizations involved."
        ),
        "url": _url(request, reverse("data")),
        "isAccessibleForFree": True,
        "dateModified": changed_at.isoformat(),
        "distribution": [
            _download(request, "case-list-json", "application/json", "Cases as JSON (paged)"),
            _download(request, "case-list-csv", "text/csv", "Cases as CSV"),
            _download(request, "case-list-linked-data", JSON_LD, "Cases as JSON-LD (paged)"),
        ],
    }
    node["license"] = settings.DATA_LICENSE_URL or settings.DATA_LICENSE
    return node


def on_page(node: dict) -> dict:
    """A node to embed in a page, under the schema.org context."""
    return {"@context": SCHEMA_CONTEXT, **node}


def document(nodes: list[dict]) -> dict:
    """A JSON-LD document of `nodes`, under the inline context."""
    return {"@context": CONTEXT, "@graph": nodes}


def serialize(doc: dict, media_type: str) -> str:
    """The document as JSON-LD, or in Turtle through rdflib."""
    if media_type == JSON_LD:
        return json.dumps(doc, ensure_ascii=False)  # no indent: the C encoder, several times faster
    graph = Graph(bind_namespaces="none").parse(data=json.dumps(doc), format="json-ld")
    # After parsing, which binds the context's @vocab as the empty prefix.
    graph.bind("schema", "https://schema.org/", replace=True)
    graph.bind("essglobal", ESSGLOBAL, replace=True)
    return graph.serialize(format="turtle")


# What a JSON-LD script may not contain raw: `</script>` would end it, `<!--` open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_json(node: dict) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(node, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES)
