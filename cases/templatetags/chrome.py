"""`{% once_per_language "includes/site_footer.html" %}`: a piece of every page that depends
only on the interface language (the header's links, the footer), drawn once per language
and worker instead of on every request (a dozen `reverse()` and `gettext` calls)."""

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

# The URLs and translations do not change while a worker runs, so the key names everything
# the piece depends on; with DEBUG on, an edited template shows at once.
_drawn: dict[tuple[str, str | None, str], str] = {}


@register.simple_tag
def once_per_language(template_name: str) -> str:
    """The template drawn without context, in the current language."""
    key = (template_name, translation.get_language(), get_script_prefix())
    html = _drawn.get(key)
    if html is None or settings.DEBUG:
        html = _drawn[key] = get_template(template_name).render()
    return mark_safe(html)


SOCIAL_META = (
    '<meta name="description" content="{description}">\n'
    '<meta property="og:site_name" content="{site}">\n'
    '<meta property="og:type" content="{type}">\n'
    '<meta property="og:title" content="{title}">\n'
    '<meta property="og:description" content="{description}">\n'
    "{url}\n"
    '<meta name="twitter:card" content="summary">\n'
    '<meta name="twitter:title" content="{title}">\n'
    '<meta name="twitter:description" content="{description}">\n'
)


@register.simple_tag
def social_meta(title, description, url="", og_type="website") -> str:
    """The page's description and its Open Graph and Twitter card tags (a link shared on
    social media shows them); in Python, as the template it replaced to the byte."""
    return mark_safe(
        SOCIAL_META.format(
            title=conditional_escape(title),
            description=conditional_escape(description),
            site=conditional_escape(gettext("SSE case-study catalogue")),
            type=conditional_escape(og_type or "website"),
            url=format_html('<meta property="og:url" content="{}">', url) if url else "",
        )
    )
