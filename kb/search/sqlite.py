"""SQLite FTS5 backend: two FTS5 tables, one row per section, rowid = Section.id.

- ``kb_search_fts``: title, aliases, heading, body and kind of every section,
  weighted title > aliases > heading > body in bm25 (issue #5). It finds body
  matches, makes the snippets, and counts.
- ``kb_search_names``: the same sections' title, aliases, heading and kind
  only. The first tier of results (the words are a page's or a section's
  name) is looked up here: a word found in most bodies ("medicines") is in
  few names, so its list of rows here is short. Filtering the big table by
  column instead walked the word's whole list of rows, 5-13 ms a query. The
  body is not in this table, so it does not count in first-tier scores:
  sections whose names match equally stay in index order (load order).

The kind is an indexed column holding one token (``kind_token``) that no
reader's word can be, so a kind filter is one more term of the MATCH, merged
with the words' row lists inside FTS5, and the words need no column filter (a
column filter made bm25's pass over each word's rows check every row's
columns: 5 ms more for "how it"). As an UNINDEXED column stored after the
body, the kind had to be read from each matching row (the whole row, body
included): 25-170 ms with a common word. The porter tokenizer gives stemming
("infusions" finds "infusion").
"""
import re

from django.db import connection, transaction

TABLE = "kb_search_fts"
NAMES_TABLE = "kb_search_names"
TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
CREATE = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
          f"title, aliases, heading, body, kind, {TOKENIZE})")
# article_id is read for each name match ranked: a names row is small, so
# reading it here costs less than a look-up in kb_section (measured 0.5-0.8 ms
# for 500 rows). The big table has none: there, reading it would read the body.
CREATE_NAMES = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {NAMES_TABLE} USING fts5("
                f"title, aliases, heading, kind, article_id UNINDEXED, {TOKENIZE})")
# bm25 column weights; the kind column weighs nothing.
WEIGHTS = "10.0, 8.0, 4.0, 1.0, 0.0"
NAMES_WEIGHTS = "10.0, 8.0, 4.0, 0.0"
# Private-use code point around a kind's token: the tokenizer keeps it as part
# of the token, while kb.search.text drops it from what a reader types (it is
# neither a letter nor a digit), so a reader's word never matches a kind.
KIND_MARK = "\ue000"
MARK_START, MARK_END = "\x02", "\x03"
# The most rows one query scores with bm25. Scoring costs about 2 µs a row, so
# a word found in 50,000 sections would cost 100 ms; past this many, only the
# first RANK_LIMIT matches (in index order) are scored, and the caller is told.
RANK_LIMIT = 500
# A load that indexes this many sections compacts the index when it commits
# (``compact``); smaller loads leave it to FTS5's own merging.
COMPACT_AFTER_ROWS = 1000


def kind_token(kind):
    """The token that stands for a kind in the index: "therapy-classes" -> "\ue000therapyclasses\ue000".

    One token (no hyphen to split on); the closing mark keeps the porter
    stemmer from touching it ("therapies" and "therapy-classes" would both
    begin with the stem "therapi").
    """
    return KIND_MARK + re.sub(r"[^a-z0-9]", "", kind.lower()) + KIND_MARK


# Writing (kb.search.index, inside the load's transaction) -------------------------

def create(schema_editor=None):
    cursor = (schema_editor.connection if schema_editor else connection).cursor()
    cursor.execute(CREATE)
    cursor.execute(CREATE_NAMES)


def delete_rows(section_ids):
    ids = list(section_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("%s" for _ in chunk)
            for table in (TABLE, NAMES_TABLE):
                cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)


def insert_rows(rows):
    """rows: (section_id, title, aliases, heading, body, kind, article_id)."""
    rows = [(*row[:5], kind_token(row[5]), row[6]) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, title, aliases, heading, body, kind) "
            "VALUES (%s, %s, %s, %s, %s, %s)", [row[:6] for row in rows])
        cursor.executemany(
            f"INSERT INTO {NAMES_TABLE} (rowid, title, aliases, heading, kind, article_id) "
            "VALUES (%s, %s, %s, %s, %s, %s)", [(*row[:4], *row[5:]) for row in rows])


def after_load(rows):
    """Once a load that indexed ``rows`` sections commits, compact the index if they were many.

    Decided once per load, not per call of ``insert_rows``: a first load
    indexes its pages in small chunks as they are rendered (kb.ingest.sync).
    """
    if rows >= COMPACT_AFTER_ROWS:
        transaction.on_commit(compact, robust=True)


def compact():
    """Merge each table's index into one segment (FTS5 'optimize').

    A load writes the index in chunks, and each chunk leaves a segment that
    every query term must be looked up in: 17 after a 10,000-article load,
    which made each term cost ~17 b-tree look-ups and snippet(), which looks
    the query up again for each row shown, 2-8 ms (issue #5). Merging costs
    ~1 s of CPU at 10,000 articles, so it runs after large loads only, once
    they have committed: the index is valid either way, only slower.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (TABLE, NAMES_TABLE):
            cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


def rebuild(using=None):
    """Drop, create and refill both tables from the articles, aliases and sections.

    For migrations that change the layout (0006): the same rows as ``insert_rows``
    writes, in two statements. ``using``: the migration's connection.
    """
    with (using or connection).cursor() as cursor:
        for table in (TABLE, NAMES_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(CREATE)
        cursor.execute(CREATE_NAMES)
        cursor.execute("SELECT DISTINCT kind FROM kb_article")
        kinds = [row[0] for row in cursor.fetchall()]
        kind_case = "CASE a.kind " + " ".join("WHEN %s THEN %s" for _ in kinds) + " END"
        kind_params = [value for kind in kinds for value in (kind, kind_token(kind))]
        source = (
            "FROM kb_section AS s JOIN kb_article AS a ON a.id = s.article_id "
            "LEFT JOIN (SELECT article_id, group_concat(name, ' ') AS names FROM "
            "(SELECT article_id, name FROM kb_alias ORDER BY article_id, name) GROUP BY article_id) "
            "AS al ON al.article_id = a.id")
        if kinds:
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, title, aliases, heading, body, kind) "
                f"SELECT s.id, a.title, coalesce(al.names, ''), s.heading, s.text, {kind_case} "
                f"{source}", kind_params)
            cursor.execute(
                f"INSERT INTO {NAMES_TABLE} (rowid, title, aliases, heading, kind, article_id) "
                f"SELECT s.id, a.title, coalesce(al.names, ''), s.heading, {kind_case}, a.id "
                f"{source}", kind_params)
        for table in (TABLE, NAMES_TABLE):
            cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


# Querying -----------------------------------------------------------------------------

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


def _filtered(groups, kind):
    """The MATCH expression: the words, and the kind's token if a kind is given."""
    expression = _match_expression(groups)
    if expression and kind:
        expression = f'({expression}) AND "{kind_token(kind)}"'
    return expression


def search(groups, kind, limit, names_only=False):
    """Best sections for ``groups``: ([(section_id, article_id, score)], more).

    ``names_only`` keeps the rows that match in the title, aliases or heading
    (the names table): the first tier of results (issue #5: title and aliases
    above headings above body).
    ``more`` is True when more rows matched than are returned: past ``limit``,
    or past RANK_LIMIT, when the ranking covered only some of them.
    """
    if names_only:
        expression = _filtered(groups, kind)
        ranked = (f"SELECT rowid, article_id, bm25({NAMES_TABLE}, {NAMES_WEIGHTS}) AS score "
                  f"FROM {NAMES_TABLE} WHERE {NAMES_TABLE} MATCH %s LIMIT {RANK_LIMIT}")
    else:
        expression = _filtered(groups, kind)
        ranked = (f"SELECT r.rowid, s.article_id, r.score FROM ("
                  f"SELECT rowid, bm25({TABLE}, {WEIGHTS}) AS score FROM {TABLE} "
                  f"WHERE {TABLE} MATCH %s LIMIT {RANK_LIMIT}) AS r "
                  f"JOIN kb_section AS s ON s.id = r.rowid")
    if not expression:
        return [], True
    # Equal scores are ordered by section id, not by where the rows happen to lie.
    sql = f"SELECT *, count(*) OVER () FROM ({ranked}) ORDER BY 3, 1 LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, limit])
        rows = cursor.fetchall()
    scored = rows[0][3] if rows else 0
    more = scored > len(rows) or scored >= RANK_LIMIT
    # bm25 is "lower is better"; flip it so higher is better everywhere.
    return [(row[0], row[1], -row[2]) for row in rows], more


def matches_more_than(groups, kind, count):
    """Whether more than ``count`` sections match at all (stops at count + 1: cheap)."""
    expression = _filtered(groups, kind)
    if not expression:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT 1 OFFSET %s",
                       [expression, count])
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
