"""content/README.md is the editors' complete guide (issue #9): it cannot fall
behind the schema, the choices the checks accept, or the warnings."""
from django.conf import settings

from kb.ingest import schema, warnings
from kb.ingest.schema import EXAMPLES, PER_KIND, fields_for

GUIDE = (settings.BASE_DIR / "content" / "README.md").read_text(encoding="utf-8")


def test_every_key_of_every_kind_is_explained_with_an_example():
    missing = []
    for kind in PER_KIND:
        for key in fields_for(kind):
            example = f"`{key}: " if key not in EXAMPLES else f"{key}:\n"
            if f"| `{key}` |" not in GUIDE or example not in GUIDE:
                missing.append(f"{kind}: {key}")
    assert missing == []


def test_every_value_the_checks_accept_is_listed():
    values = {value for kind in PER_KIND for spec in fields_for(kind).values()
              for value in spec.choices}
    values |= {*schema.ENDPOINTS, *schema.MEASURES, *schema.ANALYSES, *schema.APPROVAL_TYPES}
    assert sorted(v for v in values if v not in GUIDE) == []


def test_every_warning_is_explained():
    assert [code for code in warnings.CODES if f"| `{code}` |" not in GUIDE] == []


def test_the_workflow_is_in_the_guide():
    for needle in ("new_article KIND SLUG", "check_content --strict", "--format json", "make run",
                   "[[daratumumab#side-effects|side effects]]", "{#side-effects}", "[@facon-2019]",
                   "matches: [ADCC]", "last_reviewed", "/changes/"):
        assert needle.replace("|", "\\|") in GUIDE or needle in GUIDE, needle
