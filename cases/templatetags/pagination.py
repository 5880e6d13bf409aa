"""The page numbers of paginated lists, and `{% pagination page_obj %}`: their links.

The links are drawn in Python with the markup of the template they replaced, to the byte:
as a template, with a `{% querystring %}` (a deep copy of the query) per link, they cost
about 0.3 ms a page.
"""

import copy
from html import escape

from django import template
from django.core.paginator import Page
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .facets import number as localized

register = template.Library()

NAV = (
    '\n<nav class="pagination" aria-label="{0}">\n'
    '  <p class="range">{1}</p>\n'
    "  <ul>\n    {2}\n    {3}\n    {4}\n  </ul>\n</nav>\n"
)
PREVIOUS = '<li><a rel="prev" href="{0}">{1}</a></li>'
NEXT = '<li><a rel="next" href="{0}">{1}</a></li>'
GAP = '<li class="gap">…</li>\n      '
CURRENT = (
    '<li><span aria-current="page"><span class="visually-hidden">{0} </span>{1}</span></li>\n      '
)
OTHER = '<li><a href="{0}"><span class="visually-hidden">{1} </span>{2}</a></li>'


@register.filter
def page_numbers(page: Page) -> list[int | None]:
    """The numbers to link around the current page, None for each gap: 1 … 4 5 6 … 250."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]


def _with_page(query, number: int) -> str:
    """What `{% querystring page=number %}` gives (escaped, as a tag's output is), from a
    shallow copy of the query: setting the page replaces its list, nothing else changes."""
    params = copy.copy(query)
    params["page"] = number
    return escape(f"?{params.urlencode()}")


def _numbers(page: Page, query) -> str:
    word = escape(gettext("Page"))
    html = []
    for number in page_numbers(page):
        if not number:
            item = GAP
        elif number == page.number:
            item = CURRENT.format(word, localized(number))
        else:
            item = OTHER.format(_with_page(query, number), word, localized(number))
        html.append(f"\n      {item}\n    ")
    return "".join(html)


@register.simple_tag(takes_context=True)
def pagination(context, page: Page) -> str:
    """Links to the previous, next and nearby pages, keeping the query; which cases of how
    many are shown. Nothing for a single page."""
    if not page or not page.has_other_pages():
        return mark_safe("\n")
    query = context.request.GET
    shown = gettext("%(start)s–%(end)s of %(total)s") % {
        "start": localized(page.start_index()),
        "end": localized(page.end_index()),
        "total": localized(page.paginator.count),
    }
    previous = next_ = ""
    if page.has_previous():
        previous = PREVIOUS.format(
            _with_page(query, page.previous_page_number()), escape(gettext("← Previous"))
        )
    if page.has_next():
        next_ = NEXT.format(_with_page(query, page.next_page_number()), escape(gettext("Next →")))
    pages = escape(gettext("Pages"))
    return mark_safe(NAV.format(pages, shown, previous, _numbers(page, query), next_) + "\n")
