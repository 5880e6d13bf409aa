"""Validators and shared copies of catalogue pages, and the one builder of absolute URLs.

A page's ETag, Last-Modified and cached copy depend on the release of the code, the version
of what its viewer sees (staff: every change; everyone else: published content), the origin
its links start with, the language of its interface and the canonical form of the parameters
it understands; never on
parameters it ignores, their order or spelling, nor on a forged Host header once SITE_URL
is set.
"""

from __future__ import annotations

import hashlib
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

RELEASE_FOLDERS = ("cases", "templates", "static")


def release(root: Path) -> str:
    """Names a build of code, templates and assets by their contents and paths under `root`,
    so the same code gives the same name on every machine."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in RELEASE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_file() and "__pycache__" not in name:
                content = path.read_bytes()
                digest.update(f"{name}\0{len(content)}\0".encode())
                digest.update(content)
    return digest.hexdigest()


# A deploy changes every ETag and cache key; CATALOGUE_RELEASE (e.g. the git commit) saves
# reading the files at start-up.
RELEASE = settings.CATALOGUE_RELEASE or release(Path(settings.BASE_DIR))


def origin(request) -> str:
    """Scheme and host of the catalogue's links: SITE_URL, else (development) the request's."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path: str) -> str:
    """The absolute URL of a path on this site: the only place one is built."""
    return origin(request) + path


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _audience(request) -> str:
    return "staff" if request.user.is_staff else "public"


def _etag(request, *args, **kwargs) -> str:
    return _digest(
        RELEASE,
        _audience(request),
        request.catalogue.token,
        request.canonical_url,
        request.media_type,
        get_language(),
    )


def _last_modified(request, *args, **kwargs):
    return request.catalogue.changed_at


# What a shared copy keeps besides the body: how to read it, whether to save it as a file,
# whether search engines may index it.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Robots-Tag")


def _shared_copy(view):
    """Anonymous visitors share one rendered copy of each page per catalogue version."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # The language too: the URL names it today, but a page must never be served in another.
        parts = (RELEASE, request.canonical_url, request.media_type, get_language())
        key = f"catalogue:page:{_digest(*parts)}"
        version = request.catalogue.token
        stored = cache.get(key, version=version)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            # A bound on each entry, so memory is bounded by the cache's entry count.
            if len(response.content) <= settings.CATALOGUE_CACHE_MAX_BYTES:
                kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                stored = (response.content, kept)
                cache.set(key, stored, settings.CATALOGUE_CACHE_SECONDS, version=version)
        return response

    return wrapper


def canonical_query(view, request) -> QueryDict | None:
    """What the view's answer depends on in the query string, validated, in a fixed order
    (None when the view will refuse it); views without `canonical_query` take no parameters."""
    declared = getattr(getattr(view, "view_class", view), "canonical_query", None)
    return declared(request) if declared else QueryDict()


def media_type(view, request) -> str:
    """The media type a view that answers in several (`media_types`, its default first) picks
    from the Accept header; "" for views with one."""
    offered = getattr(getattr(view, "view_class", view), "media_types", ())
    return (request.get_preferred_type(offered) or offered[0]) if offered else ""


def catalogue_page(view):
    """ETag/Last-Modified from the viewer's catalogue version (304 without any work),
    Cache-Control, and one shared rendered copy per page and version for anonymous visitors.

    The view sees only the canonical query and `request.media_type`, so what it renders matches
    the cache key and the ETag (a browser never gets the Turtle a script asked for)."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(_shared_copy(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.media_type = media_type(view, request)
        query = canonical_query(view, request)
        if query is None:
            response = view(request, *args, **kwargs)  # a 400 that says why: nothing to keep
        else:
            request.GET = query
            encoded = query.urlencode()
            path = f"{request.path}?{encoded}" if encoded else request.path
            request.canonical_url = absolute_url(request, path)
            response = conditional(request, *args, **kwargs)
        if request.user.is_staff:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ["Cookie", "Accept"] if request.media_type else ["Cookie"])
        return response

    return wrapper


def cached(request, name: str, compute):
    """compute() once per catalogue version and language (labels and country names are
    translated); `name` must say everything else the result depends on."""
    key = f"catalogue:data:{_digest(RELEASE, name, get_language())}"
    timeout = settings.CATALOGUE_CACHE_SECONDS
    return cache.get_or_set(key, compute, timeout, version=request.catalogue.token)
