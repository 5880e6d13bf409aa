"""`{% facet_groups groups %}`: the filter panel's facets, each a fieldset of checkboxes.

Drawn in Python: a list page has about 80 options, and the template language spends some
microseconds on each variable, so the same markup as a template cost a quarter of the page.
The markup is the template's, to the byte; translated phrases are escaped as `{% translate %}`
escapes them, and only the values put in them as `{% blocktranslate %}` does.
"""

from functools import lru_cache

from django import template
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

BEFORE_STATE = '<li>\n  <input type="checkbox" id="f-{0}-{1}" name="{0}" value="{1}"'
BEFORE_COUNT = '>\n  <label for="f-{0}-{1}">{2} <span class="count">'
AFTER_COUNT = "</span></label>\n</li>\n"
HEAD = (
    '\n          <fieldset class="facet" aria-describedby="hint-{0}">\n'
    "            <legend>{1}</legend>\n"
    '            <p class="hint" id="hint-{0}">{2}</p>\n            '
)
FIND = (
    '\n              <label for="find-{0}" class="visually-hidden">{1}</label>\n'
    '              <input type="search" id="find-{0}" class="facet-find" placeholder="{2}"'
    " data-find hidden>\n            "
)
TOP = "\n            <ul>\n              {0}\n              {1}\n            </ul>\n            "
EMPTY = '<li class="empty">{0}</li>'
MORE = (
    '\n              <details class="facet-more" id="more-{0}"{1}>\n'
    '                <summary><span class="when-closed">{2}</span><span class="when-open">{3}'
    '</span> <span class="visually-hidden">{4}</span></summary>\n'
    "                <ul>\n                  {5}\n                </ul>\n"
    "              </details>\n            "
)
END = "\n          </fieldset>\n        "


@lru_cache(maxsize=4096)
def _option_markup(name: str, value: str, label: str) -> tuple[str, str]:
    """An option's markup before its state and before its count, escaped once per worker."""
    return format_html(BEFORE_STATE, name, value), format_html(BEFORE_COUNT, name, value, label)


def _state(option) -> str:
    if option.selected:
        return " checked"
    return "" if option.count else " disabled"


def number(count: int) -> str:
    """A count as the reader's language writes numbers (only from 1,000 on does it differ)."""
    return str(count) if count < 1000 else localize(count)


def facet_options(name: str, options) -> str:
    """Each option of facet `name`: ticked when chosen, disabled when it matches nothing."""
    html = []
    for option in options:
        before_state, before_count = _option_markup(name, option.value, str(option.label))
        html += [before_state, _state(option), before_count, number(option.count), AFTER_COUNT]
    return mark_safe("".join(html))


def _phrase(translated: str, **values) -> str:
    """A translated phrase with escaped values put in, as {% blocktranslate %} draws it (the
    phrase is given translated, so that makemessages finds it)."""
    return mark_safe(translated % {key: escape(value) for key, value in values.items()})


def _facet_group(group) -> str:
    """One facet: its options with matches first; a long one folds the rest, with a finder."""
    name, label = group.name, str(group.label)
    html = [format_html(HEAD, name, label, gettext("Any of these"))]
    if group.rest:
        find = _phrase(gettext("Find %(facet)s"), facet=label.lower())
        type_to = _phrase(gettext("Type to filter %(facet)s"), facet=label.lower())
        html.append(format_html(FIND, name, find, type_to))
    empty = "" if group.top else format_html(EMPTY, gettext("None yet"))
    html.append(format_html(TOP, facet_options(name, group.top), empty))
    if group.rest:
        opened = " open" if group.rest_selected else ""
        show_all = _phrase(gettext("Show all %(total)s"), total=number(group.total))
        rest = facet_options(name, group.rest)
        html.append(
            format_html(MORE, name, opened, show_all, gettext("Show fewer"), label.lower(), rest)
        )
    html.append(END)
    return "".join(html)


@register.simple_tag
def facet_groups(groups) -> str:
    """The filter panel's facets (FacetGroup), each a fieldset."""
    return mark_safe("".join(_facet_group(group) for group in groups))
