"""`{% language_versions as versions %}`: the page in each language of the interface, for the
language switcher and the `hreflang` alternates."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation

from cases.caching import absolute_url

register = template.Library()


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str  # in its own language: a reader looks for the one they read
    url: str  # path and query
    absolute_url: str
    current: bool


def reverse_in(code: str, match) -> str | None:
    """The resolved page's path in the language `code` (None for a view without a name)."""
    with translation.override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None


def path_in(request, code: str) -> str:
    """This page's path in the language `code`; the home page in it for an address no page
    answers (a 404), which has no version in another language."""
    match = request.resolver_match
    if match is None:  # a 404, or a page drawn outside the URL resolver
        path = translate_url(request.path, code)
    else:  # the page was resolved already: only the reverse in `code` is left to do
        path = reverse_in(code, match) or request.path
    if path == request.path and code != translation.get_language():
        with translation.override(code):
            path = reverse("home")
    return path


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[LanguageVersion]:
    """Each language's version of this page with the same (canonical) query, so the filters
    of a list stay chosen; the current language is marked."""
    request = context.get("request")
    if request is None:  # the 500 and "busy" pages are drawn without one
        return []
    query = request.GET.urlencode()
    current = translation.get_language()
    versions = []
    for code, name in settings.LANGUAGES:
        url = path_in(request, code) + (f"?{query}" if query else "")
        versions.append(
            LanguageVersion(code, name, url, absolute_url(request, url), code == current)
        )
    return versions
