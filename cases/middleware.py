"""Response headers every page carries, and the catalogue state each request reads once."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import SimpleLazyObject

from .models import CatalogueState
from .routers import public_read


class PublicReadMiddleware:
    """Mark anonymous GET and HEAD requests outside the admin as public reads (replica)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = request.method in {"GET", "HEAD"} and not request.path.startswith("/admin/")
        token = public_read.set(public and not request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        try:
            return self.get_response(request)
        finally:
            public_read.reset(token)


class CatalogueStateMiddleware:
    """`request.catalogue` is the version of what the viewer sees (staff: every change; everyone
    else: published content), read at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def current():
            return CatalogueState.objects.current(public=not request.user.is_staff)

        request.catalogue = SimpleLazyObject(current)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script or style) and Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# Public, read-only data any web page may fetch: the exports, the feed, the API description
# and the citations. (Pages stay same-origin.)
CROSS_ORIGIN_URL_NAMES = frozenset(
    {
        "case-list-json",
        "case-list-csv",
        "case-detail-json",
        "case-feed",
        "api-openapi",
        "case-cite-bib",
        "case-cite-ris",
        "case-cite-json",
        "case-list-linked-data",
    }
)
# Pages that also answer as linked data (by Accept, see cases/caching.py): shared in that
# form only.
NEGOTIATED_URL_NAMES = frozenset({"case-detail"})


class CrossOriginReadMiddleware:
    """`Access-Control-Allow-Origin: *` on the public data URLs, never with credentials (no
    cookie is read there), and the preflight answer a conditional GET from a script needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def shares(request) -> bool:
        name = request.resolver_match.url_name if request.resolver_match else None
        if name in NEGOTIATED_URL_NAMES:
            # A preflight comes before the view picks a form: allow it; the HTML page then
            # comes without the header, so another origin still cannot read it.
            return getattr(request, "media_type", None) != "text/html"
        return name in CROSS_ORIGIN_URL_NAMES

    def __call__(self, request):
        response = self.get_response(request)
        if self.shares(request):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = (
                "ETag, X-Total-Count, Content-Disposition, Link"
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if preflight and self.shares(request):
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
            return response
        return None
