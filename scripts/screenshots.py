"""Take the README screenshots (desktop and mobile, full page) of /, /cases/, a search and a case,
the print preview of a case, the filter sheet on a phone, the case list in Spanish and (own
server only) the admin's queue of suggestions, sent through the public form, and the preview of
an import.

    DJANGO_DEBUG=1 .venv/bin/python scripts/screenshots.py             # own server, seed data
    DJANGO_DEBUG=1 .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Without a URL it migrates a throwaway SQLite database, loads fixtures/catalogue.json,
serves it with runserver on a free loopback port and stops it afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, wait_for
from playwright.sync_api import sync_playwright

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
MOBILE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
EDITOR, EDITOR_PASSWORD = "screenshots", "a-long-screenshot-passphrase"
# (title, region, country code, city, organization, kind, submitter)
SUGGESTIONS = [
    (
        "A Bakery Cooperative Run By Its Workers in Bilbao",
        "Europe",
        "ES",
        "Bilbao",
        "Ogi Berri Kooperatiba",
        "sse-organization",
        "Jon Ander",
    ),
    (
        "Community Seed Banks of Women Farmers in Kenya",
        "Africa",
        "KE",
        "Kisumu",
        "Mbegu Women's Network",
        "sse-organization",
        "Akinyi Otieno",
    ),
    (
        "A Municipal Fund For Youth Cooperatives in Montevideo",
        "Latin America",
        "UY",
        "Montevideo",
        "Intendencia de Montevideo",
        "government-and-public-agency",
        "Lucía Pereira",
    ),
]
DESCRIPTION = (
    "{title}: how the people behind it organised, who supports them, and what changed for "
    "their members and their neighbourhood."
)


@contextmanager
def seeded_server() -> Iterator[str]:
    """runserver on a free loopback port over a fresh SQLite copy of the seed catalogue."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DJANGO_DEBUG": "1", **os.environ, "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3"}
        env |= {"SUGGESTION_MIN_SECONDS": "0", "EDITOR_PASSWORD": EDITOR_PASSWORD}
        manage = [sys.executable, str(ROOT / "manage.py")]
        editor = ["createeditor", EDITOR, "--no-input"]
        for command in (["migrate", "--noinput", "-v0"], ["loaddata", "catalogue", "-v0"], editor):
            subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(url + "/healthz", server)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def shoot(base_url: str, *, admin: bool = False) -> list[Path]:
    """Save the screenshots and return their paths; with `admin`, the suggestion queue and an
    import's preview too."""
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for suffix, device in (("", DESKTOP), ("-mobile", MOBILE)):
            context = browser.new_context(base_url=base_url, **device)
            page = context.new_page()
            page.goto("/cases/")
            detail = page.locator(".cases .case-title a").first.get_attribute("href")
            pages = [("home", "/"), ("cases", "/cases/"), ("search", "/cases/?q=vegue")]
            if not suffix:
                pages.append(("cases-es", "/es/cases/?theme=women"))
            for name, path in [*pages, ("detail", detail)]:
                page.goto(path)
                target = OUT / f"{name}{suffix}.png"
                page.screenshot(path=target, full_page=True, animations="disabled", caret="hide")
                saved.append(target)
            saved.append(extra_shot(page, suffix))
            context.close()
        if admin:
            saved.append(suggestion_queue_shot(browser, base_url))
            saved.append(import_preview_shot(browser, base_url))
        browser.close()
    return saved


def extra_shot(page, suffix: str) -> Path:
    """On a desktop, the case page's print preview; on a phone, the filter sheet open."""
    if suffix:
        page.goto("/cases/?theme=women")
        page.get_by_role("button", name="Filters").click()
        target = OUT / "cases-mobile-filters.png"
    else:
        page.emulate_media(media="print")
        target = OUT / "detail-print.png"
    page.screenshot(path=target, animations="disabled", caret="hide")
    return target


def sign_in(page) -> None:
    """Sign in to the admin as the throwaway editor."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def import_preview_shot(browser, base_url: str) -> Path:
    """The admin's preview of an import of the seed text with a role changed and a new case."""
    context = browser.new_context(base_url=base_url, **DESKTOP)
    page = context.new_page()
    sign_in(page)
    source = ROOT / "fixtures" / "source"
    text = (source / "seed-cases.txt").read_text(encoding="utf-8")
    text = text.replace("Chief of Operations, Other Economies", "Head of Operations")
    text += (
        "\nStreet vendors bargain with the city\n\nA union of street vendors negotiates with "
        "the city council for places to sell, fair fees and protection from evictions.\n\n"
        "StreetNet Lima\n\nSSE organization\n"
    )
    page.goto("/admin/cases/case/import/")
    files = {"name": "seed-cases.txt", "mimeType": "text/plain", "buffer": text.encode()}
    page.get_by_label("Seed text files").set_input_files(files)
    page.get_by_label("Editorial TOML").set_input_files(source / "editorial.toml")
    page.get_by_role("button", name="Preview").click()
    page.locator("#import-counts").wait_for()
    target = OUT / "admin-import-preview.png"
    page.screenshot(path=target, full_page=True, animations="disabled", caret="hide")
    context.close()
    return target


def suggestion_queue_shot(browser, base_url: str) -> Path:
    """The admin's list of suggestions awaiting review, after visitors sent them on /suggest/."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 800})
    page = context.new_page()
    for title, region, country, city, organization, kind, name in SUGGESTIONS:
        page.goto("/suggest/")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Description").fill(DESCRIPTION.format(title=title))
        page.get_by_label("Region").select_option(region)
        page.get_by_label("Country").select_option(country)
        page.get_by_label("City").fill(city)
        page.locator("#id_organizations-0-name").fill(organization)
        page.locator("#id_organizations-0-kind").select_option(kind)
        page.get_by_label("Your name").fill(name)
        page.get_by_label("Your e-mail").fill("someone@example.org")
        page.get_by_role("button", name="Send the suggestion").click()
        page.wait_for_url("**/suggest/thanks/")
    sign_in(page)
    page.goto("/admin/cases/case/?suggestion=pending")
    page.locator("#toggle-nav-sidebar").click()  # the whole list in view
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("approve_suggestions")
    target = OUT / "admin-suggestions.png"
    page.screenshot(path=target, full_page=True, animations="disabled", caret="hide")
    context.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="a running site (default: start one)")
    url = parser.parse_args().url
    if url:
        saved = shoot(url.rstrip("/"))
    else:
        with seeded_server() as own_url:
            saved = shoot(own_url, admin=True)
    for path in saved:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
