"""Hostile pages in headless Chromium (issue #7): no payload runs, no page
fetches anything from another site, no author id shadows a browser global.

Pages are visited as served, with the Content-Security-Policy, and the test
also fails on any report of the policy refusing something: so every payload
was removed by the sanitizer and none was merely stopped by the policy (the
policy is the second wall, not the only one).
"""
import pytest

from tests.corpus import write_corpus
from tests.xss_payloads import BEACON, write_payloads

LAYOUT_PAGES = ["/", "/topics/", "/therapies/", "/glossary/", "/search/?q=daratumumab",
                "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E", "/therapies/daratumumab/",
                "/mechanisms/adcc/", "/trials/sirius/", "/no-such-page/"]

GLOBALS_JS = """() => {
  const names = o => { const seen = new Set();
    for (let p = o; p; p = Object.getPrototypeOf(p)) Object.getOwnPropertyNames(p).forEach(n => seen.add(n));
    return [...seen]; };
  return {window: names(window), document: names(document)};
}"""

# An id or name shadows a global when the browser's named lookup returns the
# element for a name that a page without it had as a built-in property. In
# Chromium that happens on document (img/form/embed/object/iframe names and
# ids); window's own and inherited properties win over element ids, so its
# risk is only to names a script expects to be undefined.
SHADOWED_JS = """(globals) => {
  const win = new Set(globals.window), doc = new Set(globals.document), bad = [];
  const hit = (v, el) => v === el || (v instanceof HTMLCollection && [...v].includes(el));
  for (const el of document.querySelectorAll('[id], [name]')) {
    for (const key of [el.id, el.getAttribute('name')]) {
      if (!key) continue;
      let v;
      if (win.has(key)) { try { v = window[key]; } catch (e) { v = null; } if (hit(v, el)) bad.push('window.' + key); }
      if (doc.has(key)) { try { v = document[key]; } catch (e) { v = null; } if (hit(v, el)) bad.push('document.' + key); }
    }
  }
  return bad;
}"""


@pytest.fixture
def hostile_site(content_dir, transactional_db, live_server):
    from kb.ingest.loader import load

    write_corpus(content_dir)
    slugs = write_payloads(content_dir)
    result = load(content_dir)
    assert result.ok, [str(e) for e in result.errors if e.is_error]
    return live_server.url, [f"/topics/{slug}/" for slug in slugs]


class Watch:
    """One browser context; records dialogs, beacons, foreign requests, CSP reports."""

    def __init__(self, browser, base_url, bypass_csp):
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, bypass_csp=bypass_csp,
                                           java_script_enabled=True)
        self.context.set_default_timeout(5000)
        self.dialogs, self.beacons, self.foreign, self.csp = [], [], [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.current = ""

    def _route(self, route):
        url = route.request.url
        if BEACON in url:
            self.beacons.append((self.current, url))
        if url.startswith(self.base_url) or url.startswith("about:"):
            route.continue_()
        else:
            self.foreign.append((self.current, route.request.resource_type, url))
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append((self.current, dialog.type, dialog.message))
        dialog.dismiss()

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp.append((self.current, message.text))

    def globals(self):
        self.page.goto("about:blank")
        return self.page.evaluate(GLOBALS_JS)

    def visit(self, path):
        self.current = path
        self.page.goto(path, wait_until="load")
        # Let autofocus, animations and SVG timing events fire if anything survived.
        self.page.mouse.move(10, 10)
        self.page.mouse.move(600, 400)
        self.page.wait_for_timeout(30)

    def close(self):
        self.context.close()


def test_no_payload_runs_and_nothing_foreign_is_fetched(browser, hostile_site):
    base_url, payload_pages = hostile_site
    watch = Watch(browser, base_url, bypass_csp=False)
    try:
        globals_ = watch.globals()
        shadowed = []
        for path in [*payload_pages, *LAYOUT_PAGES]:
            watch.visit(path)
            shadowed += [(path, name) for name in watch.page.evaluate(SHADOWED_JS, globals_)]
    finally:
        watch.close()
    assert watch.dialogs == []
    assert watch.beacons == []
    assert watch.foreign == []
    # Nothing for the policy to refuse: the sanitizer already removed it.
    assert watch.csp == []
    assert shadowed == []


def test_the_watch_sees_a_payload_that_runs(browser, hostile_site):
    """The detectors work: inject what the sanitizer would have removed."""
    base_url, _ = hostile_site
    watch = Watch(browser, base_url, bypass_csp=True)
    try:
        globals_ = watch.globals()
        watch.visit("/topics/")
        watch.page.evaluate("""() => {
          document.body.insertAdjacentHTML('beforeend',
            '<img src="https://tracker.example/p.gif"><img name="cookie" src="/static/kb/icon.svg">');
          alert('injected');
        }""")
        watch.page.wait_for_timeout(100)
        shadowed = watch.page.evaluate(SHADOWED_JS, globals_)
    finally:
        watch.close()
    assert watch.dialogs == [("/topics/", "alert", "injected")]
    assert [url for _, _, url in watch.foreign] == ["https://tracker.example/p.gif"]
    assert shadowed == ["document.cookie"]


def test_the_policy_blocks_inline_script_when_served(browser, hostile_site):
    base_url, _ = hostile_site
    watch = Watch(browser, base_url, bypass_csp=False)
    try:
        watch.visit("/topics/")
        watch.page.evaluate("""() => {
          const s = document.createElement('script'); s.textContent = "alert('inline')";
          document.body.appendChild(s);
        }""")
        watch.page.wait_for_timeout(100)
    finally:
        watch.close()
    assert watch.dialogs == []
    assert watch.csp, "the browser should report the refused inline script"
