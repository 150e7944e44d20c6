"""Without JavaScript, on a phone, in dark mode, on paper; axe-core on every page type."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot

GUIDE = "/topics/starting-treatment/"
# One page of every type, and a few articles of different kinds.
PAGES = [
    ("home", "/"),
    ("index-therapies", "/therapies/"),
    ("index-trials", "/trials/"),
    ("index-glossary", "/glossary/"),
    ("guide", GUIDE),
    ("therapy", "/therapies/daratumumab/"),
    ("trial", "/trials/sirius/"),
    ("mechanism", "/mechanisms/adcc/"),
    ("biomarker", "/biomarkers/cd38/"),
    ("combination", "/combinations/d-rd/"),
    ("glossary-term", "/glossary/natural-killer-cell/"),
    ("not-found", "/therapies/no-such-page/"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_page_type(browsing, scheme):
    page = browsing.page(color_scheme=scheme, axe=True)
    failures = {}
    for name, url in PAGES:
        response = page.goto(url)
        assert response.status == (404 if name == "not-found" else 200), url
        # The dark theme changes colours only: its run checks contrast (faster).
        violations = axe_violations(page, rules=["color-contrast"] if scheme == "dark" else None)
        if violations:
            failures[url] = violations
        if name == "not-found":
            screenshot(page, f"{scheme}-not-found", full_page=False)
    assert not failures, describe(failures)


def test_axe_on_a_phone_with_a_definition_open(browsing):
    page = browsing.page(viewport=PHONE, has_touch=True, is_mobile=True, color_scheme="dark",
                          axe=True)
    page.goto(GUIDE)
    page.locator(".glossary-term").first.tap()
    expect(page.locator(".glossary.is-open .glossary-def")).to_be_visible()
    assert not axe_violations(page), describe(axe_violations(page))


def test_everything_works_without_javascript(browsing):
    page = browsing.page(java_script_enabled=False)
    page.goto("/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Therapies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Therapies")
    page.get_by_role("link", name="Daratumumab").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daratumumab")

    page.goto(GUIDE)
    assert not page.evaluate("document.documentElement.classList.contains('js')")
    toc = page.locator("details.toc")
    expect(toc).to_have_attribute("open", "")
    expect(page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Blood tests")).to_be_visible()
    expect(page.locator(".copy-link")).to_have_count(0)
    expect(page.get_by_role("button", name="Copy citation")).to_be_hidden()
    expect(page.locator("#kb-cite-text")).to_contain_text("Starting anti-CD38 treatment")
    expect(page.get_by_role("heading", name="References")).to_be_visible()
    # The ¶ permalinks and the definitions (CSS only) still work.
    page.locator("#blood-tests").hover()
    page.locator("#blood-tests .headerlink").click()
    expect(page).to_have_url(re.compile("#blood-tests$"))
    page.locator(".glossary-term").first.hover()
    expect(page.locator(".glossary-def").first).to_be_visible()
    # The search box is a plain GET form.
    form = page.get_by_role("search", name="Site")
    expect(form).to_have_attribute("method", "get")
    expect(form.get_by_role("searchbox", name="Search the guide")).to_have_attribute("name", "q")
    screenshot(page, "nojs-guide")


@pytest.mark.parametrize("width", [375, 320])
def test_small_screens_do_not_scroll_sideways(browsing, width):
    page = browsing.page(viewport={"width": width, "height": 800})
    for name, url in PAGES:
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{url} is {overflow}px wide at {width}px"
        if width == 375 and name in ("home", "guide", "index-therapies", "therapy"):
            screenshot(page, f"{width}-{name}")


def test_table_of_contents_folds_on_narrow_screens_and_sticks_on_wide_ones(browsing):
    phone = browsing.page(viewport=PHONE)
    phone.goto(GUIDE)
    toc = phone.locator("details.toc")
    expect(toc).not_to_have_attribute("open", "")
    phone.get_by_text("On this page").click()
    link = phone.get_by_role("navigation", name="On this page").get_by_role("link", name="After the infusion")
    expect(link).to_be_visible()
    link.click()
    expect(phone).to_have_url(re.compile("#after-the-infusion$"))
    expect(toc).not_to_have_attribute("open", "")   # folds again after a jump

    desktop = browsing.page(viewport=DESKTOP)
    desktop.goto(GUIDE)
    toc_box = desktop.locator("details.toc").bounding_box()
    body_box = desktop.locator(".article-body").bounding_box()
    assert toc_box["x"] > body_box["x"] + body_box["width"], "the contents are not beside the text"
    desktop.evaluate("window.scrollTo({top: document.body.scrollHeight / 2, behavior: 'instant'})")
    desktop.wait_for_function("() => window.scrollY > 300")
    top = desktop.locator("details.toc").evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top <= 40, f"the contents did not stick (top {top})"


def test_dark_mode(browsing):
    page = browsing.page(color_scheme="dark")
    for name, url in [("home", "/"), ("guide", GUIDE), ("therapy", "/therapies/daratumumab/")]:
        page.goto(url)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(n) for n in re.findall(r"\d+", background)[:3])
        assert red + green + blue < 150, f"{url} is not dark: {background}"
        screenshot(page, f"dark-{name}")
    phone = browsing.page(viewport=PHONE, color_scheme="dark")
    phone.goto(GUIDE)
    screenshot(phone, "dark-375-guide")


def test_print_is_a_clean_handout(browsing):
    page = browsing.page()
    page.goto(GUIDE)
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".site-search", ".breadcrumbs", ".toc-col", ".copy-link",
                   ".skip-link", ".backlinks"):
        if page.locator(hidden).count():
            expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", name="References")).to_be_visible()
    expect(page.locator("#kb-cite-text")).to_be_visible()
    printed = page.evaluate("""() => [...document.querySelectorAll('.article-body a.kb-link, .references a.ref-url')]
        .map(a => getComputedStyle(a, '::after').content)""")
    assert any("/biomarkers/cd38/" in text and text.startswith('" <http') for text in printed), printed
    assert any("https://www.example.org/darzalex-label" in text for text in printed), printed
    glossary_after = page.eval_on_selector(
        ".glossary-term", "a => getComputedStyle(a, '::after').content")
    assert glossary_after in ("none", "normal", "")
    screenshot(page, "print-guide")
    page.emulate_media(media="screen")


def test_article_page_weighs_under_100_kb(browsing):
    page = browsing.page()
    page.goto(GUIDE, wait_until="load")
    # decodedBodySize: the uncompressed size of each file (Resource Timing).
    sizes = dict(page.evaluate("""() => [...performance.getEntriesByType('navigation'),
                                         ...performance.getEntriesByType('resource')]
        .filter(e => e.entryType === 'navigation' || ['link', 'script', 'css'].includes(e.initiatorType))
        .map(e => [e.name, e.decodedBodySize])"""))
    assert any(".css" in url for url in sizes) and any(".js" in url for url in sizes), sizes
    assert sum(sizes.values()) < 100 * 1024, sizes
