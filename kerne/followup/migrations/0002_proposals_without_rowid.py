"""On SQLite, keep proposals and proposal votes in WITHOUT ROWID tables.

An ordinary SQLite table has a hidden, increasing `rowid`: it would list proposals in the
order they were posted (placing an unsigned proposal between two signed ones, and so in
time) and votes in the order they were cast (the first supporter of an unsigned proposal
is often its author). A WITHOUT ROWID table is stored in primary-key order; the keys are
random UUIDs, so no order is left. As kerne/surveys/migrations/0003. PostgreSQL has no
rowid column; nothing to do there. tests/followup/test_proposal_anonymity.py checks it.
"""

from django.db import migrations

TABLES = ("followup_proposal", "followup_proposalvote")


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
    dependencies = [("followup", "0001_initial")]
    operations = [migrations.RunPython(without_rowid, migrations.RunPython.noop)]
