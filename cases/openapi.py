"""The OpenAPI 3.1 description of the public data, built from the code that serves it.

Parameters come from the fields of the CaseFilter form and the `parameters` each view reads;
response schemas from the field declarations of cases/exports.py. So the document cannot
say one thing while the catalogue does another.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse
from django.urls.converters import SlugConverter
from django.utils.translation import gettext_noop

from . import exports
from .caching import origin
from .feeds import FEED_SIZE
from .filters import CaseFilter

OPENAPI_VERSION = "3.1.0"

PARAMETER_DESCRIPTIONS = {
    "q": gettext_noop(
        "Search: cases whose every word starts a word of their title, description, "
        "organizations or contacts (accents and case ignored)."
    ),
    "theme": gettext_noop("Theme slugs: cases with any of them. Repeat the parameter for several."),
    "region": gettext_noop("Region slugs: cases in any of them."),
    "country": gettext_noop("ISO 3166-1 alpha-2 country codes: cases in any of them."),
    "kind": gettext_noop("Organization kinds: cases naming an organization of any of them."),
    "sort": gettext_noop(
        "Order of the results: relevance (the default when searching) needs q; "
        "title is the default otherwise."
    ),
    "page": gettext_noop("Page number, from 1; a page past the end answers 404."),
    "page_size": gettext_noop("Cases per page."),
}
CONDITIONAL_HEADERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": gettext_noop(
            "An ETag from an earlier answer: 304 while the data is unchanged."
        ),
        "schema": {"type": "string"},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": gettext_noop("304 when nothing published changed since this date."),
        "schema": {"type": "string"},
    },
]
CACHE_HEADERS = {
    "ETag": {
        "description": "Names this answer; it changes when the published catalogue changes.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the published catalogue last changed.",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "Always *: any web page may read the data (never with credentials).",
        "schema": {"type": "string", "const": "*"},
    },
}
JSON_ERROR = {"$ref": "#/components/schemas/Error"}
NOT_FOUND = {"$ref": "#/components/schemas/NotFound"}
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "errors"],
    "properties": {
        "error": {"type": "string", "description": "Every problem, in one sentence."},
        "errors": {
            "type": "object",
            "description": "The messages of each parameter that was not understood.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "additionalProperties": False,
}
NOT_FOUND_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
    "additionalProperties": False,
}


def _value_schema(field: forms.Field) -> dict:
    """The JSON Schema of one form field's query value(s)."""
    if isinstance(field, forms.MultipleChoiceField):
        values = [value for value, _ in field.choices]
        return {"type": "array", "items": {"type": "string", "enum": values}}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [value for value, _ in field.choices]}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    return {"type": "string", "maxLength": field.max_length}


def query_parameters(names, vocabulary) -> list[dict]:
    """The query parameters `names` as the CaseFilter form validates them."""
    fields = CaseFilter(vocabulary=vocabulary).form.fields
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": PARAMETER_DESCRIPTIONS[name],
            "schema": _value_schema(fields[name]),
        }
        for name in names
    ]


def object_schema(fields: tuple[exports.Field, ...]) -> dict:
    """A JSON object of declared fields: each required, nothing else allowed."""
    properties = {}
    for field in fields:
        schema = dict(field.schema)
        if field.fields:
            schema["items"] = {"$ref": f"#/components/schemas/{_component(field.fields)}"}
        properties[field.name] = {**schema, "description": field.description}
    return {
        "type": "object",
        "required": [field.name for field in fields],
        "properties": properties,
        "additionalProperties": False,
    }


COMPONENTS = (
    ("CasePage", exports.PAGE_FIELDS),
    ("Case", exports.CASE_FIELDS),
    ("Organization", exports.ORGANIZATION_FIELDS),
    ("Contact", exports.CONTACT_FIELDS),
)


def _component(fields) -> str:
    return next(name for name, declared in COMPONENTS if declared is fields)


def _json(schema: dict, description: str, headers=CACHE_HEADERS) -> dict:
    content = {"application/json": {"schema": schema}}
    return {"description": description, "headers": headers, "content": content}


def _responses(ok: dict, bad_request: dict | None, not_found: dict | None = None) -> dict:
    codes = {
        "200": ok,
        "304": {
            "description": gettext_noop("Not modified: the ETag sent in If-None-Match still holds.")
        },
    }
    if bad_request:
        codes["400"] = bad_request
    if not_found:
        codes["404"] = not_found
    return {"responses": codes}


def _operation(operation_id, summary, parameters, responses) -> dict:
    operation = {"operationId": operation_id, "summary": summary}
    return {"get": {**operation, "parameters": parameters + CONDITIONAL_HEADERS, **responses}}


def _list_json(parameters) -> dict:
    return _operation(
        "listCases",
        gettext_noop(
            "Published cases matching the filters, a page at a time (values of one parameter "
            "are OR-ed, different parameters AND-ed)"
        ),
        parameters,
        _responses(
            _json({"$ref": "#/components/schemas/CasePage"}, gettext_noop("A page of cases.")),
            _json(JSON_ERROR, gettext_noop("A parameter was not understood; errors says which.")),
            _json(NOT_FOUND, gettext_noop("The page is past the end.")),
        ),
    )


def _case_json() -> dict:
    pattern = f"^{SlugConverter.regex}$"
    slug = {"name": "slug", "in": "path", "required": True}
    slug["schema"] = {"type": "string", "pattern": pattern}
    return _operation(
        "getCase",
        gettext_noop("One published case, in the shape of a list result"),
        [{**slug, "description": gettext_noop("The case's slug.")}],
        _responses(
            _json({"$ref": "#/components/schemas/Case"}, gettext_noop("The case.")),
            None,
            _json(NOT_FOUND, gettext_noop("No published case has this slug.")),
        ),
    )


def _download(operation_id, summary, parameters, media_type, description, headers) -> dict:
    ok = {
        "description": description,
        "headers": headers,
        "content": {media_type: {"schema": {"type": "string"}}},
    }
    bad_request = {
        "description": gettext_noop("A parameter was not understood (an HTML page)."),
        "content": HTML_PAGE,
    }
    return _operation(operation_id, summary, parameters, _responses(ok, bad_request))


def _paths(vocabulary, parameters) -> dict:
    """Each URL's operation; `parameters` maps URL names to the parameters their view reads."""

    def query(name):
        return query_parameters(parameters[name], vocabulary)

    csv_headers = {
        **CACHE_HEADERS,
        "X-Total-Count": {
            "description": "How many rows follow: sent before them, so a client can tell "
            "a cut-off download from a complete one.",
            "schema": {"type": "integer", "minimum": 0},
        },
    }
    case_path = reverse("case-detail-json", args=["SLUG"]).replace("SLUG", "{slug}")
    return {
        reverse("case-list-json"): _list_json(query("case-list-json")),
        case_path: _case_json(),
        reverse("case-list-csv"): _download(
            "exportCases",
            gettext_noop("Every published case matching the filters, one CSV row each"),
            query("case-list-csv"),
            "text/csv",
            gettext_noop(
                "RFC 4180 CSV with a header row, every cell quoted; /data/ describes the columns."
            ),
            csv_headers,
        ),
        reverse("case-feed"): _download(
            "caseFeed",
            gettext_noop("Atom feed of the recently updated published cases matching the filters"),
            query("case-feed"),
            "application/atom+xml",
            f"An Atom 1.0 feed of up to {FEED_SIZE} cases, the most recently updated first.",
            CACHE_HEADERS,
        ),
    }


def document(request, vocabulary, parameters: dict[str, tuple[str, ...]]) -> dict:
    """The OpenAPI 3.1 document of the public data of this catalogue; `parameters` maps the
    URL names of the filtered views to the query parameters each reads."""
    license_ = {"name": settings.DATA_LICENSE}
    if settings.DATA_LICENSE_URL:
        license_["url"] = settings.DATA_LICENSE_URL
    schemas = {name: object_schema(fields) for name, fields in COMPONENTS}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{settings.SITE_TITLE}: open data",
            "version": "1.0.0",
            "description": "Read-only access to the published case studies. Drafts and "
            "contact e-mail addresses are never published.",
            "license": license_,
        },
        "servers": [{"url": origin(request)}],
        "paths": _paths(vocabulary, parameters),
        "components": {"schemas": {**schemas, "Error": ERROR_SCHEMA, "NotFound": NOT_FOUND_SCHEMA}},
    }
