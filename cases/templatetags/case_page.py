"""Parts of the case page drawn in Python: its dates, its facts and where they come from.

The template language spends some microseconds on each variable, tag and loop turn, and
each translation lookup a few more; these three parts cost a third of a millisecond as
template. The markup is the template's, to the byte: translated phrases are escaped as
`{% translate %}` escapes them, and in a `{% blocktranslate %}` phrase only the values put in
it. Values are escaped with the standard library's escape (what Django's does, minus its
checks for lazy strings).
"""

from functools import lru_cache
from html import escape

from django import template
from django.template.defaultfilters import date
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from cases.models import Case, country_name

register = template.Library()

FACTS = (
    '<dl class="facts">\n'
    "    <div><dt>{region}</dt><dd>{0}</dd></div>\n"
    "    <div><dt>{country}</dt><dd>{1}</dd></div>\n"
    "    <div><dt>{city}</dt><dd>{2}</dd></div>\n"
    '    <div class="wide"><dt>{themes}</dt><dd>\n'
    '      <ul class="tags">\n        {3}\n      </ul>\n'
    "    </dd></div>\n  </dl>"
)
LINK = '<a href="{0}">{1}</a>'
PROVENANCE = "\n            <tr><td>{0}</td><td>{1}</td></tr>\n          "


@lru_cache(maxsize=32)
def _phrases(language: str, prefix: str) -> dict:
    """The fixed words of these parts in the active language, and the list's address: found
    once per language and worker."""
    return {
        "region": escape(gettext("Region")),
        "country": escape(gettext("Country")),
        "city": escape(gettext("City")),
        "themes": escape(gettext("Themes")),
        "not_stated": escape(gettext("Not stated")),
        "none_yet": escape(gettext("None yet")),
        "source text": escape(gettext("Stated in the source text")),
        "editorial": escape(gettext("Added by the editors")),
        "facts": {fact: escape(str(label)) for fact, label in Case.FACT_LABELS.items()},
        "case_list": escape(reverse("case-list")),
        "dates": gettext(
            'Added <time datetime="%(added_iso)s">%(added)s</time> · last updated'
            ' <time datetime="%(updated_iso)s">%(updated)s</time>'
        ),
    }


def _words() -> dict:
    return _phrases(get_language(), get_script_prefix())


@lru_cache(maxsize=1024)
def _label(name: str, language: str) -> str:
    """A vocabulary name (theme, region) in the active language, escaped."""
    return escape(gettext(name))


@register.simple_tag
def case_dates(case) -> str:
    """When the case was added and last updated, in the reader's date format."""
    values = {}
    for name, moment in (("added", case.created_at), ("updated", case.updated_at)):
        local = template_localtime(moment)  # as the template's `date` filter gets it
        values[name] = escape(date(local, "DATE_FORMAT"))
        values[f"{name}_iso"] = local.isoformat()  # what the `date` filter's "c" gives
    return mark_safe(_words()["dates"] % values)


@register.simple_tag
def case_facts(case) -> str:
    """Region, country, city and themes, each linked to its cases, or "Not stated"."""
    words, language, region, country = _words(), get_language(), case.region, case.country
    unstated = words["not_stated"]
    themes = [
        f"<li>{LINK.format(escape(theme.get_absolute_url()), _label(theme.name, language))}</li>"
        for theme in case.themes.all()
    ] or [f"<li>{words['none_yet']}</li>"]
    facts = [
        LINK.format(escape(region.get_absolute_url()), _label(region.name, language))
        if region
        else unstated,
        LINK.format(
            f"{words['case_list']}?country={escape(country.code)}",
            escape(country_name(country.code)),
        )
        if country
        else unstated,
        escape(case.city) if case.city else unstated,
        "".join(themes),
    ]
    return mark_safe(FACTS.format(*facts, **words))


@register.simple_tag
def provenance_rows(case) -> str:
    """A table row for each fact: stated in the source text, or added by the editors."""
    words = _words()
    labels = words["facts"]
    rows = (PROVENANCE.format(labels[fact], words[origin]) for fact, origin in case.provenance)
    return mark_safe("".join(rows))
