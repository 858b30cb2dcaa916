"""Closed rounds forget who answered (DESIGN §3.1: no stored row is attributable from the
tables alone).

Closing a round now clears `Invitation.answered` with the reminder counts and e-mail flags
(kerne/surveys/sealing.py, forget_respondents): the answered invitations of a pooled unit
are the candidate authors of its responses, and when one of five answered, the one
response on the unit is that named person's. This clears them on the rounds closed before,
by HR or by their closing time, including those closed before the reminder counts were
cleared at close. On PostgreSQL the cleared rows are new row versions, and the rows' positions
still show whose invitation a claim rewrote: run `kerne seal-rounds --all` once after
migrating, which seals every round (docs/anonymity.md).
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def forget_respondents(apps, schema_editor):
    Round = apps.get_model("surveys", "Round")
    Invitation = apps.get_model("surveys", "Invitation")
    closed = (
        Round.objects.exclude(status="draft")
        .filter(Q(status="closed") | Q(closes_at__lte=timezone.now()))
        .values("pk")
    )
    Invitation.objects.filter(round_id__in=closed).filter(
        Q(answered=True) | Q(reminders_sent__gt=0) | Q(emailed=True)
    ).update(answered=False, reminders_sent=0, emailed=False)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0007_invitation_response_unit")]

    operations = [migrations.RunPython(forget_respondents, migrations.RunPython.noop)]
