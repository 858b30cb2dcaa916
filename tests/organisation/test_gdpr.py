from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from kerne.accounts.models import AuditEntry
from kerne.organisation.gdpr import ERASED_NAME
from kerne.organisation.models import Person
from kerne.surveys.models import Instrument, Invitation, Response, Round, hash_secret
from kerne.surveys.packing import pack_answers
from tests.factories import make_employee, make_unit

pytestmark = pytest.mark.django_db


def _round_with_answer(unit, person):
    instrument = Instrument.objects.create(key="t", kind="other", name_da="Test")
    now = timezone.now()
    rnd = Round.objects.create(
        name="Runde",
        instrument=instrument,
        target_unit=unit,
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
        cut_off_date=now.date(),
    )
    Invitation.objects.create(round=rnd, person=person, unit=unit, token_hash=hash_secret("x"), answered=True)
    Response.objects.create(round=rnd, unit=unit, rater_group="employee", answers=pack_answers({0: 4}, 1))
    return rnd


def test_export_lists_the_persons_data_but_no_answers():
    unit = make_unit("Team Vest")
    user = make_employee(unit, "kirsten")
    person = user.person
    _round_with_answer(unit, person)
    out = StringIO()
    call_command("gdpr", "export", person.external_key, stdout=out)
    data = json.loads(out.getvalue())
    assert data["person"]["name"] == person.name
    assert data["login"]["username"] == "kirsten"
    assert data["engagements"][0]["unit"] == "Team Vest"
    # The round is open: whether the person answered is theirs to see (after close: tests/surveys/
    # test_closed_rounds_forget_respondents.py).
    assert data["survey_invitations"] == [
        {"round": "Runde", "round_status": "open", "answered": True, "rater_group": "employee"}
    ]
    assert "answers" not in json.dumps(data)


def test_erase_removes_personal_data_and_keeps_anonymous_results():
    unit = make_unit()
    user = make_employee(unit, "kirsten")
    person = user.person
    rnd = _round_with_answer(unit, person)
    AuditEntry.objects.create(actor=user, actor_name="kirsten", action="x", object_type="t")
    answers_before = list(Response.objects.values_list("answers", flat=True))

    with pytest.raises(CommandError):
        call_command("gdpr", "erase", person.external_key)
    call_command("gdpr", "erase", person.external_key, "--yes", stdout=StringIO())

    person = Person.objects.get(pk=person.pk)
    assert person.name == ERASED_NAME and person.email == "" and person.user is None
    assert not User.objects.filter(username="kirsten").exists()
    assert not AuditEntry.objects.filter(actor_name="kirsten").exists()
    invitation = Invitation.objects.get(round=rnd)
    assert invitation.person is None and invitation.answered
    assert list(Response.objects.values_list("answers", flat=True)) == answers_before
    assert AuditEntry.objects.filter(action="person.erase", object_id=str(person.pk)).exists()
