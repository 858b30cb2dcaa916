"""On SQLite, keep proposals and proposal votes in WITHOUT ROWID tables.

An ordinary SQLite table has a hidden, increasing `rowid`: it would list proposals in the
order they were posted (placing an unsigned proposal between two signed ones, and so in
time) and votes in the order they were cast (the first supporter of an unsigned proposal
is often its author). A WITHOUT ROWID table is stored in primary-key order; the keys are
random UUIDs, so no order is left. As kerne/surveys/migrations/0003. PostgreSQL has no
rowid column; nothing to do there. tests/followup/test_proposals.py checks it.
"""

from django.db import migrations

from kerne.db.without_rowid import keep_without_rowid


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]
    operations = [keep_without_rowid("followup_proposal", "followup_proposalvote")]
