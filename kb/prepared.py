"""Querysets compiled once and run again with another key (issue #8).

An article page runs the same handful of queries for every article; only
the article's id (or slug) changes. Building and compiling a queryset costs
Django 0.3-1 ms, many times running it on an index (a rendered page spent
more CPU in the ORM's compiler than in SQLite). ``prepared(name, build,
key)`` compiles ``build(key)`` the first time and afterwards only swaps the
key's value into the parameters.

Rows become model instances the way Django's own ``ModelIterable`` makes
them: the database converters (dates on SQLite, JSON), ``from_db`` with the
selected columns (so ``only()``/``defer()`` work), and ``select_related``
objects set by Django's ``RelatedPopulator``. ``values_list()``
querysets give their rows (``prepared_rows``). Querysets with
``prefetch_related`` are not for this helper.
"""
from django.db import connections
from django.db.models.query import get_related_populators


class Prepared:
    """One compiled queryset, run again with the parameters that carry ``key`` swapped.

    ``build(key)`` is compiled twice, with ``key`` and with another value of
    its type: the parameters that differ are the key's, whatever else the
    query holds (a constant may equal the key by chance, e.g. an id of 3 and
    ``position=3``). A query whose SQL changes with the key is refused.
    """

    def __init__(self, build, key):
        queryset = build(key)
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        probe_sql, probe_params = build(_other(key)).query.get_compiler(using=db).as_sql()
        positions = [i for i, (value, probe) in enumerate(zip(params, probe_params))
                     if value != probe]
        if (probe_sql != sql or len(probe_params) != len(params) or not positions
                or any(params[i] != key for i in positions)):
            raise ValueError(f"cannot prepare a query whose parameters are {params!r}")
        self.db, self.sql, self.params, self.positions = db, sql, list(params), positions
        select, info = compiler.select, compiler.klass_info
        if info is not None:   # values_list() querysets give rows, not instances
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            self.model, self.span = info["model"], (start, end)
            self.names = [column[0].target.attname for column in select[start:end]]
            self.populators = get_related_populators(info, select, db)
        self.converters = list(compiler.get_converters(
            [column[0] for column in select[:compiler.col_count]]).items())

    def rows(self, key):
        params = list(self.params)
        for i in self.positions:
            params[i] = key
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in self.converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted

    def __call__(self, key):
        """The model instances of the queryset for ``key``, in its order."""
        start, end = self.span
        result = []
        for row in self.rows(key):
            obj = self.model.from_db(self.db, self.names, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            result.append(obj)
        return result


_PREPARED = {}


def _query(name, build, key):
    cache_key = (name, connections["default"].vendor)
    query = _PREPARED.get(cache_key)
    if query is None:
        query = _PREPARED[cache_key] = Prepared(build, key)
    return query


def _other(key):
    """A value of ``key``'s type that is not ``key``."""
    return key + 1 if isinstance(key, int) else f"{key}-other"


def prepared(name, build, key):
    """The rows of ``build(key)`` as model instances; ``build`` is compiled once per name
    (and database backend)."""
    return _query(name, build, key)(key)


def prepared_rows(name, build, key):
    """The rows of the ``values_list()`` queryset ``build(key)``, compiled once per name."""
    return _query(name, build, key).rows(key)
