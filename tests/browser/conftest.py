"""Browser fixtures: Debian's Chromium, the seed catalogue on a live server, a watchful visitor."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import ConsoleMessage, Page, Request, Response
from pytest_django.live_server_helper import LiveServer

from ..conftest import Snapshot
from . import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread, so Django would refuse ORM calls
# from the test (SynchronousOnlyOperation); the documented workaround for test code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The seed case a newcomer looks for (Barcelona; its contact is Ms. Vegué).
BARCELONA = "cooperation-between-a-municipality-and-a-cooperative-of-junk-collectors-waste"
ADMIN_PASSWORD = "a-long-admin-passphrase"
MOBILE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (once per session) instead of a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def _catalogue(django_db_setup, django_db_blocker) -> Snapshot:
    with django_db_blocker.unblock():
        return Snapshot(lambda: call_command("loaddata", "catalogue", verbosity=0))


@pytest.fixture
def catalogue(request, _catalogue):
    """The committed seed catalogue (3 published cases), visible to the live server's thread.

    On in-memory SQLite the server shares the test's connection, so the test's transaction is
    rolled back at its end; elsewhere the rows are committed and every table flushed after the
    test (a fifth of the browser run's time on SQLite)."""
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    request.getfixturevalue("db" if shared else "transactional_db")
    _catalogue.write()


@pytest.fixture
def superuser(catalogue, django_user_model):
    """An administrator: every page of the admin, whatever the Editors group holds."""
    return django_user_model.objects.create_superuser("boss", "boss@example.org", ADMIN_PASSWORD)


def sign_in(page: Page, site: str) -> None:
    """Sign in to the admin as the superuser."""
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")


def _page_of_its_own(browser, **context_args):
    """A page in a context of its own, closed at the end of the session."""
    context = browser.new_context(**context_args)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def _desktop_page(browser, browser_context_args) -> Page:
    yield from _page_of_its_own(browser, **browser_context_args)


@pytest.fixture(scope="session")
def _phone_page(browser, browser_context_args) -> Page:
    yield from _page_of_its_own(browser, **browser_context_args, **MOBILE)


def _lend(page: Page, base_url: str):
    """Lend a shared page to one test, then leave it as new for the next one.

    A new context and page for every test started fresh renderer processes: about 0.6 s of
    CPU each, a third of the browser run. Leaving for a small page of the same site ends the
    test's scripts and requests in the same renderer."""
    yield page
    page.goto(f"{base_url}/robots.txt")
    page.context.clear_cookies()
    page.emulate_media(media="null")


@pytest.fixture
def page(_desktop_page, base_url) -> Page:
    """pytest-playwright's desktop page, shared: no cookie, script or media setting of an
    earlier test remains."""
    yield from _lend(_desktop_page, base_url)


@pytest.fixture
def phone_page(_phone_page, base_url) -> Page:
    """A shared page on a 375×812 touch screen, lent as `page` is."""
    yield from _lend(_phone_page, base_url)


@pytest.fixture(scope="session")
def base_url(django_db_setup) -> str:
    """pytest-playwright's base URL (for contexts and relative goto): a live server.

    pytest-django's `live_server` would make every test that uses it flush every table at
    its end; this one leaves each test to choose its own database access (see `catalogue`)."""
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server.url
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture
def site(base_url, catalogue) -> str:
    """The live server's base URL, serving the seed catalogue."""
    return base_url


class Visitor:
    """A page that records console errors, failed requests and off-site or failing assets."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        self._error_documents: set[str] = set()
        self._listeners = {
            "console": self._on_console,
            "pageerror": self._on_page_error,
            "requestfailed": self._on_request_failed,
            "request": self._on_request,
            "response": self._on_response,
        }
        for event, listener in self._listeners.items():
            page.on(event, listener)

    def stop(self) -> None:
        """Stop watching: the page goes on to other tests."""
        for event, listener in self._listeners.items():
            self.page.remove_listener(event, listener)

    def open(self, path: str, status: int = 200) -> Page:
        """Go to path on the site and check the document's status."""
        url = self.base_url + path
        if status >= 400:
            self._error_documents.add(url)
        response = self.page.goto(url)
        assert response is not None
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        return self.page

    def assert_clean(self) -> None:
        """No problem since the last check: console errors, failed or off-site requests."""
        problems, self.problems = self.problems, []
        assert problems == [], "\n".join(problems)

    def _expected(self, url: str) -> bool:
        # An expected 4xx document is logged as "Failed to load resource"; that is no fault.
        return url in self._error_documents

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not self._expected(message.location.get("url", "")):
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _on_page_error(self, error) -> None:
        self.problems.append(f"uncaught JS error: {error}")

    def _on_request(self, request: Request) -> None:
        if not request.url.startswith((self.base_url + "/", "data:", "about:")):
            self.problems.append(f"off-site request: {request.method} {request.url}")

    def _on_request_failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and not self._expected(response.url):
            self.problems.append(f"HTTP {response.status}: {response.url}")


def watching(page: Page, site: str):
    """A Visitor of the page for one test."""
    visitor = Visitor(page, site)
    yield visitor
    visitor.stop()


@pytest.fixture
def visitor(page: Page, site: str) -> Visitor:
    """A desktop page on the live site that keeps a list of everything that went wrong."""
    yield from watching(page, site)


@pytest.fixture
def mobile_visitor(phone_page: Page, site: str) -> Visitor:
    """A visitor on a 375×812 touch screen."""
    yield from watching(phone_page, site)
