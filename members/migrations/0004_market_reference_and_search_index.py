from django.db import migrations


def load_reference_data(apps, schema_editor):
    from members.reference_data import reference_data_sync

    reference_data_sync(apps=apps)


def create_search_index(apps, schema_editor):
    """Full-text search on needs uses a GIN index; only PostgreSQL has one (SQLite searches plainly)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS need_search_vector_idx ON members_need USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS need_search_vector_idx")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_market")]

    operations = [
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
