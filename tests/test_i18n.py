"""The interface in English (unprefixed), Spanish (/es/) and French (/fr/); the data stays
language-neutral.

The untranslated-string check is generic: it reads every message of the committed catalogues
and looks for the English of each on the translated pages of PAGES. A new page type joins by
adding its path (and the data it needs) to PAGES.
"""

from __future__ import annotations

import functools
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation
from django.utils.formats import date_format, number_format

from cases import caching
from cases.filters import FacetGroup, Option
from cases.templatetags.facets import facet_groups
from cases.views import CaseListView
from tests.factories import make_case, make_collection, make_contact, make_organization

# Messages, formats and URL prefixes are the same on every engine, and the pages' queries are
# tested on both: the PostgreSQL run skips these.
pytestmark = pytest.mark.engine_independent

LOCALE = Path(__file__).resolve().parent.parent / "cases" / "locale"
LANGUAGES = ["es", "fr"]
SITE = "https://catalogue.example.org"
# A visible English fragment shorter than this may well be a word of the data: not checked.
MIN_FRAGMENT = 8


def messages(code: str) -> list[tuple[list[str], list[str]]]:
    """(msgid and msgid_plural, msgstr forms) of each entry of a language's .po file."""
    entries, current, key = [], None, None
    for line in (LOCALE / code / "LC_MESSAGES" / "django.po").read_text().splitlines():
        if line.startswith("msgid "):
            current = {"msgid": [], "msgstr": []}
            entries.append(current)
        if line.startswith(("msgid", "msgstr")):
            key = "msgid" if line.startswith("msgid") else "msgstr"
            current[key].append("")
            line = line.split(" ", 1)[1]
        if line.startswith('"') and current is not None:
            current[key][-1] += (
                line[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()
            )
    return [(entry["msgid"], entry["msgstr"]) for entry in entries if entry["msgid"] != [""]]


def fragments(message: str) -> set[str]:
    """The pieces of a message a reader sees as written: outside tags and placeholders."""
    pieces = re.split(r"<[^>]+>|%\(\w+\)s|%s", unescape(message))
    return {" ".join(piece.split()) for piece in pieces if piece.strip()}


@functools.cache
def english_fragments(code: str) -> frozenset[str]:
    """Fragments of the English messages that must not show on a page in `code`: long
    enough to tell apart from data, and no words of the language itself (“collections”,
    “OpenAPI 3.1”: found in one of its translations). Read once per language and run."""
    catalogue = messages(code)
    for msgids, msgstrs in catalogue:
        assert all(msgstrs), f"{code}: untranslated {msgids[0]!r}"
    translated = " ".join(text for _, msgstrs in catalogue for text in msgstrs)
    return frozenset(
        piece
        for msgids, _ in catalogue
        for msgid in msgids
        for piece in fragments(msgid)
        if len(piece) >= MIN_FRAGMENT
        and re.search("[A-Za-z]{3}", piece)
        and not shows(piece, unescape(translated))
    )


def shows(piece: str, text: str) -> bool:
    """Whether piece is in text as words (not inside a slug like `sse-organization`)."""
    return re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", text) is not None


def visible(html: str) -> str:
    """What a reader sees or hears: text, and the labels and hints of attributes. Citations
    are left out: they name the catalogue by its published (English) title."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<p class="citation".*?</p>|<pre class="code".*?</pre>', " ", html, flags=re.S)
    attributes = re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', html)
    body = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(" ".join([body, *attributes])).split())


@pytest.fixture
def world(db):
    """One case of each kind of page, in words that are no English message."""
    cooperative = make_organization("Cooperativa Tejedoras del Sur", country="MX")
    contact = make_contact(cooperative, "Ana López", role="coordinadora")
    case = make_case(
        "Tejedoras de Oaxaca",
        description="Una cooperativa de tejedoras vende sus telas en la ciudad. " * 5,
        themes=["women"],
        region="latin-america",
        country="MX",
        city="Oaxaca",
        organizations=[(cooperative, contact)],
        language="es",
    )
    make_collection("Tejidos", [case], introduction="Tejidos y cooperativas.")
    return {"case": case, "organization": cooperative}


# Every public page type: (path without the language prefix, status).
PAGES = [
    ("/", 200),
    ("/cases/", 200),
    ("/cases/?q=tejedoras&theme=women", 200),
    ("/cases/?q=zzzzzz", 200),
    ("/cases/tejedoras-de-oaxaca/", 200),
    ("/organizations/", 200),
    ("/organizations/?q=zzzz", 200),
    ("/organizations/cooperativa-tejedoras-del-sur/", 200),
    ("/themes/", 200),
    ("/themes/women/", 200),
    ("/themes/youth/", 200),
    ("/regions/", 200),
    ("/regions/latin-america/", 200),
    ("/collections/", 200),
    ("/collections/tejidos/", 200),
    ("/data/", 200),
    ("/api/", 200),
    ("/suggest/", 200),
    ("/suggest/thanks/", 200),
    ("/no-such-page/", 404),
    ("/cases/?sort=sideways", 400),
]


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize(("path", "status"), PAGES)
def test_translated_page_has_no_english_interface_string(client, world, code, path, status):
    response = client.get(f"/{code}{path}")
    assert response.status_code == status
    page = visible(response.content.decode())
    left = sorted(piece for piece in english_fragments(code) if shows(piece, page))
    assert not left, f"/{code}{path} shows English: {left}"


def test_english_pages_stay_english(client, world):
    page = client.get("/cases/").content.decode()
    assert '<html lang="en">' in page
    assert "Apply filters" in page and "Latin America" in page


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("es", ["Aplicar filtros", "Mujeres", "América Latina", "México", "1 caso"]),
        ("fr", ["Appliquer les filtres", "Femmes", "Amérique latine", "Mexique", "1 cas"]),
    ],
)
def test_interface_and_vocabulary_names_are_translated(client, world, code, words):
    page = client.get(f"/{code}/cases/").content.decode()
    assert f'<html lang="{code}">' in page
    for word in words:
        assert word in page


def test_organization_kinds_are_translated(client, world):
    page = client.get("/fr/organizations/").content.decode()
    assert "Organisation de l’ESS" in unescape(page)
    assert "?kind=sse-organization" in page  # the slug stays


def test_dates_and_numbers_follow_the_language(client, world, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    case = world["case"]
    with translation.override("es"):
        spanish_date = date_format(case.created_at)
        spanish_number = number_format(12345)
    with translation.override("en"):
        assert spanish_number != number_format(12345) == "12,345"
    page = client.get("/es/cases/tejedoras-de-oaxaca/").content.decode()
    assert spanish_date in page and " de " in spanish_date
    english = client.get("/cases/tejedoras-de-oaxaca/").content.decode()
    assert f"{case.created_at.day} {case.created_at:%B %Y}" in english


def test_facet_counts_from_a_thousand_on_follow_the_language(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    group = FacetGroup("theme", "Themes", [Option("women", "Women", 12345, False)], [])
    with translation.override("es"):
        spanish = facet_groups([group])
    with translation.override("en"):
        english = facet_groups([group])

    assert '<span class="count">12\xa0345</span>' in spanish
    assert '<span class="count">12,345</span>' in english


def test_switcher_keeps_the_page_and_its_filters(client, world):
    page = client.get("/cases/?theme=women&q=tejedoras&sort=-title").content.decode()
    switcher = re.search(r'<nav class="languages".*?</nav>', page, flags=re.S).group(0)
    links = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', switcher))
    by_language = {code: unescape(url) for url, code in links.items()}
    assert by_language == {
        "es": "/es/cases/?q=tejedoras&theme=women&sort=-title",
        "fr": "/fr/cases/?q=tejedoras&theme=women&sort=-title",
    }
    assert 'aria-current="true" lang="en">English' in switcher
    back = client.get("/fr/cases/tejedoras-de-oaxaca/").content.decode()
    assert 'href="/cases/tejedoras-de-oaxaca/" hreflang="en"' in back
    assert 'href="/es/cases/tejedoras-de-oaxaca/" hreflang="es"' in back


def test_switcher_on_a_missing_page_leads_home_in_each_language(client, world):
    page = client.get("/es/nowhere/").content.decode()
    assert 'href="/" hreflang="en"' in page and 'href="/fr/" hreflang="fr"' in page


def test_head_names_every_language_version_and_x_default(client, world, settings):
    settings.SITE_URL = SITE
    page = client.get("/es/themes/women/?page=1").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', page))
    assert alternates == {
        "en": f"{SITE}/themes/women/",
        "es": f"{SITE}/es/themes/women/",
        "fr": f"{SITE}/fr/themes/women/",
        "x-default": f"{SITE}/themes/women/",
    }


def test_sitemap_lists_each_language_with_its_alternates(client, world, settings):
    settings.SITE_URL = SITE
    xml = client.get("/sitemap-cases.xml").content.decode()
    urls = re.findall(r"<url>(.*?)</url>", xml, flags=re.S)
    locations = [re.search(r"<loc>(.*?)</loc>", url).group(1) for url in urls]
    path = "/cases/tejedoras-de-oaxaca/"
    assert locations == [f"{SITE}{path}", f"{SITE}/es{path}", f"{SITE}/fr{path}"]
    for url in urls:
        alternates = dict(re.findall(r'hreflang="([\w-]+)"\s+href="([^"]+)"', url))
        assert alternates == {
            "en": f"{SITE}{path}",
            "es": f"{SITE}/es{path}",
            "fr": f"{SITE}/fr{path}",
            "x-default": f"{SITE}{path}",
        }


@pytest.mark.parametrize(
    "path", ["/cases.json", "/cases.csv", "/cases/tejedoras-de-oaxaca.json", "/api/openapi.json"]
)
def test_data_is_language_neutral_and_unprefixed(client, world, path):
    body = client.get(path, HTTP_ACCEPT_LANGUAGE="en").getvalue().decode()
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="es").getvalue().decode() == body
    assert client.get(f"/es{path}").status_code == 404
    assert "latin-america" in body or "openapi" in body
    assert "América Latina" not in body and "Mujeres" not in body


def test_errors_of_json_stay_english(client, world):
    answer = client.get("/cases.json?theme=nothing", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert answer["errors"] == {"theme": ["Unknown theme “nothing”."]}


def test_admin_stays_unprefixed(client, world):
    assert client.get("/es/admin/").status_code == 404
    assert client.get("/admin/").status_code == 302


def test_case_texts_carry_their_language(client, world):
    page = client.get("/fr/cases/tejedoras-de-oaxaca/").content.decode()
    assert '<h1 lang="es">Tejedoras de Oaxaca</h1>' in page
    assert '<p class="description" lang="es">Una cooperativa' in page
    listing = client.get("/fr/cases/").content.decode()
    assert '<article class="case-card" lang="es">' in listing
    assert '<p class="meta" lang="fr">' in listing  # the interface's words keep theirs


def test_case_without_a_language_has_no_lang_attribute(client, db):
    make_case("Weavers of Pune")
    page = client.get("/cases/weavers-of-pune/").content.decode()
    assert "<h1>Weavers of Pune</h1>" in page
    assert '<article class="case-card">' in client.get("/cases/").content.decode()


def test_a_language_must_be_a_language_tag(db):
    from django.core.exceptions import ValidationError

    case = make_case("Weavers of Pune")
    case.language = "Spanish!"
    with pytest.raises(ValidationError, match="language code"):
        case.full_clean()


def test_spanish_page_is_never_served_from_the_english_copy(client, world):
    assert "Apply filters" in client.get("/cases/").content.decode()  # the shared copy
    spanish = client.get("/es/cases/")
    assert "Aplicar filtros" in spanish.content.decode()
    assert spanish["ETag"] != client.get("/cases/")["ETag"]


def test_cache_key_names_the_language_even_on_one_path(world, rf: RequestFactory, settings):
    """If a language ever came from elsewhere than the path, the copies would still differ."""
    from django.contrib.auth.models import AnonymousUser

    from cases.middleware import CatalogueStateMiddleware

    view = caching.catalogue_page(CaseListView.as_view())

    def render(code: str) -> str:
        request = rf.get("/cases/")
        request.user = AnonymousUser()
        CatalogueStateMiddleware(lambda request: None)(request)
        with translation.override(code):
            response = view(request)
            response.render() if hasattr(response, "render") else None
            return response.content.decode()

    cache.clear()
    assert "Apply filters" in render("en")
    assert "Aplicar filtros" in render("es")


def test_the_kind_field_names_every_kind(db):
    from cases.exports import ORGANIZATION_FIELDS
    from cases.models import Organization

    kind = next(field for field in ORGANIZATION_FIELDS if field.name == "kind")
    assert set(re.findall(r"[a-z-]{5,}", kind.description)) >= set(Organization.Kind.values)
