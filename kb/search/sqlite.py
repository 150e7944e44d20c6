"""SQLite FTS5 backend: one row per section, rowid = Section.id.

Columns are weighted title > aliases > heading > body in bm25 (issue #5);
the porter tokenizer gives stemming ("infusions" finds "infusion").
"""
from django.db import connection

TABLE = "kb_search_fts"
CREATE = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
          "title, aliases, heading, body, kind UNINDEXED, article_id UNINDEXED, "
          "tokenize = 'porter unicode61 remove_diacritics 2')")
WEIGHTS = "10.0, 8.0, 4.0, 1.0"
MARK_START, MARK_END = "\x02", "\x03"


def create(schema_editor=None):
    cursor = (schema_editor.connection if schema_editor else connection).cursor()
    cursor.execute(CREATE)


def delete_rows(section_ids):
    ids = list(section_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({','.join('%s' for _ in chunk)})",
                           chunk)


def insert_rows(rows):
    """rows: (section_id, title, aliases, heading, body, kind, article_id)."""
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, title, aliases, heading, body, kind, article_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)", list(rows))


def _match_expression(groups):
    """groups: list of alternatives, each a list of tokens (all must match).

    Every token is quoted, so nothing the reader typed is FTS5 syntax.
    """
    alternatives = []
    for group in groups:
        terms = " ".join('"' + token.replace('"', '""') + '"' for token in group)
        if terms:
            alternatives.append(f"({terms})")
    return " OR ".join(alternatives)


def search(groups, kind, limit):
    """Best sections for ``groups``: [(section_id, article_id, score)], best first."""
    expression = _match_expression(groups)
    if not expression:
        return []
    sql = (f"SELECT rowid, article_id, bm25({TABLE}, {WEIGHTS}) AS score "
           f"FROM {TABLE} WHERE {TABLE} MATCH %s")
    params = [expression]
    if kind:
        sql += " AND kind = %s"
        params.append(kind)
    sql += " ORDER BY score LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # bm25 is "lower is better"; flip it so higher is better everywhere.
        return [(row[0], int(row[1]), -row[2]) for row in cursor.fetchall()]


def snippets(groups, section_ids):
    """Highlighted snippets for the sections shown (only those: snippet() is costly)."""
    ids = list(section_ids)
    expression = _match_expression(groups)
    if not ids or not expression:
        return {}
    sql = (f"SELECT rowid, snippet({TABLE}, 3, %s, %s, '…', 16) FROM {TABLE} "
           f"WHERE {TABLE} MATCH %s AND rowid IN ({','.join('%s' for _ in ids)})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [MARK_START, MARK_END, expression, *ids])
        return dict(cursor.fetchall())


def count_rows():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]
