"""Each kind of bad input gets its own clear message naming file and line,
and a load with any error changes nothing in the database."""
import os

import pytest

from kb.ingest.loader import load
from kb.models import Article, Link
from tests.corpus import FILES, edit, write

pytestmark = pytest.mark.django_db


def errors_for(content_dir):
    # Warnings (tests/test_warnings.py) do not stop a load: only errors here.
    return [str(e) for e in load(content_dir, full=True).errors if e.is_error]


def test_the_test_corpus_is_valid(content_dir):
    assert errors_for(content_dir) == []


def test_yaml_syntax_error_names_the_line(content_dir):
    edit(content_dir, "mechanisms/adcc.md", "category: immune-effector",
               "category: [immune-effector")
    # Other files link to adcc: those links still resolve, so this is the only error.
    errors = errors_for(content_dir)
    assert len(errors) == 1
    # The wording is the YAML parser's own (libyaml's or PyYAML's); the place is ours.
    assert errors[0].startswith("mechanisms/adcc.md:6: YAML syntax error: ")
    assert "','" in errors[0] and "']'" in errors[0]


def test_missing_front_matter(content_dir):
    write(content_dir, "topics/plain.md", "Just text, no front matter.\n")
    assert errors_for(content_dir) == [
        "topics/plain.md:1: missing front matter: the file must start with a line '---'"]


def test_unclosed_front_matter(content_dir):
    write(content_dir, "topics/open.md", "---\ntitle: x\n")
    assert errors_for(content_dir) == [
        "topics/open.md:1: front matter is not closed: add a line '---' after it"]


def test_front_matter_that_is_not_a_mapping(content_dir):
    write(content_dir, "topics/list.md", "---\n- a\n- b\n---\nbody\n")
    assert errors_for(content_dir) == [
        "topics/list.md:2: front matter must be a mapping of keys to values, found list"]


def test_missing_required_field(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "category: immune-effector\n", "")
    assert errors_for(content_dir) == ["mechanisms/cdc.md:2: missing required key 'category'"]


def test_wrong_type_of_field(content_dir):
    edit(content_dir, "trials/sirius.md", "enrolled: 106", "enrolled: many")
    edit(content_dir, "mechanisms/cdc.md", "category:", "see_also: adcc\ncategory:")
    assert errors_for(content_dir) == [
        "mechanisms/cdc.md:5: see_also must be a list, not text",
        "trials/sirius.md:9: enrolled must be a whole number, not 'many'"]


def test_wrong_date(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "last_reviewed: 2026-11-01",
               "last_reviewed: last week")
    assert errors_for(content_dir) == [
        "mechanisms/cdc.md:4: last_reviewed must be a date written YYYY-MM-DD, not 'last week'"]


def test_unknown_key_suggests_the_right_one(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "summary:", "sumary:")
    errors = errors_for(content_dir)
    assert "mechanisms/cdc.md:3: unknown key 'sumary' for a mechanisms article " \
           "(did you mean 'summary'?)" in errors
    assert "mechanisms/cdc.md:2: missing required key 'summary'" in errors


def test_duplicate_key(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "category: immune-effector",
               "category: immune-effector\ncategory: direct")
    assert errors_for(content_dir) == [
        "mechanisms/cdc.md:6: key 'category' appears twice in the front matter"]


def test_choice_outside_the_list(content_dir):
    edit(content_dir, "therapies/daratumumab.md", "status: approved", "status: aproved")
    errors = errors_for(content_dir)
    assert errors == ["therapies/daratumumab.md:7: status must be one of approved, "
                      "investigational, discontinued; found 'aproved'"]


def test_unknown_kind_folder(content_dir):
    write(content_dir, "drugs/x.md", "---\ntitle: x\n---\n")
    errors = errors_for(content_dir)
    assert len(errors) == 1
    assert errors[0].startswith("drugs/x.md: unknown kind folder 'drugs': articles go in one of")


def test_file_that_is_not_markdown(content_dir):
    write(content_dir, "topics/notes.txt", "hello")
    assert errors_for(content_dir) == [
        "topics/notes.txt: only Markdown files ending in .md belong in content/"]


def test_duplicate_slug_across_files(content_dir):
    write(content_dir, "topics/daratumumab.md", FILES["topics/infusion-reactions.md"])
    errors = errors_for(content_dir)
    assert "topics/daratumumab.md: slug 'daratumumab' is already used by " \
           "therapies/daratumumab.md" in errors


def test_duplicate_alias_across_files(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "category:", "aliases: [Dara]\ncategory:")
    assert errors_for(content_dir) == [
        "therapies/daratumumab.md:5: alias 'dara' is already the name of mechanisms/cdc.md"]


def test_broken_link_suggests_a_name(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "[[adcc]]", "[[daratumab]]")
    assert errors_for(content_dir) == [
        "mechanisms/cdc.md:7: unknown link target [[daratumab]] (did you mean 'daratumumab'?)"]


def test_broken_section_link(content_dir):
    edit(content_dir, "topics/infusion-reactions.md", "#side-effects", "#side-efects")
    assert errors_for(content_dir) == [
        "topics/infusion-reactions.md:7: unknown section in [[daratumumab#side-efects]]: page "
        "'daratumumab' has no heading with id 'side-efects' (did you mean '#side-effects'?)"]


def test_relation_to_a_missing_article(content_dir):
    edit(content_dir, "therapies/daratumumab.md", "targets: [cd38]", "targets: [cd39]")
    assert errors_for(content_dir) == [
        "therapies/daratumumab.md:8: targets: no article 'cd39' (did you mean 'cd38'?)"]


def test_relation_to_an_article_of_the_wrong_kind(content_dir):
    edit(content_dir, "therapies/daratumumab.md", "mechanisms: [adcc, cdc]",
               "mechanisms: [adcc, cd38]")
    assert errors_for(content_dir) == [
        "therapies/daratumumab.md:9: mechanisms: 'cd38' is a biomarkers article; "
        "expected mechanisms"]


def test_duplicate_pinned_heading_id(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "See also [[adcc]].",
               "## One {#same}\nx\n\n## Two {#same}\ny")
    assert errors_for(content_dir) == ["mechanisms/cdc.md:7: duplicate heading id 'same' in this file"]


def test_heading_id_that_would_shadow_a_browser_global(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "See also [[adcc]].", "## Where {#location}\nx")
    assert errors_for(content_dir) == [
        "mechanisms/cdc.md:7: id 'location' would shadow the browser global 'location'; "
        "choose another"]


def test_file_that_is_not_utf8(content_dir):
    (content_dir / "topics/latin1.md").write_bytes(
        "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    assert errors_for(content_dir) == [
        "topics/latin1.md:2: file is not UTF-8 text: save it with UTF-8 encoding"]


def test_file_over_the_size_limit(content_dir, settings):
    settings.KB_MAX_FILE_BYTES = 1000
    write(content_dir, "topics/huge.md", "---\ntitle: x\n---\n" + "word " * 400)
    assert errors_for(content_dir) == [
        "topics/huge.md: file is 2,017 bytes, over the limit of 1,000 bytes"]


def test_symlink_pointing_outside_content(content_dir, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: x\n---\n")
    os.symlink(outside, content_dir / "topics" / "leak.md")
    assert errors_for(content_dir) == [
        "topics/leak.md: symbolic link points outside content/; copy the file in instead"]


def test_symlink_inside_content_is_fine(content_dir):
    (content_dir / "topics" / "copy-target.md").write_text(
        (content_dir / "topics/infusion-reactions.md").read_text().replace(
            "title: Infusion reactions", "title: Infusion reactions again"))
    os.symlink(content_dir / "topics" / "copy-target.md", content_dir / "topics" / "also.md")
    # Same file twice under two names: the second is a separate article with the same aliases.
    assert errors_for(content_dir) == []


def test_slug_with_forbidden_characters(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "category:", "slug: CDC_mech\ncategory:")
    assert errors_for(content_dir) == [
        "mechanisms/cdc.md:5: slug 'CDC_mech' may only use a-z, 0-9 and '-'"]


def test_file_name_that_gives_a_bad_slug(content_dir):
    write(content_dir, "topics/Side Effects.md", FILES["topics/infusion-reactions.md"].replace(
        "title: Infusion reactions", "title: Side effects"))
    assert errors_for(content_dir) == [
        "topics/Side Effects.md: file name gives the slug 'Side Effects', which may only use "
        "a-z, 0-9 and '-': rename the file or set 'slug:'"]


def test_citation_of_an_unknown_reference(content_dir):
    edit(content_dir, "therapies/daratumumab.md", "[@lonial-2016]", "[@lonial-2017]")
    assert errors_for(content_dir) == [
        "therapies/daratumumab.md:22: citation [@lonial-2017] names no reference of this file "
        "(references: lonial-2016)"]


def test_outcome_interval_must_contain_the_estimate(content_dir):
    edit(content_dir, "trials/sirius.md", "ci: [20.8, 38.9]", "ci: [30.8, 38.9]")
    assert errors_for(content_dir) == [
        "trials/sirius.md:23: outcomes[1].ci [30.8, 38.9] does not contain the estimate 29.2"]


def test_errors_are_collected_not_stopped_at_the_first(content_dir):
    edit(content_dir, "mechanisms/cdc.md", "[[adcc]]", "[[nowhere]]")
    edit(content_dir, "therapies/lenalidomide.md", "status: approved", "status: maybe")
    write(content_dir, "topics/plain.md", "no front matter")
    assert len(errors_for(content_dir)) == 3


def test_a_failed_load_changes_nothing(loaded):
    before = list(Article.objects.values_list("slug", "title", "content_hash", "body_html"))
    links_before = Link.objects.count()
    edit(loaded, "mechanisms/cdc.md", "title: Complement-dependent cytotoxicity (CDC)",
               "title: Changed title")
    write(loaded, "topics/new.md", "---\ntitle: New\nsummary: s\nlast_reviewed: 2026-01-01\n---\n[[gone]]\n")
    (loaded / "glossary/natural-killer-cell.md").unlink()
    result = load(loaded)
    assert not result.ok and not result.applied
    assert list(Article.objects.values_list("slug", "title", "content_hash", "body_html")) == before
    assert Link.objects.count() == links_before
