"""Settings for the SSE case-study catalogue, read from the environment."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
# Local settings from a git-ignored .env (`make run` writes one); the environment wins over it.
load_dotenv(os.environ.get("CATALOGUE_ENV_FILE", BASE_DIR / ".env"))


def env_flag(name: str, default: str = "") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off")
# Every absolute link starts here, never with the request's Host header (which can be forged).
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL and not DEBUG:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DJANGO_DEBUG is off (like https://catalogue.example.org)"
    )
if SITE_URL and not re.fullmatch(r"https?://[^/?#\s]+", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL must be like https://catalogue.example.org: {SITE_URL}")
# How feeds, citations and the API description name the catalogue.
SITE_TITLE = "SSE case-study catalogue"
# The licence of the published data (/data/, the API description, the feed).
DATA_LICENSE = os.environ.get("DATA_LICENSE", "").strip() or "CC BY 4.0"
DATA_LICENSE_URL = os.environ.get("DATA_LICENSE_URL", "").strip() or (
    "https://creativecommons.org/licenses/by/4.0/" if DATA_LICENSE == "CC BY 4.0" else ""
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # its templates; no models, no sites framework
    "django.contrib.postgres",
    "django_filters",
    "django_countries",
    "axes",
    "reversion",
    "cases.apps.CasesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware (which reads the language for its redirects).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.middleware.PublicReadMiddleware",
    "cases.middleware.SecurityHeadersMiddleware",
    "cases.middleware.CrossOriginReadMiddleware",
    "cases.middleware.CatalogueStateMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "catalogue.urls"
WSGI_APPLICATION = "catalogue.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for a writer. IMMEDIATE: a write transaction takes the lock
    # when it begins, so concurrent writers queue (up to `timeout` seconds) instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DATABASE_ROUTERS = ["cases.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (django-axes): failures counted in the database, per (username, address).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "cases.admin.signin_username"
AXES_CLIENT_IP_CALLABLE = "cases.admin.client_address"
AXES_LOCKOUT_TEMPLATE = "signin_locked.html"
# The request header (META name) a trusted proxy sets to the client's address; off by default.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")
# Suggestions from the public (/suggest/): at most SUGGESTIONS_PER_HOUR per client address
# (the address django-axes sees), counted in the database so every worker shares the count; a
# form sent sooner than SUGGESTION_MIN_SECONDS after it was shown is refused as a robot's.
SUGGESTIONS_PER_HOUR = int(os.environ.get("SUGGESTIONS_PER_HOUR", "5"))
SUGGESTION_MIN_SECONDS = int(os.environ.get("SUGGESTION_MIN_SECONDS", "5"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface's languages: English at unprefixed URLs, the others under /es/ and /fr/.
# The data (JSON, CSV, feeds, linked data) stays language-neutral at unprefixed URLs.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
# One catalogue of messages for the code and the templates (`make messages-update`).
LOCALE_PATHS = [BASE_DIR / "cases" / "locale"]
# English dates as "3 March 2024"; the other languages keep Django's formats.
FORMAT_MODULE_PATH = ["cases.formats"]
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise looks each file up when asked. Decided here, not from the DEBUG the
# test runner switches off, so no test client scans a collected static folder on its first request.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalogue",
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    )
}
CATALOGUE_CACHE_SECONDS = int(os.environ.get("CATALOGUE_CACHE_SECONDS", "3600"))
# Larger pages are not kept, so a worker's cache stays under MAX_ENTRIES times this (64 MB).
# Pages people read are 15-100 kB; a sitemap's (about 200 kB, read once by each crawler) is
# drawn again rather than pushing them out.
CATALOGUE_CACHE_MAX_BYTES = int(os.environ.get("CATALOGUE_CACHE_MAX_BYTES", str(128 * 1024)))
# Rendered case cards kept per worker (cases/templatetags/cards.py), in bytes.
CATALOGUE_CARD_CACHE_BYTES = int(os.environ.get("CATALOGUE_CARD_CACHE_BYTES", str(8 * 1024 * 1024)))
# Facet bitmaps of published cases per worker (cases/index.py): "background" builds the next
# one in a thread after each change, "inline" in the request that finds it stale, "off": SQL.
CATALOGUE_INDEX = os.environ.get("CATALOGUE_INDEX", "background").strip()
if CATALOGUE_INDEX not in {"background", "inline", "off"}:
    raise ImproperlyConfigured("CATALOGUE_INDEX must be background, inline or off")
# Searches whose matches the index keeps, so that their later pages skip the text match.
CATALOGUE_INDEX_SEARCHES = int(os.environ.get("CATALOGUE_INDEX_SEARCHES", "64"))
# Names the code in cache keys and ETags (e.g. the git commit); empty: a hash of the files.
CATALOGUE_RELEASE = os.environ.get("CATALOGUE_RELEASE", "").strip()

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
CATALOGUE_SOURCE_DIR = BASE_DIR / "fixtures" / "source"
CATALOGUE_FIXTURE = BASE_DIR / "fixtures" / "catalogue.json"

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT")
if SECURE_SSL_REDIRECT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cases.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}
