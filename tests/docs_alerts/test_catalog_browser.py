"""The searchable catalog page in a real headless Chromium, served over loopback HTTP."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

from errcodegen.ir import IR, Code
from errcodegen.pipeline import prepare

from .conftest import CHROMIUM_FLAGS, HOSTILE_ACTION, HOSTILE_MESSAGE, REPO, SPEC

CATALOG = REPO / "docs" / "errors"


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[BrowserContext]:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def ir() -> IR:
    return prepare(SPEC).ir


class Loaded:
    """A page, and what it asked the network for and complained about while loading."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.page: Page = context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)

    def visible_rows(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "main tbody tr", "rows => rows.filter(r => r.offsetParent !== null).map(r => r.id)"
        )

    def search(self, text: str) -> list[str]:
        self.page.fill("#search", text)
        return self.visible_rows()


@pytest.fixture
def catalog(browser: BrowserContext, serve: Callable[[Path], str]) -> Iterator[Loaded]:
    loaded = Loaded(browser, serve(CATALOG) + "/catalog.html")
    yield loaded
    loaded.page.close()


def anchor(code: Code) -> str:
    return f"{code.module.replace('/', '.')}-{code.number}"


def test_renders_every_code_with_no_request_and_no_error(catalog: Loaded, ir: IR) -> None:
    total = len(ir.codes)
    assert len(catalog.visible_rows()) == total > 900
    assert catalog.page.locator("#count").text_content() == f"{total} of {total} codes"
    assert catalog.requests == [catalog.page.url]  # inline style and script only
    assert catalog.errors == []  # includes Content-Security-Policy violations
    # mfa:1225: internal and critical, retryable only by its entry's override (internal's
    # default is not retryable), so the row must show the entry's value, not the category's
    row = catalog.page.locator("#mfa-1225 td")
    mfa_1225 = next(c for c in ir.codes if c.key == "mfa:1225")
    assert row.all_text_contents()[:7] == [
        "mfa:1225",
        "challenge_creation_failed",
        "internal",
        "critical",
        "yes",
        "500 Internal Server Error",
        "challenge creation failed" + mfa_1225.description,  # the description after a line break
    ]


def test_search_by_code_finds_exactly_that_code(catalog: Loaded, ir: IR) -> None:
    assert catalog.search("veid:1037") == ["veid-1037"]
    assert catalog.page.locator("#count").text_content() == f"1 of {len(ir.codes)} codes"
    assert catalog.page.locator("#module-veid").is_visible()
    assert not catalog.page.locator("#module-settlement").is_visible()


def test_search_terms_all_match_case_insensitively(catalog: Loaded, ir: IR) -> None:
    expected = [
        anchor(c) for c in ir.codes if "inference" in c.message.lower() and "failed" in c.message
    ]
    assert expected  # the registry has such codes
    assert catalog.search("  Inference   FAILED ") == expected


def test_category_and_retryable_filters(catalog: Loaded, ir: IR) -> None:
    catalog.page.select_option("#category", "internal")
    catalog.page.check("#retryable-only")
    expected = [anchor(c) for c in ir.codes if c.category == "internal" and c.retryable]
    assert "mfa-1225" in expected  # internal, retryable by its registry override
    assert catalog.visible_rows() == expected


def test_no_match_says_so(catalog: Loaded, ir: IR) -> None:
    assert catalog.search("no such error anywhere") == []
    assert catalog.page.locator("#empty").is_visible()
    assert catalog.page.locator("#count").text_content() == f"0 of {len(ir.codes)} codes"
    assert catalog.search("") != []
    assert not catalog.page.locator("#empty").is_visible()


def test_deep_link_opens_with_a_search(
    browser: BrowserContext, serve: Callable[[Path], str]
) -> None:
    loaded = Loaded(browser, serve(CATALOG) + "/catalog.html?q=settlement:1537")
    assert loaded.visible_rows() == ["settlement-1537"]
    loaded.page.close()


def test_hostile_registry_text_is_shown_not_run(
    browser: BrowserContext, serve: Callable[[Path], str], hostile_root: Path
) -> None:
    loaded = Loaded(browser, serve(hostile_root / "docs" / "errors") + "/catalog.html")
    assert loaded.page.evaluate("window.pwned") is None
    assert loaded.dialogs == [] and loaded.errors == []
    assert loaded.page.locator("img").count() == 0
    cells = loaded.page.locator("#hostile-1050 td").all_text_contents()
    assert cells[6] == HOSTILE_MESSAGE.replace("\n", "")  # lines separated by <br>
    assert cells[7] == HOSTILE_ACTION
    assert loaded.search("pwned = 1") == ["hostile-1050"]
    loaded.page.close()
