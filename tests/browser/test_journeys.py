"""The journeys of issue #4, in a real browser."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.corpus import NEW_ANCHOR, OLD_ANCHOR

GUIDE = "/topics/starting-treatment/"


def in_viewport(page, selector):
    return page.evaluate("""selector => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= -1 && box.top < window.innerHeight;
    }""", selector)


def target_id(page):
    return page.evaluate("(document.querySelector(':target') || {}).id || null")


def test_patient_goes_home_to_therapy_to_mechanism_and_back(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    patients = page.get_by_role("region", name="New to anti-CD38 treatment?")
    patients.get_by_role("link", name="Daratumumab").click()
    expect(page).to_have_url(re.compile(r"/therapies/daratumumab/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Daratumumab")
    screenshot(page, "journey-therapy")

    page.locator(".article-body").get_by_role(
        "link", name="Antibody-dependent cellular cytotoxicity (ADCC)").click()
    expect(page).to_have_url(re.compile(r"/mechanisms/adcc/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Antibody-dependent cellular cytotoxicity (ADCC)")
    expect(page.get_by_role("heading", name="Therapies that work through it")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/therapies/daratumumab/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Daratumumab")


def test_educator_section_link_lands_on_the_highlighted_section(page):
    page.goto("/")
    educators = page.get_by_role("region", name="For educators and clinicians")
    educators.get_by_role("link", name="CD38: Where CD38 is found").click()
    expect(page).to_have_url(re.compile(r"/biomarkers/cd38/#where-cd38-is-found$"))
    assert target_id(page) == "where-cd38-is-found"

    page.goto(GUIDE + "#blood-bank-card")
    assert target_id(page) == "blood-bank-card"
    page.wait_for_function("() => document.getElementById('blood-bank-card').getBoundingClientRect().top < 200")
    assert in_viewport(page, "#blood-bank-card")
    background = page.eval_on_selector("#blood-bank-card", "el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the :target section is not highlighted"
    screenshot(page, "journey-section-target", full_page=False)


def test_permalink_and_copy_link_show_on_hover_and_copy_the_section_url(browsing):
    page = browsing.page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(GUIDE)
    heading = page.locator("#blood-tests")
    permalink = heading.locator(".headerlink")
    button = heading.get_by_role("button", name="Copy link to section: Blood tests")
    assert permalink.evaluate("el => getComputedStyle(el).opacity") == "0"
    heading.hover()
    page.wait_for_function("() => getComputedStyle(document.querySelector('#blood-tests .copy-link')).opacity === '1'")
    expect(permalink).to_have_attribute("href", "#blood-tests")
    screenshot(page, "journey-copy-link-hover", full_page=False)

    # The heading's name stays its own words for screen readers' list of headings.
    expect(page.get_by_role("heading", name="Blood tests", exact=True)).to_have_count(1)
    expect(permalink).to_have_accessible_name("Permalink to section: Blood tests")

    button.click()
    expect(button).to_have_text("Copied")
    expect(page.locator("#kb-status")).to_contain_text("copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{browsing.base_url}{GUIDE}#blood-tests"

    page.goto(copied)
    assert target_id(page) == "blood-tests"


def test_an_old_anchor_still_lands_on_its_renamed_section(page):
    page.goto(f"{GUIDE}#{OLD_ANCHOR}")
    expect(page).to_have_url(re.compile(f"#{NEW_ANCHOR}$"))
    assert target_id(page) == NEW_ANCHOR
    page.wait_for_function(f"() => document.getElementById('{NEW_ANCHOR}').getBoundingClientRect().top < 200")
    assert in_viewport(page, f"#{NEW_ANCHOR}")
    # Also when the reader is already on the page and follows an old link.
    page.goto(GUIDE + "#blood-tests")
    page.evaluate(f"location.hash = '{OLD_ANCHOR}'")
    expect(page).to_have_url(re.compile(f"#{NEW_ANCHOR}$"))


def test_glossary_definition_by_mouse(page):
    page.goto(GUIDE)
    term = page.locator(".article-body .glossary-term", has_text="monoclonal antibody")
    definition = page.locator(".glossary-def", has_text="A lab-made protein")
    expect(definition).to_be_hidden()
    # Screen readers get the definition as the link's description.
    expect(term).to_have_accessible_description(
        "A lab-made protein that sticks to one exact target, such as CD38.")
    term.hover()
    expect(definition).to_be_visible()
    screenshot(page, "journey-glossary-hover", full_page=False)
    # The pointer can move onto the definition without losing it (WCAG 1.4.13)...
    definition.hover()
    expect(definition).to_be_visible()
    # ...and Escape dismisses it without moving the pointer.
    page.keyboard.press("Escape")
    expect(definition).to_be_hidden()
    page.mouse.move(0, 0)
    term.hover()
    expect(definition).to_be_visible()


def test_glossary_definition_by_keyboard(page):
    page.goto(GUIDE)
    definition = page.locator(".glossary-def", has_text="A lab-made protein")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('glossary-term')"):
            break
    else:
        raise AssertionError("Tab never reached a glossary term")
    expect(page.locator(":focus")).to_have_text("monoclonal antibody")
    expect(definition).to_be_visible()
    page.keyboard.press("Escape")
    expect(definition).to_be_hidden()
    page.keyboard.press("Tab")
    expect(definition).to_be_hidden()


def test_glossary_definition_by_tap_on_a_touch_screen(browsing):
    page = browsing.page(viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto(GUIDE)
    term = page.locator(".article-body .glossary-term", has_text="natural killer cell")
    definition = page.locator(".glossary-def", has_text="A white blood cell")
    term.tap()
    expect(definition).to_be_visible()
    expect(term).to_have_attribute("aria-expanded", "true")
    expect(page).to_have_url(re.compile(f"{GUIDE}$"))
    box = definition.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "journey-glossary-tap-375", full_page=False)
    page.locator("h1").tap()
    expect(definition).to_be_hidden()
    term.tap()
    expect(definition).to_be_visible()
    term.tap()   # a second tap follows the link
    expect(page).to_have_url(re.compile(r"/glossary/natural-killer-cell/$"))


def test_keyboard_only_reader(page):
    page.goto(GUIDE)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    assert in_viewport(page, ".skip-link"), "the skip link is not shown on focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    seen = []
    outline_missing = []
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {tag: el.tagName, cls: el.className, text: el.textContent.trim().slice(0, 40),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                             && style.opacity === '1',
                    inFooter: !!el.closest('footer.site-footer'), body: el === document.body};
        }""")
        if info["body"] or info["inFooter"]:
            break
        seen.append(info)
        if not info["outline"]:
            outline_missing.append(info)
    classes = " ".join(i["cls"] for i in seen)
    texts = [i["text"] for i in seen]
    assert "Before the first dose" in texts, "the table of contents is not reachable"
    assert "headerlink" in classes and "copy-link" in classes
    assert "glossary-term" in classes
    assert "Copy citation" in texts
    # Everything focused is visible (the ¶ and "Copy link" too) and outlined.
    assert not outline_missing, f"no visible focus indicator on {outline_missing}"

    # A table-of-contents link moves the reader to its section.
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Blood bank card").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#blood-bank-card$"))
    assert target_id(page) == "blood-bank-card"


def test_map_on_the_home_page_links_and_highlights_connections(page):
    page.goto("/")
    node = page.locator("#map-daratumumab")
    node.hover()
    expect(node).to_have_class(re.compile("is-current"))
    linked = page.locator(".kb-map .is-linked")
    ids = sorted(linked.evaluate_all("els => els.map(e => e.id)"))
    assert ids == ["map-adcc", "map-cd38", "map-cdc", "map-d-rd", "map-sirius"]
    screenshot(page, "home-map-highlight", full_page=False)
    page.mouse.move(0, 0)        # leaving the map clears the highlight
    expect(page.locator(".kb-map")).not_to_have_class(re.compile("is-active"))
    expect(linked).to_have_count(0)
    page.locator("#map-d-rd").focus()   # keyboard focus highlights too
    expect(page.locator("#map-daratumumab")).to_have_class(re.compile("is-linked"))
    assert page.locator("#map-lenalidomide").count() == 0   # partner drugs are not a column
    page.locator("#map-sirius").click()
    expect(page).to_have_url(re.compile(r"/trials/sirius/$"))
