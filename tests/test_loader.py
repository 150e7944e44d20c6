"""Loading: create, skip unchanged, update, remove, and keep links and anchors working."""
import pytest

from kb.ingest.loader import load
from kb.models import (
    Alias, Approval, Article, Biomarker, Combination, ContentLoad, Link,
    Mechanism, Reference, Section, Therapy, Trial,
)
from tests.corpus import FILES, edit, write

pytestmark = pytest.mark.django_db


def test_first_load_creates_every_article_with_typed_relations(loaded):
    assert Article.objects.count() == len(FILES)
    dara = Therapy.objects.get(slug="daratumumab")
    assert dara.therapy_class.slug == "anti-cd38-antibodies"
    assert [b.slug for b in dara.targets.all()] == ["cd38"]
    assert list(Therapy.objects.filter(mechanisms__slug="adcc")) == [dara]
    assert [t.slug for t in Combination.objects.get(slug="d-rd").components.order_by("slug")] == [
        "daratumumab", "lenalidomide"]
    assert [a.slug for a in Trial.objects.get(slug="sirius").tests.all()] == ["daratumumab"]
    assert Mechanism.objects.get(slug="adcc").category == "immune-effector"
    assert Biomarker.objects.get(slug="cd38").gene == "CD38"


def test_details_are_stored(loaded):
    dara = Article.objects.get(slug="daratumumab")
    assert list(dara.references.values_list("key", "doi")) == [
        ("lonial-2016", "10.1016/S0140-6736(15)01120-4")]
    assert sorted(dara.aliases.values_list("slug", flat=True)) == ["dara", "darzalex"]
    approval = Approval.objects.get(article=dara)
    assert (approval.agency, str(approval.date), approval.type) == ("FDA", "2015-11-16",
                                                                    "accelerated")
    assert [t.slug for t in approval.basis.all()] == ["sirius"]
    assert list(dara.sections.values_list("anchor", "heading")) == [
        ("top", "Daratumumab"), ("side-effects", "Side effects")]
    sirius = Trial.objects.get(slug="sirius")
    assert sirius.outcomes[0]["value"] == 29.2 and sirius.outcomes[0]["ci"] == [20.8, 38.9]


def test_link_graph_records_target_anchor_and_source_section(loaded):
    rows = set(Link.objects.filter(target__slug="cd38").values_list(
        "source__slug", "target_anchor", "source_anchor"))
    assert rows == {("adcc", "where-cd38-is-found", "how-it-works"),
                    ("natural-killer-cell", "", "")}


def test_reload_with_nothing_changed_writes_nothing(loaded):
    before = list(Article.objects.values_list("slug", "updated_at"))
    result = load(loaded)
    assert result.summary() == f"0 created, 0 updated, 0 removed, {len(FILES)} unchanged"
    assert not result.applied
    assert list(Article.objects.values_list("slug", "updated_at")) == before


def test_changed_file_is_updated_and_reported(loaded):
    edit(loaded, "mechanisms/cdc.md", "See also [[adcc]].", "See also [[cd38]].")
    result = load(loaded)
    assert result.summary() == f"0 created, 1 updated, 0 removed, {len(FILES) - 1} unchanged"
    assert list(Link.objects.filter(source__slug="cdc").values_list("target__slug", flat=True)) \
        == ["cd38"]
    assert ContentLoad.objects.first().changes == [
        {"action": "updated", "kind": "mechanisms", "slug": "cdc",
         "title": "Complement-dependent cytotoxicity (CDC)"}]


def test_removed_file_is_deleted(loaded):
    (loaded / "topics/infusion-reactions.md").unlink()
    result = load(loaded)
    assert result.summary() == f"0 created, 0 updated, 1 removed, {len(FILES) - 1} unchanged"
    assert not Article.objects.filter(slug="infusion-reactions").exists()


def test_new_file_is_created(loaded):
    write(loaded, "topics/new-guide.md",
          "---\ntitle: New guide\nsummary: s\nlast_reviewed: 2026-11-01\n---\nSee [[cd38]].\n")
    assert load(loaded).summary().startswith("1 created, 0 updated, 0 removed")
    assert Article.objects.get(slug="new-guide").kind == "topics"


def test_title_change_re_renders_pages_that_link_here(loaded):
    edit(loaded, "mechanisms/cdc.md", "title: Complement-dependent cytotoxicity (CDC)",
         "title: Complement killing")
    result = load(loaded)
    # cdc changed; daratumumab links to it with its own text, d-rd does not link to it.
    assert result.plan.updated == ["cdc"]
    assert "daratumumab" in result.plan.rerendered
    assert "d-rd" not in result.plan.rerendered


def test_removing_a_linked_section_is_an_error(loaded):
    edit(loaded, "therapies/daratumumab.md", "## Side effects {#side-effects}", "## Adverse effects")
    result = load(loaded)
    assert not result.ok
    assert {e.path for e in result.errors if e.is_error} == {"therapies/lenalidomide.md",
                                                             "topics/infusion-reactions.md"}
    # The edited file itself is told that its old heading id is gone.
    assert [e.code for e in result.errors if e.path == "therapies/daratumumab.md"] == [
        "heading-id-changed"]


def test_moving_a_file_to_another_kind_recreates_it(loaded):
    text = (loaded / "topics/infusion-reactions.md").read_text()
    (loaded / "topics/infusion-reactions.md").unlink()
    (loaded / "glossary").mkdir(exist_ok=True)
    (loaded / "glossary/infusion-reactions.md").write_text(text.replace("see_also: [daratumumab]\n", ""))
    result = load(loaded)
    assert result.ok, [str(e) for e in result.errors]
    assert Article.objects.get(slug="infusion-reactions").kind == "glossary"


def test_renamed_file_keeps_its_old_address(loaded, client):
    old = loaded / "topics/infusion-reactions.md"
    write(loaded, "topics/infusion-and-injection-reactions.md", old.read_text())
    old.unlink()
    assert load(loaded).ok
    response = client.get("/topics/infusion-reactions/")
    assert response.status_code == 301
    assert response["Location"] == "/topics/infusion-and-injection-reactions/"


def test_changed_heading_id_keeps_old_anchor_as_redirect(loaded):
    edit(loaded, "biomarkers/cd38.md", "## Where CD38 is found {#where-cd38-is-found}",
         "## Where CD38 is found {#cells}")
    edit(loaded, "mechanisms/adcc.md", "#where-cd38-is-found", "#cells")
    assert load(loaded).ok
    assert Article.objects.get(slug="cd38").anchor_moves == {"where-cd38-is-found": "cells"}
    # And a later rename follows the chain.
    edit(loaded, "biomarkers/cd38.md", "{#cells}", "{#cell-types}")
    edit(loaded, "mechanisms/adcc.md", "#cells", "#cell-types")
    assert load(loaded).ok
    assert Article.objects.get(slug="cd38").anchor_moves == {
        "where-cd38-is-found": "cell-types", "cells": "cell-types"}


def test_dry_run_writes_nothing(content_dir, db):
    result = load(content_dir, dry_run=True)
    assert result.ok and not result.applied
    assert Article.objects.count() == 0
    assert result.summary() == f"{len(FILES)} created, 0 updated, 0 removed, 0 unchanged"


def test_relation_change_is_applied(loaded):
    edit(loaded, "therapies/daratumumab.md", "mechanisms: [adcc, cdc]", "mechanisms: [adcc]")
    assert load(loaded).ok
    assert list(Therapy.objects.filter(mechanisms__slug="cdc")) == []
    assert Reference.objects.filter(article__slug="daratumumab").count() == 1
    assert Section.objects.filter(article__slug="daratumumab").count() == 2


def test_a_reload_checks_section_links_against_the_stored_pages(loaded):
    # daratumumab is not rendered again: its heading ids come from the database.
    edit(loaded, "topics/infusion-reactions.md", "#side-effects", "#side-efects")

    result = load(loaded)

    assert not result.applied and "daratumumab" not in result.plan.rendered
    assert [str(e) for e in result.errors if e.is_error] == [
        "topics/infusion-reactions.md:7: unknown section in [[daratumumab#side-efects]]: page "
        "'daratumumab' has no heading with id 'side-efects' (did you mean '#side-effects'?)"]
