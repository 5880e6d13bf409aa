"""No serious or critical axe-core violation on any page type; phones get no horizontal scroll."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Case

from ..factories import make_collection
from .conftest import BARCELONA

COLLECTION = "/collections/waste-pickers-and-their-cities/"

pytestmark = pytest.mark.browser

PAGES = {
    "home": ("/", 200),
    "case list": ("/cases/", 200),
    "filtered case list": ("/cases/?theme=women", 200),
    "search with ignored words": ("/cases/?q=a+b+c+d+e+f+g+h+i+j+k+l", 200),
    "case detail": (f"/cases/{BARCELONA}/", 200),
    "organization list": ("/organizations/", 200),
    "organization list filtered and sorted": (
        "/organizations/?q=de&kind=sse-organization&sort=cases",
        200,
    ),
    "organization list finding nothing": ("/organizations/?q=zzyzx", 200),
    "organization": ("/organizations/ayuntamiento-de-barcelona/", 200),
    "theme list": ("/themes/", 200),
    "theme": ("/themes/social-cohesion/", 200),
    "region": ("/regions/europe/", 200),
    "data": ("/data/", 200),
    "API": ("/api/", 200),
    "region list": ("/regions/", 200),
    "theme without cases": ("/themes/indicators-and-measures-of-impact/", 200),
    "search with highlights": ("/cases/?q=vegue", 200),
    "collection list": ("/collections/", 200),
    "collection": (COLLECTION, 200),
    "suggest a case": ("/suggest/", 200),
    "thanks for a suggestion": ("/suggest/thanks/", 200),
    "not found": ("/cases/no-such-case/", 404),
    "bad request": ("/cases/?page=abc", 400),
}
BLOCKING = {"serious", "critical"}
# The rule sets axe-core checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus best practice.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}

AXE_SCRIPT = Axe().axe_script
# Only the violations travel back: the whole result (every rule that passed, with its elements)
# cost a third of each check's CPU to build and to carry to the test.
RUN_AXE = "options => axe.run(options).then(results => results.violations)"


@pytest.fixture(autouse=True)
def collection(catalogue):
    """A collection of the seed cases: the seed text has none."""
    make_collection(
        "Waste pickers and their cities",
        Case.objects.order_by("-title"),
        introduction="Cooperatives of waste pickers and the cities they work with.",
    )


def blocking_violations(page) -> list[str]:
    """One line per serious or critical violation: rule id, impact and offending elements."""
    page.evaluate(AXE_SCRIPT)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in page.evaluate(RUN_AXE, AXE_OPTIONS)
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(("path", "status"), PAGES.values(), ids=PAGES.keys())
def test_no_serious_axe_violations(visitor, path, status):
    page = visitor.open(path, status=status)
    assert blocking_violations(page) == []
    visitor.assert_clean()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/",
        f"/cases/{BARCELONA}/",
        "/organizations/",
        "/organizations/?kind=sse-organization",
        "/regions/",
        COLLECTION,
        "/data/",
        "/api/",
    ],
)
def test_phone_reflows_without_horizontal_scroll_and_passes_axe(mobile_visitor, path):
    page = mobile_visitor.open(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide on a 375px screen"
    assert page.evaluate("window.innerWidth") == 375, "the page was zoomed out to fit"
    assert blocking_violations(page) == []
    mobile_visitor.assert_clean()
