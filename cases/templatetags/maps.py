"""`{% region_map map %}`: the world map of / and /cases/ (cases/region_map.py), its legend
and the same numbers as a table.

Drawn in Python with the markup of the template it replaced, to the byte: as a template its
forty-odd variables cost about a millisecond a list page.
"""

from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from cases.region_map import OUTLINES, RegionMap

from .facets import number

register = template.Library()

FIGURE = (
    '\n<figure class="region-map" id="region-map" data-live>\n'
    '  <figcaption class="region-map-caption">{0}</figcaption>\n'
    '  <svg class="region-map-svg" viewBox="{1}" xmlns="http://www.w3.org/2000/svg">\n'
    "    {2}\n  </svg>\n"
    '  <ul class="map-legend">\n    {3}\n  </ul>\n'
    '  <details class="region-table">\n    <summary>{4}</summary>\n    <table>\n'
    '      <thead><tr><th scope="col">{5}</th><th scope="col">{6}</th></tr></thead>\n'
    "      <tbody>\n        {7}\n      </tbody>\n    </table>\n  </details>\n</figure>\n"
)
SHAPE = (
    '\n      <a href="{0}" class="region shade-{1}{2}" data-region="{3}" aria-label="{4}{5}">\n'
    '        <title>{4}</title>\n        <path d="{6}"/>\n      </a>\n    '
)
STEP = '\n      <li><span class="swatch shade-{0}"></span> {1}</li>\n    '
ROW = '\n          <tr><th scope="row">{0}{1}</th><td>{2}</td></tr>\n        '


# The outlines escaped once (a few kilobytes each).
PATHS = {slug: escape(path) for slug, path in OUTLINES["regions"].items()}


# Below, values are escaped with the standard library's escape (what Django's does, minus
# its checks for lazy strings, which cost more than the escaping here).
def _shapes(regions) -> str:
    chosen = " " + escape(gettext("(chosen; remove)"))
    shapes = []
    for r in regions:
        selected, remove = (" selected", chosen) if r.selected else ("", "")
        description = escape(r.description)
        shapes.append(
            SHAPE.format(
                escape(r.url), r.shade, selected, escape(r.slug), description, remove, PATHS[r.slug]
            )
        )
    return "".join(shapes)


def _steps(legend) -> str:
    def counts(step):
        if not step.shade:
            return escape(gettext("none"))
        if step.low == step.high:
            return number(step.low)
        return f"{number(step.low)}–{number(step.high)}"

    return "".join(STEP.format(step.shade, counts(step)) for step in legend)


def _rows(regions) -> str:
    chosen = " " + escape(gettext("(chosen)"))
    return "".join(
        ROW.format(escape(str(r.name)), chosen if r.selected else "", number(r.count))
        for r in regions
    )


@register.simple_tag
def region_map(shown: RegionMap) -> str:
    """The map: each drawn region a link, shaded by its number of cases; the legend; the
    table of every region."""
    return format_html(
        FIGURE,
        gettext("Cases by region"),
        shown.view_box,
        mark_safe(_shapes(shown.drawn)),
        mark_safe(_steps(shown.legend)),
        gettext("The numbers as a table"),
        gettext("Region"),
        gettext("Cases"),
        mark_safe(_rows(shown.regions)),
    )
