"""`{% facet_options name options %}`: a facet's options as checkboxes.

Drawn in Python: a list page has about 80 options, and the template language spends some
microseconds on each variable, so the same markup as a template cost a quarter of the page.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html_join

register = template.Library()

OPTION = (
    '<li>\n  <input type="checkbox" id="f-{0}-{1}" name="{0}" value="{1}"{2}>\n'
    '  <label for="f-{0}-{1}">{3} <span class="count">{4}</span></label>\n</li>\n'
)


def _state(option) -> str:
    if option.selected:
        return " checked"
    return "" if option.count else " disabled"


@register.simple_tag
def facet_options(name: str, options) -> str:
    """Each option of facet `name`: ticked when chosen, disabled when it matches nothing;
    counts written as the reader's language writes numbers."""
    return format_html_join(
        "",
        OPTION,
        (
            (name, option.value, _state(option), option.label, localize(option.count))
            for option in options
        ),
    )
