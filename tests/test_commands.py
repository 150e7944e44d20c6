"""The management commands: thin wrappers with clear output and exit status."""
import pytest
from django.core.management import CommandError, call_command

from kb.ingest.loader import load
from kb.models import Article
from tests.corpus import FILES

pytestmark = pytest.mark.django_db


def test_load_content_prints_a_summary(content_dir, capsys):
    call_command("load_content")
    assert capsys.readouterr().out.strip() == f"{len(FILES)} created, 0 updated, 0 removed, 0 unchanged"
    call_command("load_content")
    assert capsys.readouterr().out.strip() == f"0 created, 0 updated, 0 removed, {len(FILES)} unchanged"


def test_load_content_dry_run_writes_nothing(content_dir, capsys):
    call_command("load_content", "--dry-run")
    assert capsys.readouterr().out.startswith("would be: ")
    assert Article.objects.count() == 0


def test_load_content_reports_every_error_and_fails(content_dir, capsys):
    (content_dir / "mechanisms/cdc.md").write_text(
        (content_dir / "mechanisms/cdc.md").read_text().replace("[[adcc]]", "[[adc]]"))
    with pytest.raises(CommandError, match="1 error"):
        call_command("load_content")
    err = capsys.readouterr().err
    assert "mechanisms/cdc.md:7: unknown link target [[adc]] (did you mean 'adcc'?)" in err
    assert Article.objects.count() == 0


def test_check_content_passes_on_good_content(content_dir, capsys):
    call_command("check_content")
    # Nothing links to the corpus's topic page: a warning, which does not fail the check.
    assert capsys.readouterr().out.strip() == (
        f"content OK: {len(FILES)} articles checked; 1 warning in 1 file (orphan 1)")


def test_check_content_fails_on_bad_content(content_dir, capsys):
    (content_dir / "topics/bad.md").write_text("no front matter")
    with pytest.raises(CommandError):
        call_command("check_content")
    assert "topics/bad.md:1: missing front matter" in capsys.readouterr().err


# check_content's warnings, --strict and --format json (issue #9) -------------------

def add_problems(content_dir):
    """An uncited figure and an error in cdc, an overdue review in sirius."""
    path = content_dir / "mechanisms/cdc.md"
    path.write_text(path.read_text().replace("See also [[adcc]].",
                                             "See also [[adc]].\n\nIt works in 40% of cells."))
    path = content_dir / "trials/sirius.md"
    path.write_text(path.read_text().replace("last_reviewed: 2026-11-01",
                                             "last_reviewed: 2024-01-31"))


def test_check_content_groups_by_file_sorted_and_ends_with_a_count(content_dir, capsys):
    add_problems(content_dir)
    with pytest.raises(CommandError) as failure:
        call_command("check_content")
    err = capsys.readouterr().err
    folder = f"{content_dir}/"
    assert err.splitlines() == [
        f"{folder}mechanisms/cdc.md:7: unknown link target [[adc]] (did you mean 'adcc'?)",
        f"{folder}mechanisms/cdc.md:9: warning: paragraph gives figures ('40%') but cites no "
        "source: add [@reference-id] right after the claim [uncited-figures]",
        "",
        f"{folder}topics/infusion-reactions.md: warning: no other page links to this one: "
        "readers only find it through search and the index; link it where it helps, e.g. "
        "[[infusion-reactions]], or name it in another page's see_also [orphan]",
        "",
        f"{folder}trials/sirius.md:4: warning: last_reviewed 2024-01-31 is more than 12 months "
        "ago: check the page against its sources, then set today's date [review-overdue]",
    ]
    assert str(failure.value) == ("1 error and 3 warnings in 3 files (orphan 1, review-overdue 1, "
                                  f"uncited-figures 1); {len(FILES)} articles checked")


def test_check_content_passes_with_warnings_unless_strict(content_dir, capsys):
    call_command("check_content")
    assert capsys.readouterr().out.startswith("content OK")
    with pytest.raises(CommandError, match="--strict: warnings count as errors"):
        call_command("check_content", "--strict")


def test_check_content_json_for_tools(content_dir, capsys):
    import json

    add_problems(content_dir)
    with pytest.raises(CommandError):
        call_command("check_content", "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["errors"] == 1 and report["warnings"] == 3
    assert report["articles"] == len(FILES)
    assert report["warning_counts"] == {"orphan": 1, "review-overdue": 1, "uncited-figures": 1}
    assert [f["path"] for f in report["files"]] == [
        "mechanisms/cdc.md", "topics/infusion-reactions.md", "trials/sirius.md"]
    assert report["files"][0]["problems"][1] == {
        "line": 9, "level": "warning", "code": "uncited-figures",
        "message": "paragraph gives figures ('40%') but cites no source: add [@reference-id] "
                   "right after the claim"}


def test_check_content_json_passes_without_errors(content_dir, capsys):
    import json

    call_command("check_content", "--format", "json")
    assert json.loads(capsys.readouterr().out)["ok"] is True
    with pytest.raises(CommandError):
        call_command("check_content", "--format", "json", "--strict")


# new_article (issue #9) ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["biomarkers", "mechanisms", "therapy-classes", "therapies",
                                  "combinations", "trials", "topics", "glossary"])
def test_new_article_lists_every_key_and_passes_check_content(content_dir, capsys, kind):
    from kb.ingest.schema import fields_for

    call_command("new_article", kind, "brand-new")
    path = content_dir / kind / "brand-new.md"
    assert f"wrote {path}" in capsys.readouterr().out
    text = path.read_text()
    for key, spec in fields_for(kind).items():
        written = f"\n{key}:" in text
        commented = f"\n# {key}:" in text
        assert written if spec.required else commented, key
        assert f"\n# {key} (" in text, f"{key} has no help line"
    call_command("check_content")  # no error
    assert capsys.readouterr().out.startswith("content OK")
    # Its only warning: no page links to it yet.
    result = load(content_dir, full=True)
    assert [e.code for e in result.errors if e.path == f"{kind}/brand-new.md"] == ["orphan"]


def test_new_article_uses_existing_pages_for_required_relations(content_dir):
    call_command("new_article", "combinations", "d-vd", "--title", "D-Vd")
    text = (content_dir / "combinations/d-vd.md").read_text()
    assert "\ntitle: D-Vd\n" in text
    assert "\ncomponents: [daratumumab, lenalidomide]\n" in text


def test_new_article_refuses_a_taken_name_or_a_bad_slug(content_dir):
    with pytest.raises(CommandError, match="already exists"):
        call_command("new_article", "therapies", "daratumumab")
    with pytest.raises(CommandError, match="'darzalex' is already the name of therapies/"):
        call_command("new_article", "topics", "darzalex")
    with pytest.raises(CommandError, match="may only use a-z"):
        call_command("new_article", "topics", "Side_Effects")
    with pytest.raises(CommandError):
        call_command("new_article", "recipes", "soup")
