"""The example list's search without case or accents: "chloe" finds "Chloé" (PostgreSQL).

`studio_fold(text)` is upper(unaccent(text)) behind an IMMUTABLE SQL function (unaccent itself is
only STABLE, because its dictionary could change, so it cannot stand in an index; naming the
dictionary makes the wrapper safe to mark immutable). The trigram indexes of migrations 0004 and
0015 are rebuilt on the folded expressions that curation.listing.Folded writes. Without the
unaccent extension the function only upper-cases (search works, accents count); without pg_trgm
there are no indexes, as before. SQLite gets the same function from Python (CurationConfig.ready).
"""

from django.db import migrations

OLD = ("curation_example_instruction_trgm", "curation_example_input_trgm", "curation_example_output_trgm", "curation_example_chat_trgm")
CHAT = "(jsonb_path_query_array(messages, '$[*].content'))::text"
FOLDED = {
    "curation_example_instruction_fold_trgm": "instruction",
    "curation_example_input_fold_trgm": "input",
    "curation_example_output_fold_trgm": "output",
    "curation_example_chat_fold_trgm": CHAT,
}
FUNCTION = "CREATE OR REPLACE FUNCTION studio_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT {body} $$"


def _extension(cursor, name):
    """The schema `name` is installed in, installing it when this role may; None when it may not."""
    try:
        cursor.execute("SAVEPOINT ext")
        cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
        cursor.execute("RELEASE SAVEPOINT ext")
    except Exception as e:  # no privilege to create extensions
        cursor.execute("ROLLBACK TO SAVEPOINT ext")
        print(f"\n  {name} is not available ({e}).")
    cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = %s", [name])
    row = cursor.fetchone()
    return row[0] if row else None


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _extension(cursor, "unaccent")
        if schema:
            body = f"upper({schema}.unaccent('{schema}.unaccent'::regdictionary, $1))"
        else:
            print("  The example search will ignore case but not accents.")
            body = "upper($1)"
        cursor.execute(FUNCTION.format(body=body))
        for index in OLD:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return  # migration 0004 said so already
        for index, expression in FOLDED.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON curation_example USING gin (studio_fold({expression}) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for index in FOLDED:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is not None:
            for index, column in zip(OLD[:3], ("instruction", "input", "output"), strict=True):
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON curation_example USING gin (UPPER({column}) gin_trgm_ops)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {OLD[3]} ON curation_example USING gin (UPPER({CHAT}) gin_trgm_ops)")
        cursor.execute("DROP FUNCTION IF EXISTS studio_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("curation", "0018_revision_redaction")]
    operations = [migrations.RunPython(create, drop)]
