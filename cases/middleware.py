"""Response headers every page carries, and the catalogue state each request reads once."""

from django.conf import settings
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
