"""The region map of / and /cases/: outlines, shades from counts, links that add a region."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import Region
from cases.region_map import OUTLINES, STEPS, legend, shade

from .factories import make_case

MAP_FILE = Path(__file__).resolve().parent.parent / "cases" / "region_map.json"
REGION_LINK = re.compile(
    r'<a href="(?P<url>[^"]*)" class="region shade-(?P<shade>\d)(?P<selected> selected)?" '
    r'data-region="(?P<slug>[^"]+)" aria-label="(?P<label>[^"]+)">'
)


def drawn_regions(response) -> dict[str, dict]:
    """Each region link of the map: its shade, query, accessible name and whether it is chosen."""
    html = response.content.decode()
    return {
        m["slug"]: {
            "shade": int(m["shade"]),
            "query": parse_qs(urlsplit(unescape(m["url"])).query),
            "path": urlsplit(unescape(m["url"])).path,
            "label": unescape(m["label"]),
            "selected": bool(m["selected"]),
        }
        for m in REGION_LINK.finditer(html)
    }


def test_no_cases_is_the_lightest_shade():
    assert shade(0, 10) == 0
    assert shade(0, 0) == 0


def test_the_largest_count_gets_the_darkest_shade():
    assert shade(10, 10) == STEPS
    assert shade(1, 1) == STEPS


def test_shades_rise_in_equal_steps_of_the_largest_count():
    assert [shade(n, 8) for n in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_a_single_case_is_never_shaded_as_none():
    assert shade(1, 1000) == 1


def test_legend_gives_the_counts_of_each_shade():
    assert [(s.shade, s.low, s.high) for s in legend(8)] == [
        (0, 0, 0),
        (1, 1, 2),
        (2, 3, 4),
        (3, 5, 6),
        (4, 7, 8),
    ]


def test_legend_leaves_out_shades_no_count_can_reach():
    assert [(s.shade, s.low, s.high) for s in legend(2)] == [(0, 0, 0), (2, 1, 1), (4, 2, 2)]
    assert [s.shade for s in legend(0)] == [0]


@pytest.mark.django_db
def test_every_region_has_an_outline_in_a_small_file():
    assert set(OUTLINES["regions"]) == set(Region.objects.values_list("slug", flat=True))
    assert all(re.fullmatch(r"(M[-\d ]+l[-\d ]+z)+", d) for d in OUTLINES["regions"].values())
    assert MAP_FILE.stat().st_size < 60_000


@pytest.mark.django_db
def test_home_map_shades_regions_by_their_published_cases(client):
    for _ in range(4):
        make_case(region="europe")
    make_case(region="africa")
    make_case(region="asia", status="draft")
    regions = drawn_regions(client.get("/"))
    assert len(regions) == Region.objects.count() == 7
    assert regions["europe"]["shade"] == 4
    assert regions["africa"]["shade"] == 1
    assert regions["asia"]["shade"] == 0  # a draft does not count
    assert regions["europe"]["label"] == "Europe: 4 cases"
    assert regions["africa"]["label"] == "Africa: 1 case"
    assert regions["africa"]["path"] == "/cases/"
    assert regions["africa"]["query"] == {"region": ["africa"]}


@pytest.mark.django_db
def test_list_map_shades_by_the_counts_under_the_filters(client):
    for _ in range(3):
        make_case(region="asia", themes=["women"])
    make_case(region="europe", themes=["women"])
    for _ in range(5):
        make_case(region="europe", themes=["youth"])
    regions = drawn_regions(client.get("/cases/?theme=women"))
    assert regions["asia"]["shade"] == 4
    assert regions["europe"]["shade"] == 2  # 1 of 3 women cases, not 6 of all
    assert regions["africa"]["shade"] == 0
    assert regions["europe"]["label"] == "Europe: 1 case"
    assert "<td>3</td>" in client.get("/cases/?theme=women").content.decode()


@pytest.mark.django_db
def test_list_map_links_add_the_region_keeping_filters_and_search(client):
    make_case(region="asia", themes=["women"])
    response = client.get("/cases/?theme=women&q=waste&sort=title&page=1")
    link = drawn_regions(response)["europe"]
    assert link["path"] == "/cases/"
    assert link["query"] == {
        "theme": ["women"],
        "q": ["waste"],
        "sort": ["title"],
        "region": ["europe"],
    }


@pytest.mark.django_db
def test_list_map_link_of_a_chosen_region_removes_it(client):
    make_case(region="asia")
    make_case(region="europe")
    regions = drawn_regions(client.get("/cases/?region=asia&region=europe"))
    assert regions["asia"]["selected"]
    assert regions["asia"]["query"] == {"region": ["europe"]}
    assert regions["asia"]["label"] == "Asia: 1 case (chosen; remove)"
    assert not regions["africa"]["selected"]
    assert regions["africa"]["query"] == {"region": ["asia", "europe", "africa"]}
    # The counts of a chosen facet ignore its own choice: both regions stay shaded.
    assert regions["europe"]["shade"] == regions["asia"]["shade"] == 4


@pytest.mark.django_db
def test_map_has_no_inline_style(client):
    make_case(region="asia")
    for url in ("/", "/cases/"):
        html = client.get(url).content.decode()
        figure = html[html.index('<figure class="region-map"') : html.index("</figure>")]
        assert "style=" not in figure
        assert 'class="swatch shade-0"' in figure
