"""Writes about results: releasing a round's results to leaders and employees (HR, audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kerne.accounts.audit import audit_record
from kerne.accounts.roles import AnyUser
from kerne.followup.services import followup_open
from kerne.surveys.models import Round


class ReleaseError(ValueError):
    """The round cannot be released (or withdrawn) in its present state."""


def round_release(*, actor: AnyUser | None, round: Round) -> Round:
    """Make a closed round's results visible to its leaders and employees (DESIGN §3: access)."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.status != Round.Status.CLOSED:
            raise ReleaseError(_("Resultaterne kan først frigives, når målingen er lukket."))
        if locked.released:
            return locked
        locked.released = True
        locked.save(update_fields=["released"])
        audit_record(actor=actor, action="round.release", obj=locked, changes={"released": [False, True]})
        followup_open(actor=actor, round=locked)  # dialogue meeting cases (kerne/followup)
    round.released = True
    return locked


def round_withdraw_release(*, actor: AnyUser | None, round: Round) -> Round:
    """Take a round's results back from leaders and employees (HR and the executive board keep them)."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if not locked.released:
            return locked
        locked.released = False
        locked.save(update_fields=["released"])
        audit_record(
            actor=actor, action="round.withdraw_release", obj=locked, changes={"released": [True, False]}
        )
    round.released = False
    return locked
