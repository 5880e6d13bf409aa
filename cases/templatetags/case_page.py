"""Parts of the case page drawn in Python: its dates, its facts and where they come from.

The template language spends some microseconds on each variable, tag and loop turn; these
three parts cost a third of a millisecond as template, a tenth of that as Python. The markup
is the template's, to the byte: translated phrases are escaped as `{% translate %}` escapes
them, and in a `{% blocktranslate %}` phrase only the values put in it.
"""

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

register = template.Library()

FACTS = (
    '<dl class="facts">\n'
    "    <div><dt>{0}</dt><dd>{1}</dd></div>\n"
    "    <div><dt>{2}</dt><dd>{3}</dd></div>\n"
    "    <div><dt>{4}</dt><dd>{5}</dd></div>\n"
    '    <div class="wide"><dt>{6}</dt><dd>\n'
    '      <ul class="tags">\n        {7}\n      </ul>\n'
    "    </dd></div>\n  </dl>"
)
LINK = '<a href="{0}">{1}</a>'
ITEM = "<li>{0}</li>"
PROVENANCE = "\n            <tr><td>{0}</td><td>{1}</td></tr>\n          "


@register.simple_tag
def case_dates(case) -> str:
    """When the case was added and last updated, in the reader's date format."""
    values = {}
    for name, moment in (("added", case.created_at), ("updated", case.updated_at)):
        local = template_localtime(moment)  # as the template's `date` filter gets it
        values[name] = escape(date(local, "DATE_FORMAT"))
        values[f"{name}_iso"] = escape(date(local, "c"))
    message = gettext(
        'Added <time datetime="%(added_iso)s">%(added)s</time> · last updated'
        ' <time datetime="%(updated_iso)s">%(updated)s</time>'
    )
    return mark_safe(message % values)


def _themes(case) -> str:
    themes = case.themes.all()
    if not themes:
        return format_html(ITEM, gettext("None yet"))
    links = ((format_html(LINK, theme.get_absolute_url(), theme.label),) for theme in themes)
    return format_html_join("", ITEM, links)


@register.simple_tag
def case_facts(case) -> str:
    """Region, country, city and themes, each linked to its cases, or "Not stated"."""
    unstated = gettext("Not stated")
    region = (
        format_html(LINK, case.region.get_absolute_url(), case.region.label)
        if case.region
        else unstated
    )
    country = (
        format_html(LINK, f"{reverse('case-list')}?country={case.country.code}", case.country_name)
        if case.country
        else unstated
    )
    return format_html(
        FACTS,
        *(gettext("Region"), region, gettext("Country"), country),
        *(gettext("City"), case.city or unstated, gettext("Themes"), _themes(case)),
    )


@register.simple_tag
def provenance_rows(case) -> str:
    """A table row for each fact: stated in the source text, or added by the editors."""
    stated, added = gettext("Stated in the source text"), gettext("Added by the editors")
    rows = (
        (fact, stated if origin == "source text" else added)
        for fact, origin in case.provenance_labels
    )
    return format_html_join("", PROVENANCE, rows)
