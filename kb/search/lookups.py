"""The search page's look-ups by key, in plain SQL (issue #5).

Each is one indexed query that takes microseconds in the database; building
it through the ORM (cloning querysets, compiling the SQL, ``only()``) cost
0.2-0.5 ms a query, and a search made five to seven of them: more CPU than
the full-text query itself. The articles come back as the same deferred
instances ``Article.objects.for_listing()`` gives, so templates see no
difference. Portable SQL: both backends run it.
"""
from django.db import connection

from kb.models import Article

LISTING_FIELDS = ("id", "kind", "slug", "title", "summary")  # Article.objects.for_listing()
_COLUMNS = ", ".join(f"a.{name}" for name in LISTING_FIELDS)


def _article(row):
    return Article.from_db(connection.alias, LISTING_FIELDS, row)


def article_named(key):
    """The article whose slug is ``key``, else the one with an alias slug ``key``, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM kb_article AS a WHERE a.id = coalesce("
            "(SELECT id FROM kb_article WHERE slug = %s), "
            "(SELECT article_id FROM kb_alias WHERE slug = %s LIMIT 1))", [key, key])
        row = cursor.fetchone()
    return _article(row) if row else None


def alias_names(article_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM kb_alias WHERE article_id = %s ORDER BY name", [article_id])
        return [row[0] for row in cursor.fetchall()]


def shown(section_ids):
    """({article_id: Article}, {section_id: (anchor, heading)}) for the sections of a result page."""
    ids = list(section_ids)
    if not ids:
        return {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.anchor, s.heading, {_COLUMNS} FROM kb_section AS s "
            "JOIN kb_article AS a ON a.id = s.article_id "
            f"WHERE s.id IN ({', '.join('%s' for _ in ids)})", ids)
        found = cursor.fetchall()
    articles, sections = {}, {}
    for row in found:
        sections[row[0]] = row[1:3]
        if row[3] not in articles:
            articles[row[3]] = _article(row[3:])
    return articles, sections
