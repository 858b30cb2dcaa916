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

from kerne.db.without_rowid import keep_without_rowid


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_invitation_claim_without_index_writes")]

    operations = [
        migrations.RemoveField(model_name="response", name="submitted_on"),
        keep_without_rowid("surveys_response"),
    ]
