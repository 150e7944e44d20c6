"""The static export in a real browser, served as a static host serves it (issue #7).

An alias or old address is a redirect page: its meta refresh alone would drop
the #section of an educator's link; static/kb/redirect.js keeps it.
"""
import functools
import http.server
import threading

import pytest

from kb.export import export_site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def exported(site, tmp_path):
    """The browser corpus exported, served over HTTP from its folder (index.html for folders)."""
    out = tmp_path / "export"
    export_site(out, "https://guide.example.org")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_an_alias_keeps_the_section_its_link_names(browsing, exported):
    page = browsing.page()
    page.goto(f"{exported}/therapies/darzalex/#side-effects")

    page.wait_for_url(f"{exported}/therapies/daratumumab/#side-effects")
    assert page.locator("h2#side-effects").is_visible()


def test_an_alias_without_a_section_goes_to_the_top_of_the_page(browsing, exported):
    page = browsing.page()
    page.goto(f"{exported}/therapies/darzalex/")

    page.wait_for_url(f"{exported}/therapies/daratumumab/")
    assert page.locator("h1").inner_text() == "Daratumumab"
