"""On SQLite, keep responses, comments and open submissions in WITHOUT ROWID tables.

An ordinary SQLite table has a hidden, increasing `rowid`: `SELECT rowid, * FROM
surveys_response` would list responses in the order they were submitted, and a comment
inserted in the same transaction as a response would sit next to it in rowid order,
pairing a respondent's free text with their answers (DESIGN §3.1, §3.5). A WITHOUT ROWID
table is stored in primary-key order; the keys are random, so no order is left.

PostgreSQL has no rowid column; nothing to do there.
tests/surveys/test_storage_anonymity.py checks this stays so (Django rebuilds a table
on some SQLite schema changes; a later migration on these tables must keep WITHOUT ROWID).
"""

from django.db import migrations

TABLES = ("surveys_response", "surveys_comment", "surveys_opensubmission")


def without_rowid(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            (create_sql,) = cursor.fetchone()
            if "WITHOUT ROWID" in create_sql.upper():
                continue
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            index_sqls = [row[0] for row in cursor.fetchall()]
            new_table = f"new__{table}"
            new_sql = create_sql.replace(f'"{table}"', f'"{new_table}"', 1) + " WITHOUT ROWID"
            cursor.execute(new_sql)
            cursor.execute(f'INSERT INTO "{new_table}" SELECT * FROM "{table}"')
            cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute(f'ALTER TABLE "{new_table}" RENAME TO "{table}"')
            for index_sql in index_sqls:
                cursor.execute(index_sql)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_open_submission")]
    operations = [migrations.RunPython(without_rowid, migrations.RunPython.noop)]
