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

from kerne.db.without_rowid import keep_without_rowid


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_open_submission")]
    operations = [keep_without_rowid("surveys_response", "surveys_comment", "surveys_opensubmission")]
