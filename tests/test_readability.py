"""The reading grade is textstat's Flesch-Kincaid grade, computed more cheaply (issue 8)."""
from pathlib import Path

import pytest
import textstat
from django.conf import settings

from kb.ingest.loader import read_all
from kb.ingest.render import flesch_kincaid_grade, reading_grade


def textstat_grade(text):
    return round(textstat.flesch_kincaid_grade(text), 1)


def real_texts():
    records, _ = read_all(Path(settings.KB_CONTENT_DIR), 10 ** 7)
    return [text for record in records for text in (record.body, record.summary or "")]


def test_same_grade_as_textstat_on_every_real_body_and_summary():
    texts = [text for text in real_texts() if reading_grade(text) is not None]
    assert len(texts) > 100
    assert [reading_grade(text) for text in texts] == [textstat_grade(text) for text in texts]


@pytest.mark.parametrize("text", [
    "See above. Yes. " * 20 + "This sentence is long enough to count as one, with words.",
    "The drug - given weekly - works. It is given in cycles of 28 days (about 4 weeks). " * 4,
    "Daratumumab, isatuximab and felzartamab bind CD38! Do they? Yes... they do. " * 5,
    "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three thirty "
    "and a few more words: here they are",
    "Ça marche: l'anticorps anti-CD38 agit vite — très vite. " * 6,
])
def test_same_grade_as_textstat_on_awkward_text(text):
    assert reading_grade(text) == textstat_grade(text)


def test_short_text_has_no_grade():
    assert reading_grade("Too short to judge.") is None


def test_short_text_still_has_a_flesch_kincaid_grade_for_summary_warnings():
    texts = real_texts() + ["", "One.", "Two words.", "!!!"]
    assert [flesch_kincaid_grade(t) for t in texts] == [textstat_grade(t) for t in texts]
