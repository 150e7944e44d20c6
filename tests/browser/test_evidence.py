"""The evidence pages in a real browser (issue #6): sorting and filtering with
and without JavaScript, axe-core on the evidence, trial, combination, therapy,
compare and map pages in both colour schemes, and screenshots to look at
(test-artifacts/browser/evidence-*.png)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, axe_violations, describe, screenshot
from tests.evidence_corpus import write_evidence_corpus

PAGES = [
    ("evidence", "/evidence/?setting=relapsed-refractory&sort=-pfs"),
    ("trial", "/trials/maia/"),
    ("combination", "/combinations/d-rd/"),
    ("therapy", "/therapies/daratumumab/"),
    ("compare", "/compare/?a=d-rd&b=isa-pd"),
    ("map", "/evidence/map/"),
]
# On a phone, the pages whose layout changes most (figures, wide tables).
PHONE_PAGES = [("evidence", "/evidence/"), ("compare", "/compare/?a=d-rd&b=isa-pd"),
               ("combination", "/combinations/d-rd/")]


@pytest.fixture
def site(tmp_path, settings, transactional_db, live_server):
    """The evidence corpus (trials with hazard ratios, three approvals), loaded."""
    from kb.ingest.loader import load

    root = write_evidence_corpus(tmp_path / "evidence-content")
    settings.KB_CONTENT_DIR = root
    result = load(root)
    assert result.ok, [str(e) for e in result.errors]
    return live_server.url


def rows(page):
    return page.locator("#trial-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.trial)")


def test_evidence_page_filters_and_sorts_without_javascript(browsing):
    page = browsing.page(java_script_enabled=False)
    page.goto("/evidence/")
    assert rows(page) == ["maia", "icaria-mm", "pollux", "sirius"]

    page.get_by_label("Setting", exact=True).select_option("relapsed-refractory")
    page.get_by_role("button", name="Show trials").click()
    # A plain GET form: every field is in the address, empty ones too.
    expect(page).to_have_url(re.compile(r"\?setting=relapsed-refractory&antibody=&partner=&sort=#trials$"))
    assert rows(page) == ["icaria-mm", "pollux", "sirius"]

    page.get_by_role("link", name=re.compile("^PFS hazard ratio")).click()
    expect(page).to_have_url(re.compile(r"\?setting=relapsed-refractory&sort=pfs#trials$"))
    assert rows(page) == ["pollux", "icaria-mm", "sirius"]
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")

    page.get_by_role("link", name=re.compile("^PFS hazard ratio")).click()
    assert rows(page) == ["icaria-mm", "pollux", "sirius"]
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    # The filter survives the sort, and the sort the next filter.
    page.get_by_label("CD38 medicine", exact=True).select_option("daratumumab")
    page.get_by_role("button", name="Show trials").click()
    assert rows(page) == ["pollux", "sirius"]
    assert "sort=-pfs" in page.url
    screenshot(page, "evidence-no-js")


def test_evidence_page_filters_and_sorts_in_place_with_javascript(browsing):
    page = browsing.page()
    page.goto("/evidence/")
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Setting", exact=True).select_option("relapsed-refractory")
    expect(page.locator("#trial-table tbody tr")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"/evidence/\?setting=relapsed-refractory$"))
    expect(page.locator("[data-ev-announce]")).to_have_text("Showing 3 of 4 trials: "
                                                           "Relapsed or refractory.")
    # The forest plot follows the filter too.
    expect(page.locator("#forest g.ev-row")).to_have_count(2)

    sorted_by_pfs = page.locator("th[aria-sort]:has(a[data-ev-sort=pfs])")
    page.get_by_role("link", name=re.compile("^PFS hazard ratio")).click()
    expect(sorted_by_pfs).to_have_attribute("aria-sort", "ascending")
    assert rows(page) == ["pollux", "icaria-mm", "sirius"]
    # Focus stays on the heading just used, so a keyboard user can press it again.
    expect(page.get_by_role("link", name=re.compile("^PFS hazard ratio"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(sorted_by_pfs).to_have_attribute("aria-sort", "descending")
    assert rows(page) == ["icaria-mm", "pollux", "sirius"]
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page).to_have_url(re.compile(r"\?setting=relapsed-refractory&sort=-pfs#trials$"))

    # Back goes to the previous view, still without a reload.
    page.go_back()
    expect(sorted_by_pfs).to_have_attribute("aria-sort", "ascending")
    assert rows(page) == ["pollux", "icaria-mm", "sirius"]
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot(page, "evidence-js")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_evidence_pages(browsing, scheme):
    page = browsing.page(color_scheme=scheme, axe=True)
    failures = {}
    for name, url in PAGES:
        assert page.goto(url).status == 200, url
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
        screenshot(page, f"evidence-{name}-{scheme}", full_page=False)
    assert not failures, describe(failures)


def test_axe_on_a_phone_with_the_figure_tables_open(browsing):
    page = browsing.page(viewport=PHONE, axe=True)
    failures = {}
    for name, url in PHONE_PAGES:
        page.goto(url)
        page.evaluate("document.querySelectorAll('details.ev-data').forEach(d => d.open = true)")
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
        screenshot(page, f"evidence-{name}-phone", full_page=False)
    assert not failures, describe(failures)


def test_figures_fit_a_phone_screen(browsing):
    page = browsing.page(viewport=PHONE)
    for url in ("/evidence/", "/combinations/d-rd/", "/compare/?a=d-rd&b=isa-pd"):
        page.goto(url)
        # Nothing but the scrolling boxes may be wider than the screen.
        overflow = page.evaluate("""() => document.documentElement.scrollWidth
                                    - document.documentElement.clientWidth""")
        assert overflow <= 0, url
        for figure in page.locator(".ev-forest, .ev-timeline").all():
            box = figure.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], url


def test_figure_rows_open_their_pages(browsing):
    page = browsing.page(viewport=DESKTOP)
    page.goto("/evidence/")
    page.locator("#forest .ev-links a[href='/trials/pollux/']").click()
    expect(page).to_have_url(re.compile(r"/trials/pollux/$"))
    page.goto("/evidence/")
    page.locator("#approvals .ev-links a[href='/combinations/isa-pd/']").click()
    expect(page).to_have_url(re.compile(r"/combinations/isa-pd/$"))


def test_knowledge_map_traces_a_node_on_hover(browsing):
    page = browsing.page()
    page.goto("/evidence/map/")
    page.locator(".ev-map .ev-links a[data-key='isatuximab']").hover()
    expect(page.locator(".ev-map")).to_have_class(re.compile("is-tracing"))
    lit = page.locator(".ev-edge.is-lit").evaluate_all(
        "edges => edges.map(e => e.dataset.from + '>' + e.dataset.to).sort()")
    assert lit == ["adcc>isatuximab", "isatuximab>isa-pd"]
    screenshot(page, "evidence-map-trace", full_page=False)
