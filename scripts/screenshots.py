"""Take the README screenshots (desktop and mobile, full page) of /, /cases/, a search and a case,
the print preview of a case, the filter sheet on a phone and the case list in Spanish.

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


@contextmanager
def seeded_server() -> Iterator[str]:
    """runserver on a free loopback port over a fresh SQLite copy of the seed catalogue."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DJANGO_DEBUG": "1", **os.environ, "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput", "-v0"], ["loaddata", "catalogue", "-v0"]):
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


def shoot(base_url: str) -> list[Path]:
    """Save the screenshots and return their paths."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="a running site (default: start one)")
    url = parser.parse_args().url
    if url:
        saved = shoot(url.rstrip("/"))
    else:
        with seeded_server() as own_url:
            saved = shoot(own_url)
    for path in saved:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
