"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against
pytest-django's live server (issue #4; shared/notes/browser-testing.md).

One browser for the whole session; a fresh context (cookies, viewport, colour
scheme, JavaScript on or off) per test. With CI=true a missing browser,
Playwright or axe-core fails the run instead of skipping it.
"""
import json
import os
from pathlib import Path

import pytest

from tests.browser.corpus import write_site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# Without the background-networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def require(available, why):
    """Skip when a tool is missing locally; fail under CI=true, where it must be there."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(why)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK),
            f"{CHROMIUM} is missing: apt-get install --no-install-recommends chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed: pip install -e '.[test]'")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def site(content_dir, transactional_db, live_server):
    """The browser corpus loaded twice, the second time with a renamed heading,
    so the guide has an old anchor to resolve. Returns the server's base URL."""
    from kb.ingest.loader import load

    for renamed in (False, True):
        result = load(write_site(content_dir, renamed=renamed))
        assert result.ok, [str(e) for e in result.errors]
    return live_server.url


class Browsing:
    """Opens pages in fresh contexts and collects JavaScript errors."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.errors = []

    def page(self, viewport=DESKTOP, axe=False, **options):
        """A page in a new context. ``axe=True`` lets the test inject axe-core, an
        inline script the site's Content-Security-Policy would rightly refuse."""
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport,
                                           bypass_csp=axe, **options)
        context.set_default_timeout(5000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

        def console(message):
            # CSP-friendly pages (issue #4): anything the policy refuses is a failure.
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
                self.errors.append(f"{page.url}: {message.text}")

        page.on("console", console)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, site):
    session = Browsing(browser, site)
    yield session
    session.close()
    assert not session.errors, "JavaScript errors:\n" + "\n".join(session.errors)


@pytest.fixture
def page(browsing):
    return browsing.page()


def screenshot(page, name, full_page=True):
    """Saved under test-artifacts/browser/ (ignored by git) to be looked at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def axe_violations(page, rules=None):
    """axe-core's WCAG 2.0-2.2 A/AA checks (or only ``rules``) on the page as it is now."""
    require(AXE.exists(), f"{AXE.relative_to(ROOT)} is missing: run `npm ci`")
    page.add_script_tag(path=str(AXE))
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    result = page.evaluate("runOnly => axe.run(document, {runOnly})", run_only)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def describe(violations):
    return json.dumps(violations, indent=1)
