"""Stateless scaling: the replica router, and the shared Redis cache when one is available."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.db import connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cases.middleware import PublicReadMiddleware
from cases.models import Case, CatalogueState
from cases.routers import ReplicaRouter
from tests.factories import make_case

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def route_of(request, settings) -> str | None:
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    seen = {}

    def view(request):
        seen["read"] = ReplicaRouter().db_for_read(Case)
        return None

    PublicReadMiddleware(view)(request)
    return seen["read"]


def test_anonymous_public_reads_go_to_the_replica(settings):
    assert route_of(RequestFactory().get("/cases/"), settings) == "replica"


@pytest.mark.parametrize(
    "request_of",
    [
        lambda rf: rf.get("/admin/cases/case/"),
        lambda rf: rf.post("/cases/"),
        lambda rf: rf.get("/cases/", HTTP_COOKIE="sessionid=abc"),
    ],
    ids=["admin", "post", "signed-in"],
)
def test_admin_writes_and_signed_in_reads_stay_on_the_primary(settings, request_of):
    assert route_of(request_of(RequestFactory()), settings) is None


def test_without_a_replica_public_reads_use_the_primary():
    seen = {}

    def view(request):
        seen["read"] = Case.objects.all().db

    PublicReadMiddleware(view)(RequestFactory().get("/cases/"))
    assert seen["read"] == "default"


def test_writes_while_answering_a_public_read_go_to_the_primary(settings, db):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}

    def view(request):
        # A read goes to the replica here; a write there would fail (no such connection).
        with CaptureQueriesContext(connections["default"]) as primary:
            CatalogueState.objects.bump()
        return Case.objects.all().db, primary.captured_queries

    read_from, on_primary = PublicReadMiddleware(view)(RequestFactory().get("/cases/"))
    assert read_from == "replica"
    assert [query["sql"].split()[0] for query in on_primary].count("UPDATE") == 1


@pytest.fixture(scope="module")
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (make test installs it from Debian)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_cache(db, settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_facets_are_shared_through_redis_and_an_edit_shows_at_once(client, redis_cache):
    case = make_case("Redis-backed cooperative", themes=["women"], region="asia")
    response = client.get("/cases/", {"theme": "women"})
    assert "1 case" in response.content.decode()
    keys = list(redis_cache._cache.get_client().scan_iter(match=":*:catalogue:data:*"))
    assert keys, "facets and vocabulary are cached in Redis"

    make_case("Second cooperative", themes=["women"], region="asia")
    case.city = "Dhaka"
    case.save()
    assert "2 cases" in client.get("/cases/", {"theme": "women"}).content.decode()


def test_conditional_get_answers_304_until_the_catalogue_changes(client, redis_cache):
    case = make_case("Cached cooperative", themes=["youth"])
    first = client.get(case.get_absolute_url())
    etag = first.headers["ETag"]
    assert client.get(case.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304

    before = CatalogueState.objects.current().version
    case.city = "Quito"
    case.save()
    assert CatalogueState.objects.current().version > before
    again = client.get(case.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert "Quito" in again.content.decode()
