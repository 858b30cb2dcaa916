"""Rounds: creating, invitations from the cut-off, launch/remind/close with e-mails, paper codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from kerne.organisation.models import Engagement
from kerne.surveys import services
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Invitation, OpenLink, Response, Round
from kerne.surveys.submission import response_submit
from kerne.surveys.tokens import format_paper_code, new_paper_code
from tests.factories import make_engagement, make_hr, make_person, make_unit
from tests.surveys.factories import full_answers
from tests.surveys.small_org import LONG_AGO, build_small_org

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/svar/([A-Za-z0-9_\-]+)/")


def _round(target, *, instrument="social_capital", mode=Round.Mode.INVITED, cut_off=None, **extra):
    now = timezone.now()
    return services.round_create(
        actor=extra.pop("actor", None),
        name=extra.pop("name", "Social kapital 2026"),
        instrument=shipped_instrument(instrument),
        target_unit=target,
        opens_at=extra.pop("opens_at", now - dt.timedelta(hours=1)),
        closes_at=extra.pop("closes_at", now + dt.timedelta(days=14)),
        cut_off_date=cut_off or timezone.localdate(),
        mode=mode,
        **extra,
    )


def _tokens(outbox) -> list[str]:
    """The personal token of each e-mail (the link appears once per language)."""
    tokens = []
    for message in outbox:
        found = set(LINK.findall(message.body))
        assert len(found) == 1, message.body
        tokens.append(found.pop())
    return tokens


def _answer(round_, token: str):
    return response_submit(token=token, answers=full_answers(round_.instrument), comments={}, language="da")


# ------------------------------------------------------------------ creating a round


def test_k_below_3_is_refused_with_a_clear_message_and_nothing_is_created():
    unit = make_unit()
    with pytest.raises(services.RoundError) as refused:
        _round(unit, k=2)
    assert "k" in refused.value.errors
    assert "mindst 3" in refused.value.errors["k"]
    with pytest.raises(services.RoundError) as refused:
        _round(unit, k=5, comment_k=4)
    assert "comment_k" in refused.value.errors
    assert not Round.objects.exists()


def test_round_fields_are_checked_together():
    unit = make_unit()
    now = timezone.now()
    errors = services.round_validate(
        instrument=shipped_instrument("social_capital"),
        target_unit=unit,
        opens_at=now,
        closes_at=now - dt.timedelta(days=1),
        cut_off_date=None,
        k=5,
        comment_k=5,
        languages=[],
        mode=Round.Mode.OPEN_LINK,
    )
    assert set(errors) == {"closes_at", "cut_off_date", "languages", "mode"}


def test_a_round_can_be_edited_only_as_a_draft():
    org = build_small_org()
    round_ = _round(org.health)
    fields = {
        "name": "Ny titel",
        "instrument": round_.instrument,
        "target_unit": round_.target_unit,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "cut_off_date": round_.cut_off_date,
        "k": 6,
        "comment_k": 6,
        "languages": ["da"],
        "mode": round_.mode,
    }
    services.round_update(actor=None, round=round_, **fields)
    round_.refresh_from_db()
    assert (round_.name, round_.k, round_.languages) == ("Ny titel", 6, ["da"])
    services.round_launch(actor=None, round=round_)
    with pytest.raises(services.RoundError):
        services.round_update(actor=None, round=round_, **{**fields, "k": 7})
    round_.refresh_from_db()
    assert round_.k == 6


# --------------------------------------------------------------------- invitations


def test_invitations_follow_the_engagements_on_the_cut_off_date():
    cut_off = dt.date(2026, 3, 1)
    root = make_unit("Center", valid_from=LONG_AGO)
    a = make_unit("A", parent=root, valid_from=LONG_AGO)
    b = make_unit("B", parent=root, valid_from=LONG_AGO)
    closed = make_unit("Nedlagt", parent=root, valid_from=LONG_AGO, external_key="closed")
    closed.valid_to = dt.date(2026, 1, 31)
    closed.save()
    outside = make_unit("Udenfor", valid_from=LONG_AGO)

    two_jobs = make_person("To ansættelser")
    make_engagement(two_jobs, b, is_primary=False, valid_from=LONG_AGO)
    make_engagement(two_jobs, a, is_primary=True, valid_from=LONG_AGO)
    no_primary = make_person("Ingen primær")
    make_engagement(no_primary, b, is_primary=False, valid_from=LONG_AGO)
    make_engagement(no_primary, a, is_primary=False, valid_from=LONG_AGO)
    joined_late = make_person("Startede efter")
    make_engagement(joined_late, a, valid_from=dt.date(2026, 3, 2))
    left_early = make_person("Stoppede før")
    make_engagement(left_early, a, valid_from=LONG_AGO, valid_to=dt.date(2026, 2, 28))
    in_closed = make_person("I nedlagt enhed")
    make_engagement(in_closed, closed, valid_from=LONG_AGO)
    elsewhere = make_person("Udenfor målgruppen")
    make_engagement(elsewhere, outside, valid_from=LONG_AGO)
    leader = make_person("Leder")
    make_engagement(leader, root, is_leader=True, valid_from=LONG_AGO)
    # After the cut-off, the person with two jobs moves: the invitation keeps the old unit.
    Engagement.objects.filter(person=two_jobs, unit=a).update(valid_to=dt.date(2026, 3, 10))
    make_engagement(two_jobs, b, is_primary=True, valid_from=dt.date(2026, 3, 11))

    round_ = _round(root, cut_off=cut_off)
    services.round_launch(actor=None, round=round_)
    invited = {(i.person.name, i.unit.name) for i in Invitation.objects.filter(round=round_)}
    assert invited == {("To ansættelser", "A"), ("Ingen primær", "A"), ("Leder", "Center")}
    assert Invitation.objects.filter(round=round_).count() == 3  # one per person


def test_launch_e_mails_a_working_personal_link_and_paper_people_get_none(django_capture_on_commit_callbacks):
    org = build_small_org()
    round_ = _round(org.homecare)
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.round_launch(actor=make_hr(), round=round_)
    # Hanne, Tina, 6 + 5 + 2 staff; 2 of them without e-mail.
    assert (summary.invitations, summary.to_email, summary.without_email) == (15, 13, 2)
    assert len(mail.outbox) == 13
    message = mail.outbox[0]
    assert "Social kapital 2026" in message.subject
    tokens = _tokens(mail.outbox)
    assert len(set(tokens)) == 13
    assert Invitation.objects.filter(round=round_, emailed=True).count() == 13
    # The link opens the answer page, and answering through it stores one response.
    from urllib.parse import urlparse

    from django.test import Client

    path = urlparse(LINK.search(message.body).group(0)).path
    assert Client().get(path).status_code == 200
    answers = {f"q-{key}": value for key, value in full_answers(round_.instrument).items()}
    assert Client().post(path, answers).status_code == 303
    assert Response.objects.filter(round=round_).count() == 1
    assert _answer(round_, tokens[0]).already_answered
    assert _answer(round_, tokens[1]).stored


def test_a_closed_unit_and_nothing_to_invite_refuse_launch():
    unit = make_unit(valid_from=LONG_AGO)
    round_ = _round(unit)
    with pytest.raises(services.RoundError) as refused:
        services.round_launch(actor=None, round=round_)
    assert "target_unit" in refused.value.errors
    round_.refresh_from_db()
    assert round_.status == Round.Status.DRAFT


def test_reminders_go_to_those_who_have_not_answered_with_a_fresh_link(django_capture_on_commit_callbacks):
    org = build_small_org()
    round_ = _round(org.nursing)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_launch(actor=None, round=round_)
    first = dict(zip([m.to[0] for m in mail.outbox], _tokens(mail.outbox), strict=True))
    answered_address = next(iter(first))
    assert _answer(round_, first[answered_address]).stored
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        count = services.round_remind(actor=None, round=round_)
    assert count == 4  # Sara + 4 staff, one answered
    assert len(mail.outbox) == 4
    assert answered_address not in {m.to[0] for m in mail.outbox}
    assert all("Påmindelse" in m.subject for m in mail.outbox)
    reminder = mail.outbox[0]
    new_token = _tokens([reminder])[0]
    assert new_token != first[reminder.to[0]]
    assert _answer(round_, first[reminder.to[0]]).unavailable  # the old link is replaced
    assert _answer(round_, new_token).stored
    assert Invitation.objects.filter(round=round_, reminders_sent=1).count() == 4


def test_close_stops_answers(django_capture_on_commit_callbacks):
    org = build_small_org()
    round_ = _round(org.library)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_launch(actor=None, round=round_)
    token = _tokens(mail.outbox)[0]
    services.round_close(actor=None, round=round_)
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED
    assert round_.closes_at <= timezone.now()
    result = _answer(round_, token)
    assert result.unavailable and result.reason == "closed"
    with pytest.raises(services.RoundError):
        services.round_remind(actor=None, round=round_)


# -------------------------------------------------------------------------- tokens


def test_tokens_are_stored_only_hashed_nowhere_in_plain_text(django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    org = build_small_org()
    round_ = _round(org.homecare)
    services.round_launch(actor=None, round=round_)
    # The queued task (a database row) holds the round id, never a token: run it as the worker would.
    from kerne.surveys.tasks import send_invitations

    send_invitations.call(round_.pk)
    secrets_ = _tokens(mail.outbox)
    slips = services.paper_codes_issue(actor=None, round=round_, unit=org.homecare)
    secrets_ += [slip.code for slip in slips] + [format_paper_code(slip.code) for slip in slips]
    assert len(secrets_) == 13 + 4
    found = _scan_text_columns(secrets_)
    assert not found, f"plain-text tokens stored in {found}"


def _scan_text_columns(needles: list[str]) -> list[str]:
    """Every text-like column of every table, searched for every needle."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = [
                c.name
                for c in description
                if connection.introspection.get_field_type(c.type_code, c)
                in ("CharField", "TextField", "JSONField")
                or "char" in str(c.type_code).lower()
                or "text" in str(c.type_code).lower()
            ]
            for column in columns:
                cursor.execute(f'SELECT "{column}" FROM "{table}"')
                for (value,) in cursor.fetchall():
                    text = str(value)
                    hits.extend(f"{table}.{column}" for needle in needles if needle in text)
    return hits


def test_the_column_scan_would_find_a_plain_token():
    person = make_person(name="ABC-secret-token-XYZ")
    assert _scan_text_columns(["secret-token"]) == ["organisation_person.name"]
    person.delete()


# --------------------------------------------------------------------- paper codes


def test_paper_codes_work_once_typed_in_any_form_and_reprinting_replaces_them():
    org = build_small_org()
    round_ = _round(org.homecare)
    services.round_launch(actor=None, round=round_)
    slips = services.paper_codes_issue(actor=None, round=round_, unit=org.homecare)
    assert len(slips) == 2  # only the two without e-mail
    assert {s.person_name for s in slips} == {p.name for p in org.staff["homecare"][:2]}
    typed = format_paper_code(slips[0].code).lower().replace("-", " ")
    assert _answer(round_, typed).stored
    again = services.paper_codes_issue(actor=None, round=round_, unit=org.homecare)
    assert len(again) == 1  # the one who answered gets no new slip
    assert _answer(round_, slips[1].code).unavailable  # the first sheet's code no longer works
    assert _answer(round_, again[0].code).stored
    everyone = services.paper_codes_issue(actor=None, round=round_, unit=org.north, include_emailed=True)
    assert len(everyone) == 6  # Tina and her 5 staff
    assert not Invitation.objects.filter(round=round_, unit=org.north, emailed=True).exists()


def test_paper_codes_only_while_open():
    org = build_small_org()
    round_ = _round(org.library)
    with pytest.raises(services.RoundError):
        services.paper_codes_issue(actor=None, round=round_, unit=org.library)
    assert len(new_paper_code()) == 26


# ---------------------------------------------------------------------- open links


def test_an_open_survey_gets_one_public_link_per_chosen_unit():
    org = build_small_org()
    with pytest.raises(services.RoundError) as refused:
        _round(org.root, instrument="citizen")
    assert "mode" in refused.value.errors
    round_ = _round(org.root, instrument="citizen", mode=Round.Mode.OPEN_LINK)
    links = services.open_links_set(actor=None, round=round_, units=[org.library, org.homecare])
    assert {link.unit for link in links} == {org.library, org.homecare}
    assert len({link.slug for link in links}) == 2
    summary = services.round_launch(actor=None, round=round_)
    assert summary.open_links == 2 and summary.invitations == 0
    assert not Invitation.objects.filter(round=round_).exists()
    kept = OpenLink.objects.get(round=round_, unit=org.library).slug
    services.open_links_create(actor=None, round=round_, units=[org.nursing])
    assert OpenLink.objects.get(round=round_, unit=org.library).slug == kept
    assert OpenLink.objects.filter(round=round_).count() == 3
    with pytest.raises(services.RoundError):
        services.open_links_set(actor=None, round=round_, units=[make_unit("Udenfor")])


def test_launch_without_chosen_units_links_the_target():
    org = build_small_org()
    round_ = _round(org.library, instrument="citizen", mode=Round.Mode.OPEN_LINK)
    services.round_launch(actor=None, round=round_)
    assert list(OpenLink.objects.filter(round=round_).values_list("unit", flat=True)) == [org.library.pk]
