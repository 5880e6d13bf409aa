"""Cite this case: the plain-text citation on its page and BibTeX, RIS and CSL-JSON downloads."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

import bibtexparser
import pytest
from bibtexparser.middlewares.names import SeparateCoAuthors
from django.test import Client
from django.utils import timezone
from pylatexenc.latex2text import LatexNodes2Text

from cases.citations import bibtex_escape
from cases.models import Case

from .factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"
CREATED = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
UPDATED = datetime(2025, 6, 2, 16, 30, tzinfo=UTC)


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["internal.example", "testserver"]


@pytest.fixture
def case(db) -> Case:
    """A published case named by two organizations, one called "… and …"."""
    roses = make_organization("Bread and Roses Cooperative")
    city = make_organization("City of Lyon", "government-and-public-agency")
    contact = make_contact(roses, "Ana Ruiz", email="ana@example.org")
    case = make_case("Bakers of Lyon", region="europe", organizations=[(roses, contact), city])
    Case.objects.filter(pk=case.pk).update(created_at=CREATED, updated_at=UPDATED)
    return case


@pytest.fixture
def draft(db) -> Case:
    return make_case("Secret zeppelin cooperative", status=Case.Status.DRAFT)


def download(client, case: Case, style: str, status: int = 200, **headers):
    response = client.get(f"/cases/{case.slug}/cite.{style}", **headers)
    assert response.status_code == status
    return response


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    return library.entries[0]


def latex_text(value: str) -> str:
    return LatexNodes2Text().latex_to_text(value)


# BibTeX


def test_bibtex_names_organizations_as_institutional_authors(client, site, case):
    response = download(client, case, "bib", HTTP_HOST="internal.example")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    entry = parse_bibtex(response.content.decode())
    fields = {key: field.value for key, field in entry.fields_dict.items()}

    assert entry.entry_type == "misc"
    assert entry.key == case.slug
    # Braced whole: "Bread and Roses Cooperative" is one author, not two people.
    assert fields["author"] == ["{Bread and Roses Cooperative}", "{City of Lyon}"]
    assert latex_text(fields["title"]) == "Bakers of Lyon"
    assert fields["howpublished"] == "SSE case-study catalogue"
    assert fields["year"] == "2025"
    assert fields["date"] == "2025-06-02"
    assert fields["url"] == f"{SITE}/cases/{case.slug}/"
    assert fields["note"] == "Created 2025-01-15; last updated 2025-06-02."
    assert "ana@example.org" not in response.content.decode()


def test_bibtex_escapes_every_special_character(client, db):
    title = r"Ca$h & 100% #1 co_op {a} ~ \ ^ “Ñandú”"
    organization = make_organization("Smith & Sons {Ltd} 50%")
    case = make_case(title, organizations=[organization])

    entry = parse_bibtex(download(client, case, "bib").content.decode())

    raw_title = entry.fields_dict["title"].value
    assert raw_title.count("{") == raw_title.count("}")  # no stray brace ends the value
    assert r"\textasciicircum{}" in raw_title
    assert latex_text(raw_title.replace(r"\textasciicircum{}", "^")) == title
    [author] = entry.fields_dict["author"].value
    assert latex_text(author) == "Smith & Sons {Ltd} 50%"
    assert author == r"{Smith \& Sons \{Ltd\} 50\%}"


def test_bibtex_escape_leaves_plain_text_alone_and_joins_lines():
    assert bibtex_escape("Économie sociale\net solidaire") == "Économie sociale et solidaire"
    assert bibtex_escape("a_b") == r"a\_b"


# RIS


def ris_records(text: str) -> list[tuple[str, str]]:
    assert text.endswith("ER  - \r\n")
    lines = text.split("\r\n")[:-1]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines), lines
    return [(line[:2], line[6:]) for line in lines]


def test_ris_has_the_standard_tags(client, site, case):
    response = download(client, case, "ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    records = ris_records(response.content.decode())
    tags = dict(records)

    assert records[0] == ("TY", "ELEC")
    assert records[-1] == ("ER", "")
    assert [value for tag, value in records if tag == "AU"] == [
        "Bread and Roses Cooperative",
        "City of Lyon",
    ]
    assert tags["TI"] == "Bakers of Lyon"
    assert tags["T2"] == "SSE case-study catalogue"
    assert tags["PY"] == "2025"
    assert tags["DA"] == "2025/06/02"
    assert tags["UR"] == f"{SITE}/cases/{case.slug}/"


def test_ris_keeps_each_value_on_one_line(client, db):
    case = make_case("A title\nwith a break")
    tags = dict(ris_records(download(client, case, "ris").content.decode()))
    assert tags["TI"] == "A title with a break"


# CSL-JSON


def test_csl_json_names_catalogue_authors_dates_and_permalink(client, site, case):
    response = download(client, case, "json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    [item] = json.loads(response.content)

    assert item == {
        "id": case.slug,
        "type": "webpage",
        "title": "Bakers of Lyon",
        "author": [{"literal": "Bread and Roses Cooperative"}, {"literal": "City of Lyon"}],
        "container-title": "SSE case-study catalogue",
        "publisher": "SSE case-study catalogue",
        "genre": "Case study",
        "issued": {"date-parts": [[2025, 6, 2]]},
        "available-date": {"date-parts": [[2025, 1, 15]]},
        "URL": f"{SITE}/cases/{case.slug}/",
    }


def test_a_case_without_organizations_is_cited_by_its_title(client, db):
    case = make_case("Nobody named")
    entry = parse_bibtex(download(client, case, "bib").content.decode())
    tags = [tag for tag, _ in ris_records(download(client, case, "ris").content.decode())]
    [item] = json.loads(download(client, case, "json").content)

    assert "author" not in entry.fields_dict
    assert "AU" not in tags
    assert item["author"] == []


# Downloads: files, drafts, caching


@pytest.mark.parametrize("style", ["bib", "ris", "json"])
def test_citations_download_as_files_named_after_the_case(client, case, style):
    for _ in range(2):  # the second answer is the shared copy: still a file
        response = download(client, case, style)
        expected = f'attachment; filename="{case.slug}.{style}"'
        assert response["Content-Disposition"] == expected


@pytest.mark.parametrize("style", ["bib", "ris", "json"])
def test_a_draft_has_no_citation_for_the_public(editor_client, draft, style):
    download(Client(), draft, style, status=404)
    assert download(editor_client, draft, style).status_code == 200


def test_citations_answer_304_until_the_case_changes(client, case):
    first = download(client, case, "bib")
    assert download(client, case, "bib", status=304, HTTP_IF_NONE_MATCH=first["ETag"])
    case.title = "Bakers of Lyon, revisited"
    case.save()
    again = download(client, case, "bib", HTTP_IF_NONE_MATCH=first["ETag"])
    assert "revisited" in again.content.decode()


# On the case page


def cite_block(client, case: Case, **headers) -> str:
    page = client.get(case.get_absolute_url(), **headers).content.decode()
    match = re.search(r'<section aria-labelledby="cite-heading".*?</section>', page, re.S)
    assert match, "no cite block"
    return match.group(0)


def test_case_page_shows_the_citation_with_permalink_and_dates(client, site, case):
    block = cite_block(client, case, HTTP_HOST="internal.example")
    text = unescape(re.sub(r"<[^>]+>", "", block))
    today = timezone.localdate()

    assert "Cite this case" in text
    assert (
        "Bread and Roses Cooperative; City of Lyon (2025). Bakers of Lyon [Case study]. "
        "In SSE case-study catalogue. Created 15 January 2025, last updated 2 June 2025. "
        f"{SITE}/cases/{case.slug}/ (accessed {today.day} {today:%B %Y})."
    ) in " ".join(text.split())
    assert f'datetime="{today.isoformat()}" data-accessed' in block
    for style in ("bib", "ris", "json"):
        assert f'href="/cases/{case.slug}/cite.{style}"' in block
    assert "internal.example" not in block


def test_draft_page_shows_staff_its_citation(editor_client, draft):
    assert "Secret zeppelin cooperative [Case study]" in cite_block(editor_client, draft)


def test_a_citation_download_costs_four_queries(client, case, django_assert_num_queries):
    # Catalogue state, the case, its themes, its organizations (with their contacts).
    with django_assert_num_queries(4):
        download(client, case, "ris")
