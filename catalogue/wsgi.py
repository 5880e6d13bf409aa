"""WSGI entry point for gunicorn."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    print(f"error: {exc}", file=sys.stderr)
    # Exit status 3 is gunicorn's "worker failed to boot": the server stops instead of
    # starting the worker again and again.
    sys.exit(3)
