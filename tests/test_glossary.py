"""Finding glossary phrases by their first word finds what one big regex found (issue 8).

The regex below is the matcher the site used before: every phrase in one
alternation, longest first. It tries every phrase at every place in the text,
so it grew slow with the glossary; it stays here as the specification.
"""
import random
import re

import pytest

from kb.ingest.glossary import GlossaryEntry, PhraseFinder, is_abbreviation


def old_pattern(entries):
    alternatives = []
    for phrase in sorted({p for e in entries for p in e.phrases}, key=len, reverse=True):
        escaped = re.escape(phrase)
        alternatives.append(escaped if is_abbreviation(phrase) else f"(?i:{escaped})")
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])")


def old_find(entries, text):
    by_phrase = {p.lower(): e for e in entries for p in e.phrases}
    return [(m.start(), m.end(), by_phrase[m.group(1).lower()].slug)
            for m in old_pattern(entries).finditer(text)]


def new_find(entries, text):
    return [(start, end, entry.slug) for start, end, entry in PhraseFinder(entries).find(text)]


def entry(slug, *phrases):
    return GlossaryEntry(slug, f"/glossary/{slug}/", f"About {slug}.", list(phrases))


ENTRIES = [
    entry("pfs", "Progression-free survival", "PFS"),
    entry("os", "OS", "overall survival"),
    entry("sct", "stem cell transplant", "SCT"),
    entry("stem-cell", "stem cell"),
    entry("cd38", "CD38"),
    entry("iss", "(R)-ISS", "ISS"),
    entry("mrd", "minimal residual disease", "MRD-negative"),
    entry("beta2", "β2-microglobulin"),
    entry("cafe", "café au lait"),
    entry("t-cell", "T-cell", "T cell"),
    entry("nk", "NK cells", "natural killer cell"),
]


@pytest.mark.parametrize("text", [
    "The PFS was longer; overall survival too.",
    "Tell us if os or progression-free survival matter; OS too.",
    "A stem cell transplant, then a stem cell; stem cells are not linked.",
    "CD38-positive cells carry CD38. xCD38 and CD38_1 are no terms.",
    "Staged by (R)-ISS and by ISS; R-ISS is not one.",
    "MRD-negative, minimal residual disease, MRD-negativeness.",
    "β2-microglobulin and β2-microglobulins; Café au lait.",
    "T-cell, T cell, t cell, T-cells, and natural killer cells or NK cells.",
    "PFS-2 and 2-PFS are no terms; (PFS) is.",
    "",
    "stem cell transplant stem cell transplant",
])
def test_same_matches_as_the_single_regex(text):
    assert new_find(ENTRIES, text) == old_find(ENTRIES, text)


def test_longest_phrase_wins_and_search_goes_on_after_it():
    assert new_find(ENTRIES, "a stem cell transplant and a stem cell") == [
        (2, 22, "sct"), (29, 38, "stem-cell")]


def test_abbreviations_only_in_capitals():
    assert new_find(ENTRIES, "os Os OS") == [(6, 8, "os")]


def test_random_text_matches_the_single_regex():
    words = ["PFS", "pfs", "OS", "os", "stem", "cell", "transplant", "Stem", "CD38", "(R)-ISS",
             "ISS", "-", "MRD-negative", "overall", "survival", "Progression-free", "T-cell",
             "T", "natural", "killer", "NK", "cells", "the", "and", ",", ".", "(", ")", "x", "_",
             "β2-microglobulin", "café", "au", "lait", "\n"]
    generator = random.Random(8)
    for _ in range(300):
        parts = [generator.choice(words) for _ in range(generator.randint(1, 30))]
        text = "".join(part + generator.choice(["", " ", " ", "-", "\n"]) for part in parts)
        assert new_find(ENTRIES, text) == old_find(ENTRIES, text), text


def test_an_empty_glossary_finds_nothing():
    finder = PhraseFinder([])
    assert not finder
    assert list(finder.find("PFS")) == []
