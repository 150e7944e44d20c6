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


# The columns a reader means when a word is a page's name or a section's
# subject. Rows that match there form the first tier of results; rows that
# match only in the body come after them (issue #5: title and aliases above
# headings above body).
NAMES = "{title aliases heading}"
# The most rows one query scores with bm25. Scoring costs about 2 µs a row, so
# a word found in 50,000 sections would cost 100 ms; past this many, only the
# first RANK_LIMIT matches (in index order) are scored, and the caller is told.
RANK_LIMIT = 500


def search(groups, kind, limit, names_only=False):
    """Best sections for ``groups``: ([(section_id, article_id, score)], more).

    ``names_only`` keeps the rows that match in the title, aliases or heading.
    ``more`` is True when more rows matched than are returned: past ``limit``,
    or past RANK_LIMIT, when the ranking covered only some of them. The article id comes from kb_section for the
    rows kept: reading it from the FTS table would read each row's body too.
    """
    expression = _match_expression(groups)
    if not expression:
        return [], True
    if names_only:
        expression = f"{NAMES} : ({expression})"
    inner = (f"SELECT rowid, bm25({TABLE}, {WEIGHTS}) AS score FROM {TABLE} "
             f"WHERE {TABLE} MATCH %s")
    params = [expression]
    if kind:
        inner += " AND kind = %s"
        params.append(kind)
    inner += f" LIMIT {RANK_LIMIT}"
    sql = (f"SELECT r.rowid, s.article_id, r.score, count(*) OVER () "
           f"FROM ({inner}) AS r JOIN kb_section AS s ON s.id = r.rowid "
           f"ORDER BY r.score LIMIT %s")
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scored = rows[0][3] if rows else 0
    more = scored > len(rows) or scored >= RANK_LIMIT
    # bm25 is "lower is better"; flip it so higher is better everywhere.
    return [(row[0], int(row[1]), -row[2]) for row in rows], more


def matches_more_than(groups, kind, count):
    """Whether more than ``count`` sections match at all (stops at count + 1: cheap)."""
    expression = _match_expression(groups)
    if not expression:
        return False
    sql = f"SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s"
    params = [expression]
    if kind:
        sql += " AND kind = %s"
        params.append(kind)
    sql += " LIMIT 1 OFFSET %s"
    params.append(count)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


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
