"""The case page answers a researcher: when, where from, and a link that lasts."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.utils import timezone

from cases.models import Case

from .factories import HOMENET, make_case
from .test_views import get, links, main, slug_of, text

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"


def times(html: str) -> list[tuple[str, str]]:
    """(datetime attribute, text) of each <time> element."""
    return re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)


def test_case_page_says_when_the_case_was_added_and_last_updated(client):
    case = make_case("Dated case")
    added = timezone.make_aware(datetime(2024, 3, 5, 10, 30))
    updated = timezone.make_aware(datetime(2025, 1, 20, 8, 0))
    Case.objects.filter(pk=case.pk).update(created_at=added, updated_at=updated)

    html = get(client, case.get_absolute_url())

    assert times(html) == [
        (added.isoformat(), "5 March 2024"),
        (updated.isoformat(), "20 January 2025"),
    ]
    assert "Added 5 March 2024 · last updated 20 January 2025" in text(html)


def test_case_page_offers_its_absolute_permalink(client, settings):
    settings.SITE_URL = SITE
    case = make_case("Linked case")

    html = get(client, case.get_absolute_url())

    field = re.search(r'<input id="permalink"[^>]*>', html).group()
    assert f'value="{SITE}/cases/{case.slug}/"' in field
    assert "readonly" in field
    assert '<label for="permalink">Permanent link to this case</label>' in html


def test_the_copy_button_waits_for_the_script(client):
    html = get(client, make_case().get_absolute_url())

    # The button carries its messages in the page's language (site.js reads them).
    button = re.search(r'<button type="button" class="secondary" data-copy="permalink"[^>]*>', html)
    assert button and button.group().endswith(" hidden>")
    assert 'data-copied="Link copied."' in button.group()
    assert html[button.end() :].startswith("Copy</button>")


def test_provenance_is_folded_under_the_story(client, imported):
    html = main(get(client, f"/cases/{slug_of(HOMENET)}/"))
    story_end = html.index('id="organizations-heading"')
    details = re.search(r'<details class="provenance">.*?</details>', html, flags=re.S)

    assert details.start() > story_end
    assert "<summary>Where these facts come from</summary>" in details.group()
    assert "Region Added by the editors" in text(details.group())
    assert details.start() < html.index('id="related-heading"')


def test_marked_absent_is_explained_in_plain_words(client, imported):
    page = text(get(client, f"/cases/{slug_of(HOMENET)}/"))

    assert "flags it as absent , without saying why" in page
    assert "its title there ends in “ - ABSENT”" in page
    assert "Marked absent in source" not in page


def test_a_card_of_a_case_marked_absent_says_so_in_plain_words(client, imported):
    page = text(get(client, "/cases/"))

    assert "Flagged “absent” by its source" in page
    assert "Marked absent in source" not in page


def test_printing_names_the_page_address(client, settings):
    settings.SITE_URL = SITE
    case = make_case("Printed case")

    html = get(client, case.get_absolute_url())

    assert (
        f'<p class="print-only">From the SSE case-study catalogue: {SITE}/cases/{case.slug}/</p>'
        in html
    )


def test_case_json_is_served_by_its_own_view_with_the_list_shape(client, imported):
    slug = slug_of(HOMENET)
    data = client.get(f"/cases/{slug}.json").json()

    assert data["slug"] == slug
    assert data["marked_absent"] is True
    assert client.get("/cases/no-such-case.json").status_code == 404


def test_the_breadcrumb_of_a_case_leads_home_and_to_the_cases(client, imported):
    trail = get(client, f"/cases/{slug_of(HOMENET)}/").split('aria-label="Breadcrumb"')[1]
    trail = trail.split("</nav>")[0]

    assert links(trail) == [("/", "Home"), ("/cases/", "Cases")]
