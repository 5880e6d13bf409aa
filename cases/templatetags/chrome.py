"""`{% once_per_language "includes/site_footer.html" %}`: a piece of every page that depends
only on the interface language (the header's links, the footer), drawn once per language
and worker instead of on every request (a dozen `reverse()` and `gettext` calls)."""

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import mark_safe

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
