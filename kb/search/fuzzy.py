"""Typo tolerance: find the name a misspelt word was meant to be.

The vocabulary is every word of the site's titles, aliases and headings: the
names patients misspell ("daratumamab", "isatuximub", "lenolidomide"). It is
built once per content load and kept in memory with a trigram index, so a
lookup costs microseconds on either database.
"""
import difflib
import threading

from django.db import connection

from kb.models import Alias, Article, Section
from kb.search.text import tokens

_lock = threading.Lock()
_cache = {"load": None, "vocabulary": None}


class Vocabulary:
    def __init__(self, words):
        self.words = {w for w in words if len(w) >= 3}
        self.trigrams = {}
        for word in self.words:
            for gram in _trigrams(word):
                self.trigrams.setdefault(gram, set()).add(word)

    def __contains__(self, word):
        return word in self.words

    def closest(self, word, cutoff=0.75):
        """The known word most like ``word``, or None."""
        if len(word) < 4 or word in self.words:
            return None
        counts = {}
        for gram in _trigrams(word):
            for candidate in self.trigrams.get(gram, ()):
                counts[candidate] = counts.get(candidate, 0) + 1
        shortlist = sorted(counts, key=counts.get, reverse=True)[:30]
        matches = difflib.get_close_matches(word, shortlist, n=1, cutoff=cutoff)
        return matches[0] if matches else None


def _trigrams(word):
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def vocabulary():
    """The vocabulary for the content now loaded (rebuilt after each load)."""
    # Plain SQL: asked on every search that corrects a word, and the ORM's
    # query building cost more than the query (kb/search/lookups.py).
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM kb_contentload ORDER BY finished_at DESC LIMIT 1")
        row = cursor.fetchone()
    latest = row[0] if row else None
    with _lock:
        if _cache["vocabulary"] is not None and _cache["load"] == latest:
            return _cache["vocabulary"]
    words = set()
    for text in Article.objects.order_by().values_list("title", flat=True):
        words.update(tokens(text))
    for text in Alias.objects.order_by().values_list("name", flat=True):
        words.update(tokens(text))
    for text in Section.objects.order_by().values_list("heading", flat=True).distinct():
        words.update(tokens(text))
    built = Vocabulary(words)
    with _lock:
        _cache.update(load=latest, vocabulary=built)
    return built
