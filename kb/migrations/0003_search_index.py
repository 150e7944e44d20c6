"""The search index: an FTS5 table on SQLite; GIN and pg_trgm indexes on PostgreSQL."""
from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from kb.search import postgres
        postgres.create(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        from kb.search import sqlite
        schema_editor.execute(sqlite.CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from kb.search import sqlite
        schema_editor.execute(f"DROP TABLE IF EXISTS {sqlite.TABLE}")


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_section_search_vector")]
    operations = [migrations.RunPython(create_index, drop_index)]
