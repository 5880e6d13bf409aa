"""A reader cites a case: the cite block shows on its page and the BibTeX link downloads a file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
from playwright.sync_api import expect

from .conftest import BARCELONA

pytestmark = pytest.mark.browser


def test_cite_block_is_visible_and_the_bibtex_link_downloads(visitor):
    page = visitor.open(f"/cases/{BARCELONA}/")

    block = page.get_by_role("region", name="Cite this case")
    expect(block).to_be_visible()
    citation = block.locator(".citation")
    expect(citation).to_contain_text("Ayuntamiento de Barcelona")
    expect(citation).to_contain_text("[Case study]. In SSE case-study catalogue.")
    expect(citation).to_contain_text(f"{visitor.base_url}/cases/{BARCELONA}/")
    # The accessed date is the reader's today, even on a page cached on another day.
    today = date.today()
    expect(citation).to_contain_text(re.compile(rf"\(accessed {today.day} {today:%B %Y}\)\.$"))

    with page.expect_download() as info:
        block.get_by_role("link", name="BibTeX").click()
    download = info.value
    assert download.suggested_filename == f"{BARCELONA}.bib"
    library = bibtexparser.parse_string(Path(download.path()).read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry.key == BARCELONA
    assert entry.fields_dict["url"].value == f"{visitor.base_url}/cases/{BARCELONA}/"
    visitor.assert_clean()
