"""Marking an invitation answered writes no index (the survey rush's claim, DESIGN §4).

`answered` leaves the (round, unit) index, so the claim's UPDATE changes no indexed
column. On PostgreSQL the table also keeps 30 % of each new page free (fillfactor), so the
new row version fits on the same page: a heap-only (HOT) update, with none of the
invitation table's indexes touched. Pages written before this migration stay full until
rewritten; a round's invitations are created at launch, on new pages.
"""

from django.db import migrations, models


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE surveys_invitation SET (fillfactor = 70)")


def default_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE surveys_invitation RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_shipped_instruments")]

    operations = [
        migrations.RemoveIndex(model_name="invitation", name="surveys_inv_round_i_54d99e_idx"),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["round", "unit"], name="surveys_invitation_round_unit"),
        ),
        migrations.RunPython(fillfactor, default_fillfactor),
    ]
