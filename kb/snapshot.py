"""Each page reads one committed load, never a mix of two (issue #7).

``load_content`` writes a whole load in one transaction, but a page is built
from several queries (the article, its relation panels, backlinks,
references; search reads its own index). Outside a transaction each query
sees whatever was committed when it ran, so a load committing between two of
them would give a page whose body is from one load and whose "Pages that
link here" is from the next. Reading every GET in one transaction with a
snapshot closes that gap:

- PostgreSQL: REPEATABLE READ, so every query of the request sees the
  snapshot taken by its first query (READ COMMITTED, the default, takes a
  new snapshot per query).
- SQLite (WAL): a DEFERRED transaction; its first read fixes the snapshot.
  The settings ask for IMMEDIATE transactions so that loaders queue for the
  write lock; readers must not queue behind a load, hence DEFERRED here.

Costs: BEGIN/COMMIT (and one SET on PostgreSQL) per page. Views that need
one query only when their page is cached (kb/conditional.py) open the
snapshot themselves, when they draw a page, and are marked
``kb_own_snapshot``: a cached article then costs no transaction (issue #7).
"""
from contextlib import contextmanager

from django.db import DatabaseError, connections, transaction


@contextmanager
def read_snapshot(using="default"):
    connection = connections[using]
    if connection.in_atomic_block:
        yield  # already inside a transaction (a test, or a caller's own): it decides
        return
    try:
        connection.ensure_connection()
    except DatabaseError:
        yield  # let the view meet the error and answer it (/healthz says 503)
        return
    if connection.vendor == "sqlite":
        mode = getattr(connection, "transaction_mode", None)
        connection.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic(using):
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
    elif connection.vendor == "postgresql":
        with transaction.atomic(using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    else:
        with transaction.atomic(using):
            yield


class ReadSnapshotMiddleware:
    """Run GET and HEAD views in one read snapshot (see the module docstring).

    The view runs from ``process_view``, once the URL is resolved, so that
    views marked ``kb_own_snapshot`` can be left to open their own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or getattr(view_func, "kb_own_snapshot", False):
            return None
        with read_snapshot():
            return view_func(request, *view_args, **view_kwargs)
