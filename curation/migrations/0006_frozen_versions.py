"""The database itself refuses to UPDATE a frozen dataset version or its items, whatever path
the change takes (the ORM, the admin, raw SQL)."""

from django.db import migrations

TABLES = ("curation_datasetversion", "curation_versionitem")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION curation_refuse_frozen_update() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'dataset versions are frozen: % cannot change', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
            )
            for table in TABLES:
                cursor.execute(f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION curation_refuse_frozen_update()")
        elif vendor == "sqlite":
            for table in TABLES:
                cursor.execute(f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'dataset versions are frozen: {table} cannot change'); END")


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            if schema_editor.connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen")


class Migration(migrations.Migration):
    dependencies = [("curation", "0005_dataset_versions")]
    operations = [migrations.RunPython(create, drop)]
