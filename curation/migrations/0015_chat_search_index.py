"""A trigram index for the example list's text search in chats, on PostgreSQL.

The search looks in a chat's turns through UPPER(jsonb_path_query_array(messages, '$[*].content')::text)
(see curation.listing.ChatContents); this index on the same expression lets PostgreSQL answer it
the way migration 0004's indexes answer instruction, input and output, so one search stays a
bitmap OR of index scans. Without pg_trgm the migration goes on without it, as 0004 does.
"""

from django.db import migrations

INDEX = "curation_example_chat_trgm"
EXPRESSION = "UPPER((jsonb_path_query_array(messages, '$[*].content'))::text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            print("\n  pg_trgm is not available; searching chats will scan the table.")
            return
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON curation_example USING gin ({EXPRESSION} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("curation", "0014_new_example_tokens")]
    operations = [migrations.RunPython(create, drop)]
