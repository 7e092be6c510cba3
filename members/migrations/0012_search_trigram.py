from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def create_trigram_index(apps, schema_editor):
    """Part-of-word and misspelt searches compare trigrams of needs' titles; only PostgreSQL has them
    (SQLite searches plainly)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS need_title_trgm_idx ON members_need USING gin (title gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS need_title_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("members", "0011_impact_outcomes")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
