"""Background work of the goals app (django-tasks; enqueued on commit by services.py)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from kerne.goals import coverage
from kerne.goals.models import Rollout
from kerne.i18n import long_date
from kerne.organisation.models import Engagement

MAX_UNITS_IN_MAIL = 50


@task()
def send_rollout_reminders(rollout_id: int) -> int:
    """E-mail each leader of a unit that has not started the roll-out; returns the mails sent."""
    rollout = Rollout.objects.select_related("root_unit").filter(pk=rollout_id).first()
    if rollout is None:
        return 0
    waiting = coverage.not_started(rollout, [rollout.root_unit])
    leaders = (
        Engagement.objects.active()
        .filter(is_leader=True, unit__in=waiting)
        .exclude(person__email="")
        .select_related("person", "unit")
        .order_by("person_id", "unit__path")
    )
    units_per_leader: dict[tuple[str, str], list[str]] = defaultdict(list)
    for engagement in leaders:
        units_per_leader[(engagement.person.email, engagement.person.name)].append(engagement.unit.name)
    link = settings.KERNE_BASE_URL.rstrip("/") + reverse("goals:rollout_detail", args=[rollout.pk])
    sent = 0
    with translation.override("da"):
        for (email, name), units in sorted(units_per_leader.items()):
            shown = units[:MAX_UNITS_IN_MAIL]
            more = len(units) - len(shown)
            body = "\n".join(
                [
                    _("Kære %(name)s") % {"name": name},
                    "",
                    _("Udrulningen »%(title)s« har frist %(deadline)s.")
                    % {"title": rollout.title_da, "deadline": long_date(rollout.deadline)},
                    _("Disse enheder, som du er leder af, har endnu ikke meldt status:"),
                    *[f"- {unit}" for unit in shown],
                    *([_("… og %(n)s flere.") % {"n": more}] if more else []),
                    "",
                    _("Meld status her: %(link)s") % {"link": link},
                ]
            )
            send_mail(
                _("Påmindelse: %(title)s") % {"title": rollout.title_da},
                body,
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
            sent += 1
    return sent
