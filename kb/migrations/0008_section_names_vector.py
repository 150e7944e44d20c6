"""A vector of each section's names alone, and its GIN index (PostgreSQL).

The name tier of search asked search_vector for ``word:AB``; its GIN index
holds no weights, so a word common in text and rare in names read every
section (BENCHMARKS.md, "PostgreSQL at 10,000 articles"). names_vector holds
title and aliases (weight A) and heading (weight B) only. On PostgreSQL the
rows already loaded are filled here and the column indexed, so no reload is
needed; SQLite gets the unused column only (its names are in kb_search_names,
migration 0006). Going back drops the column, and its index with it.
"""
from django.db import migrations

import kb.models


def fill_and_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from kb.search import postgres
        postgres.create_names(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0007_contentload_newest_index")]
    operations = [
        migrations.AddField(
            model_name="section",
            name="names_vector",
            field=kb.models.TsVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill_and_index, migrations.RunPython.noop),
    ]
