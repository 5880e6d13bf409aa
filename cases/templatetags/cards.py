"""`{% case_card case %}`: a case's card, its HTML kept per worker between requests.

A crawler walking filters and pages sees the same cards again and again, and drawing the 20
cards of a list page cost a quarter of its time (about 180 µs a card). A card's HTML is kept
under a digest of everything it shows (and the interface's language), so an edit of the
case, its region, themes or organizations gives it a new key and the old copy just ages out:
no stale card is served, and an unrelated edit keeps it. At most CATALOGUE_CARD_CACHE_BYTES
per worker, least recently used first out.
"""

import hashlib
import sys
import threading
from html import escape

from cachetools import LRUCache
from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

from cases.models import CaseCard

register = template.Library()


def card_size(parts: tuple[str, str, str]) -> int:
    """The bytes a kept card takes: its three strings (before and after the excerpt, and the
    excerpt without a search), its key and the entry."""
    return sum(sys.getsizeof(part) for part in parts) + 100


kept = LRUCache(maxsize=settings.CATALOGUE_CARD_CACHE_BYTES, getsizeof=card_size)
_lock = threading.Lock()


def _key(card: CaseCard) -> bytes:
    """A digest of what the card shows, in the reader's language."""
    region = (card.region.slug, card.region.name) if card.region else None
    shown = (
        *(card.pk, card.slug, card.title, card.description, region, tuple(card.country)),
        *(card.city, card.marked_absent, card.language, get_language()),
        [(theme.slug, theme.name) for theme in card.themes],
        [link.organization.name for link in card.links],
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).digest()


# A card, written in Python. Its excerpt as a template cost about 50 µs a card, three times
# what a kept card costs.
CARD_HEAD = (
    '<article class="case-card"{}>\n  <h3 class="case-title"><a href="{}">{}</a></h3>\n  \n  \n'
    '  <p class="meta"{}>\n    {}\n    {}\n    {}\n    {}\n  </p>\n'
    '  <ul class="tags" aria-label="{}"{}>\n    {}\n  </ul>\n  '
)
SPAN = "<span>{}</span>"
BADGE = '<span class="badge">{}</span>'
THEME = '<li><a href="{}">{}</a></li>'
ORGS = '\n    <p class="orgs"><span class="visually-hidden"{}>{} </span>{}</p>\n  '
CARD_END = "\n  {}\n</article>\n"
LINE = '\n    <p class="excerpt{0}">{1}{2}</p>\n  '
LABEL = '<span class="excerpt-label"{0}>{1}:</span> '


def _excerpt(case, excerpts) -> str:
    """Why the case matched a search (`excerpts`, (label, html) lines); else the first 40
    words of its description. A label is in the interface's language, inside a card in the
    case's."""
    if not excerpts:
        return format_html(LINE, "", "", Truncator(case.description).words(40, truncate=" …"))
    lang = format_html(' lang="{}"', get_language()) if case.language else ""
    return format_html_join(
        "",
        LINE,
        (
            (" excerpt-person", format_html(LABEL, lang, label), html) if label else ("", "", html)
            for label, html in excerpts
        ),
    )


def _drawn(case) -> tuple[str, str]:
    """The card's HTML before and after its excerpt. Written in Python with the standard
    library's escape (Django's, without its lazy-string checks): about 70 µs a card, where the
    template took 180 µs, and a cold page draws most of its cards."""
    language = case.language
    # The interface's words in its own language, inside a card in the case's.
    own = f' lang="{escape(get_language())}"' if language else ""
    before = CARD_HEAD.format(
        f' lang="{escape(language)}"' if language else "",
        escape(case.get_absolute_url()),
        escape(case.title),
        own,
        SPAN.format(escape(case.region.label)) if case.region else "",
        SPAN.format(escape(case.country.name)) if case.country else "",
        SPAN.format(escape(case.city)) if case.city else "",
        BADGE.format(escape(gettext("Flagged “absent” by its source")))
        if case.marked_absent
        else "",
        escape(gettext("Themes")),
        own,
        "".join(
            THEME.format(escape(theme.get_absolute_url()), escape(theme.label))
            for theme in case.themes.all()
        ),
    )
    links = getattr(case, "links", None)
    if not links:
        return before, CARD_END.format("")
    names = " · ".join(escape(link.organization.name) for link in links)
    return before, CARD_END.format(ORGS.format(own, escape(gettext("Organizations:")), names))


@register.simple_tag
def case_card(case) -> str:
    """The card of a case (a CaseCard is kept, a Case drawn each time), with its search
    excerpt when it has one."""
    excerpts = getattr(case, "search_excerpt", None)
    if not isinstance(case, CaseCard):
        before, after = _drawn(case)
        return mark_safe(before + _excerpt(case, excerpts) + after)
    key = _key(case)
    with _lock:
        parts = kept.get(key)
    if parts is None:
        parts = (*_drawn(case), _excerpt(case, None))
        if card_size(parts) <= kept.maxsize:
            with _lock:
                kept[key] = parts
    before, after, plain = parts
    excerpt = plain if excerpts is None else _excerpt(case, excerpts)
    return mark_safe(before + excerpt + after)
