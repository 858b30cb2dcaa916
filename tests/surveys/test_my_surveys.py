"""'Mine målinger': an employee's own invitations, and 'Svar nu' with a fresh token
(DESIGN §3 access: "an employee sees their own invitations")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.accounts.models import AuditEntry
from kerne.organisation.models import Person
from kerne.surveys import services
from kerne.surveys.models import Invitation, RaterGroup, Response, Round, hash_secret
from kerne.surveys.tokens import new_paper_code
from kerne.surveys.views_answer import FORM_URLENCODED
from tests.access import World, build_world
from tests.factories import make_employee, make_person
from tests.surveys.factories import full_answers, make_evaluation, make_invitation, make_round

pytestmark = pytest.mark.django_db

MINE = "/maalinger/mine/"


def person(user: User | None) -> Person:
    assert user is not None
    return Person.objects.get(user=user)


def logged_in(user: User | None) -> Client:
    assert user is not None
    client = Client()
    client.force_login(user)
    return client


def answer_now_url(invitation: Invitation) -> str:
    return reverse("surveys:my_survey_answer", kwargs={"invitation_pk": invitation.pk})


def token_of(location: str) -> str:
    prefix = reverse("answer:token", kwargs={"token": "x"})[: -len("x/")]
    assert location.startswith(prefix), location
    return location[len(prefix) : -1]


def post_answers(token: str, round_: Round) -> Any:
    """A respondent's browser posting the full answer form (url-encoded, no session)."""
    data = {f"q-{key}": value for key, value in full_answers(round_.instrument).items()}
    return Client().post(
        reverse("answer:token", kwargs={"token": token}), urlencode(data), content_type=FORM_URLENCODED
    )


def rows_by_round(client: Client) -> dict[str, Any]:
    response = client.get(MINE)
    assert response.status_code == 200
    return {row.round_name: row for row in response.context["rows"]}


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


def test_url_and_page():
    assert reverse("surveys:my_surveys") == MINE
    assert reverse("surveys:my_survey_answer", kwargs={"invitation_pk": 7}) == "/maalinger/mine/7/svar/"


def test_the_page_lists_exactly_the_users_own_invitations_with_their_status():
    world = build_world()
    me = person(world.users["employee"])
    colleague = person(make_employee(world.dept_a1))  # same unit, another person

    waiting = make_round(target=world.centre_a, name="Trivsel nu")
    make_invitation(waiting, person=me, unit=world.dept_a1)
    make_invitation(waiting, person=colleague, unit=world.dept_a1)
    answered = make_round(target=world.centre_a, name="Allerede besvaret")
    mine_answered, _ = make_invitation(answered, person=me, unit=world.dept_a1)
    Invitation.objects.filter(pk=mine_answered.pk).update(answered=True)
    only_colleague = make_round(target=world.centre_a, name="Kun kollegaen")
    make_invitation(only_colleague, person=colleague, unit=world.dept_a1)
    closed_lately = make_round(
        target=world.centre_a,
        name="Lukket for nylig",
        status=Round.Status.CLOSED,
        opens_at=days(-40),
        closes_at=days(-10),
    )
    make_invitation(closed_lately, person=me, unit=world.dept_a1)
    past_closing = make_round(
        target=world.centre_a, name="Lukketid passeret", opens_at=days(-9), closes_at=days(-1)
    )
    make_invitation(past_closing, person=me, unit=world.dept_a1)
    closed_long_ago = make_round(
        target=world.centre_a,
        name="Lukket for længe siden",
        status=Round.Status.CLOSED,
        opens_at=days(-130),
        closes_at=days(-100),
    )
    make_invitation(closed_long_ago, person=me, unit=world.dept_a1)
    draft = make_round(target=world.centre_a, name="Kladden", status=Round.Status.DRAFT)
    make_invitation(draft, person=me, unit=world.dept_a1)
    not_yet = make_round(target=world.centre_a, name="Åbner snart", opens_at=days(2), closes_at=days(20))
    make_invitation(not_yet, person=me, unit=world.dept_a1)
    leadership = make_round(target=world.centre_a, instrument="leadership_360", name="Ledelsesevaluering")
    evaluation = make_evaluation(leadership, leader=make_person("Lene Leder"), unit=world.centre_a)
    make_invitation(leadership, person=me, unit=world.centre_a, rater_group="peer", evaluation=evaluation)

    client = logged_in(world.users["employee"])
    rows = rows_by_round(client)
    assert set(rows) == {
        "Trivsel nu",
        "Allerede besvaret",
        "Lukket for nylig",
        "Lukketid passeret",
        "Åbner snart",
        "Ledelsesevaluering",
    }
    assert {name: row.status for name, row in rows.items()} == {
        "Trivsel nu": "waiting",
        "Allerede besvaret": "answered",
        "Lukket for nylig": "closed",
        "Lukketid passeret": "closed",
        "Åbner snart": "not_open_yet",
        "Ledelsesevaluering": "waiting",
    }
    # Waiting ones first (the soonest to close on top), then one not open yet, then the rest.
    order = [row.round_name for row in client.get(MINE).context["rows"]]
    assert set(order[:2]) == {"Trivsel nu", "Ledelsesevaluering"} and order[2] == "Åbner snart"
    assert rows["Trivsel nu"].instrument_name == "Social kapital"
    assert rows["Trivsel nu"].leader_name == "" and rows["Trivsel nu"].rater_group == ""
    assert rows["Ledelsesevaluering"].leader_name == "Lene Leder"
    assert rows["Ledelsesevaluering"].rater_group == RaterGroup.PEER.label == "Lederkolleger"

    html = client.get(MINE).content.decode()
    assert html.count(">Svar nu</button>") == 2  # the two waiting ones only
    for status, count in (("Besvaret", 1), ("Ikke besvaret", 3), ("Lukket", 2)):
        assert html.count(f">{status}</span>") == count, status
    assert "Lene Leder" in html and "Du svarer som: Lederkolleger" in html
    assert "Ledelsesevaluering (360)" in html  # the instrument's name
    assert "Kun kollegaen" not in html and "Kladden" not in html and "Lukket for længe siden" not in html
    assert "holder op med at virke" in html  # the old link or paper code stops working
    assert "aldrig hvad du har svaret" in html

    # In English: the instrument's English name and the labels.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(MINE).content.decode()
    assert "My surveys" in html and "Social capital" in html and ">Answer now</button>" in html
    assert (
        ">Answered</span>" in html
        and ">Not answered</span>" in html
        and "You answer as: Peer leaders" in html
    )


def test_a_user_without_a_person_gets_a_kind_empty_state():
    world = build_world()
    response = logged_in(world.users["hr"]).get(MINE)
    assert response.status_code == 200
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "ikke knyttet til en person" in html and "Svar nu" not in html


def test_an_employee_without_invitations_is_told_so():
    world = build_world()
    other = make_round(target=world.centre_a)
    make_invitation(other, unit=world.dept_a1)  # someone else's
    html = logged_in(world.users["employee"]).get(MINE).content.decode()
    assert "Du har ingen invitationer til målinger lige nu." in html


def test_answer_now_issues_a_fresh_token_that_works_and_the_old_one_stops_working():
    world = build_world()
    round_ = make_round(target=world.centre_a)
    invitation, emailed_token = make_invitation(
        round_, person=person(world.users["employee"]), unit=world.dept_a1
    )
    client = logged_in(world.users["employee"])

    response = client.post(answer_now_url(invitation))
    assert response.status_code == 303
    first = token_of(response["Location"])
    assert response["Location"] == reverse("answer:token", kwargs={"token": first})
    assert response["Cache-Control"] == "no-store"
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_secret(first) and first != emailed_token
    assert not invitation.answered
    # The e-mailed link no longer works; the fresh one opens the answer form.
    old = Client().get(reverse("answer:token", kwargs={"token": emailed_token}))
    assert old.status_code == 404 and "Linket virker ikke" in old.content.decode()
    assert "<fieldset" in Client().get(response["Location"]).content.decode()

    # A second "Svar nu" (a new tab, a day later) works again, and replaces the first.
    again = client.post(answer_now_url(invitation))
    assert again.status_code == 303
    second = token_of(again["Location"])
    assert second != first
    assert Client().get(reverse("answer:token", kwargs={"token": first})).status_code == 404

    stored = post_answers(second, round_)
    assert stored.status_code == 303 and stored["Location"].startswith(reverse("answer:receipt"))
    assert Response.objects.filter(round=round_).count() == 1
    invitation.refresh_from_db()
    assert invitation.answered

    # Answered: no more "Svar nu", and the page says so.
    assert client.post(answer_now_url(invitation)).status_code == 404
    assert rows_by_round(client)[round_.name].status == "answered"


def test_answer_now_replaces_a_paper_code_too():
    world = build_world()
    round_ = make_round(target=world.centre_a)
    code = new_paper_code()
    invitation, _ = make_invitation(
        round_, person=person(world.users["employee"]), unit=world.dept_a1, token=code
    )
    assert Client().post(reverse("answer:code"), {"kode": code}).status_code == 303  # the code works
    response = logged_in(world.users["employee"]).post(answer_now_url(invitation))
    assert response.status_code == 303
    refused = Client().post(reverse("answer:code"), {"kode": code})
    assert refused.status_code == 400 and "Vi kan ikke finde koden" in refused.content.decode()


def _invitations(world: World) -> dict[str, Invitation]:
    me = person(world.users["employee"])
    colleague = person(make_employee(world.dept_a1))
    open_round = make_round(target=world.centre_a)
    answered_round = make_round(target=world.centre_a)
    closed = make_round(
        target=world.centre_a, status=Round.Status.CLOSED, opens_at=days(-20), closes_at=days(-5)
    )
    past_closing = make_round(target=world.centre_a, opens_at=days(-20), closes_at=days(-1))
    not_yet = make_round(target=world.centre_a, opens_at=days(1), closes_at=days(9))
    draft = make_round(target=world.centre_a, status=Round.Status.DRAFT)
    answered, _ = make_invitation(answered_round, person=me, unit=world.dept_a1)
    Invitation.objects.filter(pk=answered.pk).update(answered=True)
    return {
        "mine": make_invitation(open_round, person=me, unit=world.dept_a1)[0],
        "colleague's": make_invitation(open_round, person=colleague, unit=world.dept_a1)[0],
        "answered": answered,
        "closed": make_invitation(closed, person=me, unit=world.dept_a1)[0],
        "past closing": make_invitation(past_closing, person=me, unit=world.dept_a1)[0],
        "not open yet": make_invitation(not_yet, person=me, unit=world.dept_a1)[0],
        "draft": make_invitation(draft, person=me, unit=world.dept_a1)[0],
    }


@pytest.mark.parametrize(
    "which", ["colleague's", "answered", "closed", "past closing", "not open yet", "draft"]
)
def test_answer_now_is_404_for_anything_but_ones_own_waiting_invitation(which):
    world = build_world()
    invitations = _invitations(world)
    target = invitations[which]
    before = Invitation.objects.get(pk=target.pk).token_hash
    client = logged_in(world.users["employee"])
    response = client.post(answer_now_url(target))
    assert response.status_code == 404
    assert Invitation.objects.get(pk=target.pk).token_hash == before
    # Indistinguishable from an invitation that does not exist.
    missing_url = reverse("surveys:my_survey_answer", kwargs={"invitation_pk": 999_999})
    missing = client.post(missing_url)
    # The 404 page carries the requested address (language switch, navigation) and a fresh
    # masked CSRF token: only those differ.
    assert missing.status_code == 404
    assert _page_without_request_details(missing.content, missing_url) == _page_without_request_details(
        response.content, answer_now_url(target)
    )


def _page_without_request_details(content: bytes, url: str) -> bytes:
    content = content.replace(url.encode(), b"URL")
    return re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+', rb"\1TOKEN", content)


def test_answer_now_takes_post_only_and_a_login():
    world = build_world()
    mine = _invitations(world)["mine"]
    before = Invitation.objects.get(pk=mine.pk).token_hash
    assert logged_in(world.users["employee"]).get(answer_now_url(mine)).status_code == 405
    anonymous = Client().post(answer_now_url(mine))
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous["Location"]
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.users["employee"])  # type: ignore[arg-type]
    assert csrf_client.post(answer_now_url(mine)).status_code == 403  # no CSRF token
    assert Invitation.objects.get(pk=mine.pk).token_hash == before


def test_answer_now_leaves_no_trace_of_when():
    """No audit row, no timestamp, no session write: nothing tells when the person was
    about to answer (DESIGN §3.1–3.2)."""
    world = build_world()
    mine = _invitations(world)["mine"]
    client = logged_in(world.users["employee"])
    audit_rows = AuditEntry.objects.count()
    sessions = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    before = model_to_dict(Invitation.objects.get(pk=mine.pk))
    assert client.post(answer_now_url(mine)).status_code == 303
    assert AuditEntry.objects.count() == audit_rows
    assert list(Session.objects.values_list("session_key", "session_data", "expire_date")) == sessions
    after = model_to_dict(Invitation.objects.get(pk=mine.pk))
    assert after.pop("token_hash") != before.pop("token_hash")
    assert after == before  # emailed, reminders_sent, answered … untouched


def test_a_submission_that_wins_the_race_is_never_undone():
    """The invitation was read as waiting, then answered before the fresh token is written:
    the conditional UPDATE matches nothing, and the answered invitation keeps its hash."""
    world = build_world()
    mine = _invitations(world)["mine"]
    stale = Invitation.objects.get(pk=mine.pk)
    Invitation.objects.filter(pk=mine.pk).update(answered=True)
    with pytest.raises(services.RoundError):
        services.invitation_fresh_token(invitation=stale)
    fresh = Invitation.objects.get(pk=mine.pk)
    assert fresh.answered and fresh.token_hash == stale.token_hash


def test_the_home_page_tells_how_many_surveys_wait():
    world = build_world()
    invitations = _invitations(world)
    client = logged_in(world.users["employee"])
    html = client.get("/").content.decode()
    assert "Du har 1 måling, der venter på dit svar." in html
    assert f'href="{MINE}"' in html
    second = make_round(target=world.centre_a)
    make_invitation(second, person=person(world.users["employee"]), unit=world.dept_a1)
    assert "Du har 2 målinger, der venter på dit svar." in client.get("/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "You have 2 surveys waiting for your answer." in client.get("/").content.decode()

    # The colleague's waiting invitation counts for the colleague only; answered ones for nobody.
    colleague = invitations["colleague's"].person
    assert colleague is not None
    colleague.user = User.objects.create_user("kollega", password="kerne-test-pw")
    colleague.save(update_fields=["user"])
    assert "Du har 1 måling, der venter" in logged_in(colleague.user).get("/").content.decode()
    Invitation.objects.filter(person=colleague).update(answered=True)
    html = logged_in(colleague.user).get("/").content.decode()
    assert "venter på dit svar" not in html
    assert f'href="{MINE}"' in html  # "Mine målinger" in the utility bar for every logged-in user
    assert f'href="{MINE}"' not in Client().get("/").content.decode()
    assert "venter på dit svar" not in logged_in(world.users["hr"]).get("/").content.decode()
