"""The world map of / and /cases/: each region's outline, shaded by its number of cases."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import ngettext

from .filters import Option, normalize

# Derived from Natural Earth by scripts/build_region_map.py; read once per process.
OUTLINES = json.loads(Path(__file__).with_name("region_map.json").read_text())
STEPS = 4  # shades for regions with cases; shade 0 is a region without any


@dataclass(frozen=True)
class MapRegion:
    slug: str
    name: str
    count: int
    url: str
    shade: int
    selected: bool = False

    @property
    def description(self) -> str:
        """What a reader hears for the region's shape: its name and number of cases."""
        message = ngettext("%(region)s: %(count)s case", "%(region)s: %(count)s cases", self.count)
        return message % {"region": self.name, "count": number_format(self.count)}

    @property
    def path(self) -> str:
        """The SVG path data of the region's outline; empty for a region not on the map."""
        return OUTLINES["regions"].get(self.slug, "")


@dataclass(frozen=True)
class LegendStep:
    shade: int
    low: int
    high: int


@dataclass(frozen=True)
class RegionMap:
    regions: list[MapRegion]
    legend: list[LegendStep]
    view_box: str = OUTLINES["viewBox"]

    @property
    def drawn(self) -> list[MapRegion]:
        """The regions that have an outline, in the order given."""
        return [region for region in self.regions if region.path]


def shade(count: int, most: int) -> int:
    """0 without cases, else 1…STEPS in equal parts of the largest count (which gets STEPS)."""
    if count <= 0 or most <= 0:
        return 0
    return min(STEPS, math.ceil(STEPS * count / most))


def legend(most: int) -> list[LegendStep]:
    """The counts each shade stands for, from none up; shades that no count reaches are left out."""
    steps = [LegendStep(0, 0, 0)]
    for step in range(1, STEPS + 1):
        low, high = most * (step - 1) // STEPS + 1, most * step // STEPS
        if low <= high:
            steps.append(LegendStep(step, low, high))
    return steps


def region_map(counts: list[tuple[str, str, int, str, bool]]) -> RegionMap:
    """The map of (slug, name, count, url, selected) rows, shaded against the largest count."""
    most = max((count for _, _, count, _, _ in counts), default=0)
    regions = [
        MapRegion(slug, name, count, url, shade(count, most), selected)
        for slug, name, count, url, selected in counts
    ]
    return RegionMap(regions, legend(most))


def home_map(regions) -> RegionMap:
    """The map of the home page: regions annotated with `case_count`, each linking to its list
    (named in the reader's language)."""
    base = reverse("case-list")
    return region_map(
        [(r.slug, r.label, r.case_count, f"{base}?region={r.slug}", False) for r in regions]
    )


def list_map(options: list[Option], params: QueryDict) -> RegionMap:
    """The map of /cases/ from the region facet: each region links to the current query with
    that region added (or, when chosen already, removed), back on the first page."""
    query = normalize(params)
    query.pop("page", None)
    chosen, base = query.getlist("region"), reverse("case-list")
    rows = []
    for option in options:
        linked = copy.copy(query)  # shallow (QueryDict.copy() is a deep copy): setlist replaces
        others = [slug for slug in chosen if slug != option.value]
        linked.setlist("region", others if option.selected else [*others, option.value])
        url = f"{base}?{linked.urlencode()}".rstrip("?")
        rows.append((option.value, option.label, option.count, url, option.selected))
    return region_map(rows)
