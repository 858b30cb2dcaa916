"""A response keeps no date (DESIGN §3.1: nothing stored splits respondents in time more
finely than the round).

`Response.submitted_on` together with `Invitation.reminders_sent` split respondents into
reminder windows: a respondent who answered the day after the second reminder was one
of the few people reminded twice who then answered (issue 9, class 5b). The column goes;
the reminder counters are cleared when a round closes (services.round_close).

On SQLite, Django may rebuild a table to drop a column; the rebuilt table must stay
WITHOUT ROWID (migration 0003, checked by tests/surveys/test_storage_anonymity.py), so
the last step makes it so again when it is not.
"""

from django.db import migrations

TABLES = ("surveys_response",)


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
    dependencies = [("surveys", "0005_invitation_claim_without_index_writes")]

    operations = [
        migrations.RemoveField(model_name="response", name="submitted_on"),
        migrations.RunPython(without_rowid, migrations.RunPython.noop),
    ]
