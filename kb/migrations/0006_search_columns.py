"""Search index layout for issue #5 (SQLite only; PostgreSQL keeps its vectors).

The FTS5 table's kind becomes an indexed token, its unused article_id goes,
a second FTS5 table holds only the names (title, aliases, heading), and both
are refilled from the articles, aliases and sections already loaded, then
compacted (see kb/search/sqlite.py for why). Works on a loaded database: the
rows are rebuilt here, no reload needed.
"""
from django.db import migrations

# The layout of 0003, to go back to.
OLD_TABLE = ("CREATE VIRTUAL TABLE kb_search_fts USING fts5("
             "title, aliases, heading, body, kind UNINDEXED, article_id UNINDEXED, "
             "tokenize = 'porter unicode61 remove_diacritics 2')")
OLD_ROWS = (
    "INSERT INTO kb_search_fts (rowid, title, aliases, heading, body, kind, article_id) "
    "SELECT s.id, a.title, coalesce(al.names, ''), s.heading, s.text, a.kind, a.id "
    "FROM kb_section AS s JOIN kb_article AS a ON a.id = s.article_id "
    "LEFT JOIN (SELECT article_id, group_concat(name, ' ') AS names FROM "
    "(SELECT article_id, name FROM kb_alias ORDER BY article_id, name) GROUP BY article_id) "
    "AS al ON al.article_id = a.id")


def rebuild_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from kb.search import sqlite
    sqlite.rebuild(schema_editor.connection)


def restore_old_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS kb_search_names")
    schema_editor.execute("DROP TABLE IF EXISTS kb_search_fts")
    schema_editor.execute(OLD_TABLE)
    schema_editor.execute(OLD_ROWS)


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_article_reviewed_index")]
    operations = [migrations.RunPython(rebuild_index, restore_old_index)]
