"""Trigram indexes for the example list's text search on PostgreSQL.

Django's icontains becomes UPPER(col) LIKE UPPER('%term%'); GIN trigram indexes on those
expressions let PostgreSQL answer it without reading every example. When the database role
may not create the pg_trgm extension, the migration says so and goes on without the indexes
(search still works, only slower). Other databases skip this.
"""

from django.db import migrations

COLUMNS = ("instruction", "input", "output")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("SAVEPOINT trgm")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute("RELEASE SAVEPOINT trgm")
        except Exception as e:  # no privilege to create extensions
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
            print(f"\n  pg_trgm is not available ({e}); example search will scan the table.")
            return
        for column in COLUMNS:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS curation_example_{column}_trgm ON curation_example USING gin (UPPER({column}) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS curation_example_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("curation", "0003_examplekey_finding_formatruleset_job_pairfinding_and_more")]
    operations = [migrations.RunPython(create, drop)]
