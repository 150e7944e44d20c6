"""Property-based tests of the loader (issue #7): whatever bytes or front matter
an editor saves, ``load()`` either loads or returns clean errors naming the
file; it never raises, and after an error the database is exactly as before."""
import datetime
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from kb.ingest.errors import ContentError
from kb.ingest.loader import load
from kb.models import Alias, Article, ContentLoad, Link, Section
from tests.corpus import write_corpus

pytestmark = pytest.mark.django_db

TARGET = "mechanisms/cdc.md"
EXAMPLES = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def snapshot():
    return (
        sorted(Article.objects.values_list("slug", "kind", "title", "content_hash", "body_html")),
        sorted(Section.objects.values_list("article__slug", "anchor", "text")),
        sorted(Link.objects.values_list("source__slug", "target__slug", "target_anchor")),
        sorted(Alias.objects.values_list("slug", "article__slug")),
        ContentLoad.objects.count(),
    )


@pytest.fixture
def base(db):
    """The corpus, loaded once; each example works on a copy of the folder."""
    root = Path(tempfile.mkdtemp()) / "content"
    write_corpus(root)
    assert load(root).ok
    yield root
    shutil.rmtree(root.parent)


def check(root, relative, data):
    """Write ``data`` to ``relative`` in a copy of ``root``, load, check the contract.

    Each example runs in a savepoint rolled back afterwards, so the next one
    starts from the same database.
    """
    work = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(root, work / "content")
        path = work / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        with transaction.atomic():
            before = snapshot()
            result = load(work / "content")  # any exception fails the test
            assert all(isinstance(e, ContentError) for e in result.errors)
            if result.ok:
                assert Article.objects.filter(source_path=relative).exists() or not result.applied
            else:
                errors = [e for e in result.errors if e.is_error]
                # Only the file we broke is blamed (other files may only get
                # follow-on errors such as links to a slug that vanished).
                assert any(e.path == relative for e in errors), [str(e) for e in errors]
                assert all(str(e).startswith(e.path) and e.message.strip() for e in errors)
                assert snapshot() == before
            transaction.set_rollback(True)
    finally:
        shutil.rmtree(work)


@EXAMPLES
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_load_or_give_clean_errors(base, data):
    check(base, TARGET, data)


@EXAMPLES
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_after_valid_front_matter(base, data):
    head = b"---\ntitle: CDC\nsummary: Holes.\nlast_reviewed: 2026-11-01\ncategory: immune-effector\n---\n"
    check(base, TARGET, head + data)


# Front matter: the real keys (and some others) with values of every YAML shape.
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.dates(min_value=datetime.date(1, 1, 1)), st.sampled_from(
        ["cd38", "adcc", "daratumumab", "immune-effector", "2026-11-01", "", "---", "[[cd38]]"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
KEYS = ["title", "summary", "last_reviewed", "slug", "aliases", "references", "see_also",
        "category", "role", "therapy_class", "status", "targets", "mechanisms", "approvals",
        "components", "settings", "phase", "setting", "tests", "nct", "enrolled", "arms",
        "outcomes", "matches", "gene", "unknown_key"]
front_matter = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
KIND_FILES = st.sampled_from([
    "mechanisms/cdc.md", "therapies/daratumumab.md", "trials/sirius.md", "glossary/new-term.md",
    "combinations/new-combo.md", "topics/new-topic.md", "therapy-classes/new-class.md",
])


@EXAMPLES
@given(relative=KIND_FILES, fields=front_matter,
       body=st.text(max_size=200).filter(lambda t: "\x00" not in t))
def test_arbitrary_front_matter_loads_or_gives_clean_errors(base, relative, fields, body):
    try:
        text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return
    check(base, relative, f"---\n{text}---\n{body}\n".encode("utf-8", "surrogatepass"))


@EXAMPLES
@given(relative=KIND_FILES, text=st.text(max_size=300))
def test_arbitrary_text_between_the_markers(base, relative, text):
    check(base, relative, f"---\n{text}\n---\nBody.\n".encode("utf-8", "surrogatepass"))
