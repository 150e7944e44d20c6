"""/changes/ (issue #9): what the latest loads created, updated, re-reviewed and removed."""
import pytest

from kb.ingest.loader import load
from kb.models import ContentLoad
from tests.corpus import edit, write

pytestmark = pytest.mark.django_db


def test_a_load_records_each_kind_of_change(loaded):
    edit(loaded, "mechanisms/cdc.md", "See also", "Read")
    edit(loaded, "mechanisms/adcc.md", "last_reviewed: 2026-11-01", "last_reviewed: 2026-11-20")
    (loaded / "topics/infusion-reactions.md").unlink()
    write(loaded, "topics/daily-life.md", """\
        ---
        title: Daily life
        summary: Tips for the days between treatments.
        last_reviewed: 2026-11-20
        ---
        Ask about [[daratumumab]].
        """)
    assert load(loaded).applied
    changes = ContentLoad.objects.first().changes
    assert sorted((c["action"], c["slug"]) for c in changes) == [
        ("created", "daily-life"), ("re-reviewed", "adcc"), ("removed", "infusion-reactions"),
        ("updated", "cdc")]


def test_the_changes_page_lists_the_latest_loads(loaded, client):
    edit(loaded, "mechanisms/adcc.md", "last_reviewed: 2026-11-01", "last_reviewed: 2026-11-20")
    (loaded / "topics/infusion-reactions.md").unlink()
    load(loaded)
    response = client.get("/changes/")
    assert response.status_code == 200
    page = response.content.decode()
    # Newest load first: this one's re-review and removal, then the first load's pages.
    assert (page.index('badge-re-reviewed">Re-reviewed') < page.index('badge-removed">Removed')
            < page.index('badge-created">New'))
    assert ('<a href="/mechanisms/adcc/">Antibody-dependent cellular cytotoxicity (ADCC)</a>'
            in page)
    assert "<li>Infusion reactions <span" in page  # removed: no link
    assert '<a href="/topics/infusion-reactions/">' not in page
    assert page.count('class="index-group changes"') == 2  # this load and the first


def test_loads_that_changed_nothing_are_not_listed(content_dir, client):
    assert client.get("/changes/").content.decode().count("No changes recorded yet.") == 1
