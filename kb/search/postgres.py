"""PostgreSQL backend: weighted tsvector per section (and one of its names
alone), websearch queries, ts_headline snippets, GIN indexes, and pg_trgm for
typos (issue #5)."""
from django.db import connection

MARK_START, MARK_END = "\x02", "\x03"
CONFIG = "english"

SETUP = [
    "CREATE INDEX IF NOT EXISTS kb_section_search_gin ON kb_section USING gin (search_vector)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS kb_article_title_trgm ON kb_article USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS kb_alias_name_trgm ON kb_alias USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS kb_section_heading_trgm ON kb_section USING gin (heading gin_trgm_ops)",
]


def create(schema_editor):
    for statement in SETUP:
        schema_editor.execute(statement)


# The words of section ``s``'s names, article ``a``: title and aliases weight A,
# heading weight B, the weights the name tier asks for. search_vector is this
# followed by the text (weight C), so both hold the same positions for them.
NAMES_VECTOR = f"""
    setweight(to_tsvector('{CONFIG}', a.title), 'A') ||
    setweight(to_tsvector('{CONFIG}', coalesce(
        (SELECT string_agg(name, ' ') FROM kb_alias WHERE article_id = a.id), '')), 'A') ||
    setweight(to_tsvector('{CONFIG}', s.heading), 'B')"""

# Migration 0008 on a loaded database: fill names_vector from the rows, then
# index it (one bulk build is cheaper than a GIN insert per row), and give the
# planner its statistics, so a word rare in names is looked up in the index.
NAMES_SETUP = [
    f"UPDATE kb_section s SET names_vector = {NAMES_VECTOR} FROM kb_article a "
    "WHERE a.id = s.article_id",
    "CREATE INDEX IF NOT EXISTS kb_section_names_gin ON kb_section USING gin (names_vector)",
    "ANALYZE kb_section (names_vector)",
]


def create_names(schema_editor):
    for statement in NAMES_SETUP:
        schema_editor.execute(statement)


def index_articles(article_ids):
    """Fill search_vector and names_vector of every section of these articles.

    One statement, and the names' vector is made once for both columns.
    """
    ids = list(article_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE kb_section s SET (names_vector, search_vector) = (
                SELECT n.names, n.names || setweight(to_tsvector('{CONFIG}', s.text), 'C')
                FROM (SELECT {NAMES_VECTOR} AS names) AS n)
            FROM kb_article a
            WHERE a.id = s.article_id AND s.article_id = ANY(%s)""", [ids])


def insert_sections(rows):
    """INSERT new sections ``(article_id, position, anchor, heading, level, text)``, vectors included.

    For pages whose title and aliases are written already (a first load:
    kb.ingest.sync.EarlyWriter). Each row is written once; inserted, then
    given its vectors by ``index_articles``, every row was written twice,
    which left a first load's table twice its size with its first half
    empty pages that sequential scans crossed (issue 5: 35-65 ms searches).
    """
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            batch = rows[start:start + 500]
            values = ", ".join(["(%s::integer, %s::integer, %s, %s, %s::smallint, %s)"] * len(batch))
            cursor.execute(f"""
                INSERT INTO kb_section (article_id, position, anchor, heading, level, text,
                                        names_vector, search_vector)
                SELECT s.article_id, s.position, s.anchor, s.heading, s.level, s.text, n.names,
                       n.names || setweight(to_tsvector('{CONFIG}', s.text), 'C')
                FROM (VALUES {values}) AS s(article_id, position, anchor, heading, level, text)
                JOIN kb_article a ON a.id = s.article_id
                CROSS JOIN LATERAL (SELECT {NAMES_VECTOR} AS names) AS n
                ORDER BY s.article_id, s.position""", [value for row in batch for value in row])


def _query_text(groups):
    # Tokens are letters and digits only (kb.search.text.tokens), so this is
    # plain words for websearch_to_tsquery, which never raises on syntax.
    return " or ".join(" ".join(group) for group in groups if group)


def _names_query_text(groups):
    # The same alternatives for to_tsquery, each word limited to weights A and B
    # (title and aliases, heading): the first tier of results (issue #5).
    alternatives = [" & ".join(f"{token}:AB" for token in group) for group in groups if group]
    return " | ".join(f"({alternative})" for alternative in alternatives)


def _query(groups, names_only):
    if names_only:
        return _names_query_text(groups), f"to_tsquery('{CONFIG}', %s)"
    return _query_text(groups), f"websearch_to_tsquery('{CONFIG}', %s)"


# The most sections one query ranks, as on SQLite (kb/search/sqlite.py): ts_rank
# reads and decompresses each matching row's vector, so a word in 50,000
# sections would be ranked 50,000 times. Past this many, only the first
# RANK_LIMIT matches the index gives are ranked, and the caller is told.
RANK_LIMIT = 500


def search(groups, kind, limit, names_only=False):
    """Best sections for ``groups``: ([(section_id, article_id, score)], more).

    ``names_only`` keeps the sections that match in a title, alias or heading;
    ``more`` is True when more sections matched than are returned: past
    ``limit``, or past RANK_LIMIT, when the ranking covered only some of them.
    """
    text, tsquery = _query(groups, names_only)
    if not text:
        return [], False
    # The name tier matches names_vector, which holds only the weights it asks
    # for, so its GIN index finds the names alone; search_vector's index holds
    # no weights, and a word common in text but rare in names made PostgreSQL
    # read every section (81,807, 200-270 ms at 10,000 articles). Both tiers
    # rank on search_vector, as before.
    column = "names_vector" if names_only else "search_vector"
    # The inner LIMIT (no ORDER BY) stops after RANK_LIMIT matches; only those
    # are ranked and sorted. Which RANK_LIMIT, for a word in more sections than
    # that, is the first ones in the table's order, so the scan must always
    # start at the table's first page. The query is a MATERIALIZED CTE so the
    # planner cannot read its words: it then expects few matches and takes the
    # GIN index (a bitmap scan, in page order) on a large table (a small one
    # it may read whole, from the first page, which is the same). Seeing a
    # common word, it chose a sequential scan, which past shared_buffers / 4
    # (kb_section at 10,000 articles) joins other scans of the table where
    # they are (synchronize_seqscans): "group" ranked a different 500 of its
    # 31,409 sections on each run. That scan also detoasted every row's vector
    # to test it (4,139 rows read for 500 matches of "serious": 13 ms server
    # CPU; the index: 7 ms), and after a first load, whose sections are written
    # twice (inserted, then given their vectors), it crossed some 8,000 empty
    # pages at the table's start (35-65 ms). The price: the index lists every
    # match before the first is read (all 31,409 for "group": 6-9 ms).
    # Equal scores are common (short sections, one word); the section id
    # orders them, or their order would follow where rows lie in the table and
    # change when a row is rewritten.
    sql = f"""
        WITH q AS MATERIALIZED (SELECT {tsquery} AS query)
        SELECT m.id, m.article_id, ts_rank(m.search_vector, m.query) AS score, count(*) OVER ()
        FROM (SELECT s.id, s.article_id, s.search_vector, q.query
              FROM q, kb_section s {"JOIN kb_article a ON a.id = s.article_id" if kind else ""}
              WHERE s.{column} @@ q.query {"AND a.kind = %s" if kind else ""}
              LIMIT {RANK_LIMIT}) AS m
        ORDER BY score DESC, m.id LIMIT %s"""
    params = [text, *([kind] if kind else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ranked = rows[0][3] if rows else 0
    return [(row[0], row[1], float(row[2])) for row in rows], ranked > len(rows) or ranked >= RANK_LIMIT


def matches_more_than(groups, kind, count):
    """Whether more than ``count`` sections match at all."""
    text = _query_text(groups)
    if not text:
        return False
    # Left to the planner: the answer is the same whichever rows are read
    # first, and for a common word a sequential scan of a compact table finds
    # count + 1 matches long before the index has listed them all (0.5-2.4 ms
    # against 8-11 ms at 10,000 articles; not across the empty pages a first
    # load leaves, see ``search``). The article is joined only to filter on its kind.
    sql = f"""
        SELECT 1 FROM kb_section s {"JOIN kb_article a ON a.id = s.article_id" if kind else ""},
             websearch_to_tsquery('{CONFIG}', %s) AS q(query)
        WHERE s.search_vector @@ q.query {"AND a.kind = %s" if kind else ""}
        LIMIT 1 OFFSET %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, *([kind] if kind else []), count])
        return cursor.fetchone() is not None


def snippets(groups, section_ids):
    """ts_headline only for the sections shown: it is the costly part."""
    ids = list(section_ids)
    text = _query_text(groups)
    if not ids or not text:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT s.id, ts_headline('{CONFIG}', s.text, q.query,
                       'StartSel=' || %s || ', StopSel=' || %s || ', MaxWords=30, MinWords=12')
            FROM kb_section s, websearch_to_tsquery('{CONFIG}', %s) AS q(query)
            WHERE s.id = ANY(%s)""", [MARK_START, MARK_END, text, ids])
        return dict(cursor.fetchall())


def similar_names(word, limit=10):
    """Titles, aliases and headings that contain a word like ``word`` (pg_trgm).

    Words shorter than 4 letters get none, as the vocabulary corrects none
    (kb/search/fuzzy.py): too short to tell a typo from another word, and
    their trigrams are in a great many headings ("it" in 16,000 of 81,807
    sections at 10,000 articles: about 100 ms for a reader's "how it").
    """
    if len(word) < 4:
        return []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT name FROM (
                SELECT title AS name FROM kb_article WHERE %s <%% title
                UNION SELECT name FROM kb_alias WHERE %s <%% name
                UNION SELECT DISTINCT heading FROM kb_section WHERE %s <%% heading) names
            ORDER BY word_similarity(%s, name) DESC, name LIMIT %s""", [word, word, word, word, limit])
        return [row[0] for row in cursor.fetchall()]
