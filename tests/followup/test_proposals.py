"""Improvement proposals: posting (signed and unsigned), hiding, answering, support, age."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.accounts.models import AuditEntry
from kerne.followup import selectors, services
from kerne.followup.forms import AnswerForm, ProposalForm
from kerne.followup.models import Action, Proposal, ProposalEvent, ProposalVote

pytestmark = pytest.mark.django_db

GOOD = {"what": "Fælles kalender for vagtplanen", "why": "Vi dobbeltbooker", "effect": "Færre aflysninger"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(world, signed: bool = True, **extra: Any) -> Proposal:
    return services.proposal_post(
        author=world.users["employee"].person, unit=world.dept_a1, signed=signed, **{**GOOD, **extra}
    )


# --- the unsigned proposal leaves no trace of its author ------------------------------------------


def _snapshot() -> dict[str, set[tuple[Any, ...]]]:
    tables = connection.introspection.table_names()
    rows: dict[str, set[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows[table] = {
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in cursor.fetchall()
            }
    return rows


def _changes(
    before: dict[str, set[tuple[Any, ...]]], after: dict[str, set[tuple[Any, ...]]]
) -> dict[str, Any]:
    return {
        table: (after[table] - before.get(table, set()), before.get(table, set()) - after[table])
        for table in after
        if after[table] != before.get(table, set())
    }


def _traces(user) -> set[str]:
    person = user.person
    return {str(person.pk), str(user.pk), person.name, person.email, user.get_username(), person.external_key}


def test_an_unsigned_proposal_and_its_authors_support_leave_no_trace_of_the_author(released, caplog):
    """Every column of every table, before and after the real POST: the only new row is the proposal
    (no author, a random id, the date only), then the only new row is a vote (a keyed hash);
    nothing in the audit log, the task queue, the outbox or the log."""
    w = released
    author = w.users["employee"]
    client = _client(author)
    caplog.set_level(logging.DEBUG)
    before = _snapshot()
    response = client.post(
        reverse("followup:proposal_create"), {**GOOD, "unit": w.dept_a1.pk}
    )  # "signed" unticked
    assert response.status_code == 302
    changes = _changes(before, _snapshot())
    assert set(changes) == {"followup_proposal"}, set(changes)
    (row,), removed = changes["followup_proposal"]
    assert not removed
    columns = [
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), "followup_proposal")
    ]
    values = dict(zip(columns, row, strict=True))
    assert values["author_id"] is None and values["answered_by_id"] is None
    assert uuid.UUID(str(values["id"])).version == 4
    assert str(values["created_on"]) == timezone.localdate().isoformat()  # a date, no time
    traces = _traces(author)
    for column, value in values.items():
        if column in ("unit_id", "handler_unit_id"):
            continue  # the unit it was posted to (the warning on the form says so)
        assert str(value) not in traces, column
    proposal = Proposal.objects.get()
    # The author supports their own proposal: one row with a keyed hash and nothing else.
    before = _snapshot()
    assert client.post(reverse("followup:proposal_support", args=[proposal.pk])).status_code == 302
    changes = _changes(before, _snapshot())
    assert set(changes) == {"followup_proposalvote"}
    (vote,), _removed = changes["followup_proposalvote"]
    assert len(vote) == 3  # id, proposal, hash
    assert not any(str(v) in traces for v in vote)
    assert not mail.outbox
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert not any(t in logged for t in traces if len(t) > 3)


def test_proposal_tables_keep_no_rowid_on_sqlite(released):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no rowid")
    with connection.cursor() as cursor:
        for table in ("followup_proposal", "followup_proposalvote"):
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            assert "WITHOUT ROWID" in cursor.fetchone()[0].upper(), table


def test_a_signed_proposal_names_its_author_and_is_audited(released):
    w = released
    proposal = _post(w, signed=True)
    assert proposal.author == w.users["employee"].person
    assert AuditEntry.objects.filter(action="proposal.post", actor=w.users["employee"]).count() == 1
    assert proposal.handler_unit == w.dept_a1


def test_the_form_warns_and_refuses_bad_input(released):
    w = released
    client = _client(w.users["employee"])
    page = client.get(reverse("followup:proposal_create")).content.decode()
    assert "i en lille enhed kan ordvalget" in page
    for bad in ({**GOOD, "what": ""}, {**GOOD, "why": "x" * 5001}, {**GOOD, "unit": w.centre_b.pk}):
        data = {"unit": w.dept_a1.pk, "signed": "on", **bad}
        response = client.post(reverse("followup:proposal_create"), data)
        assert response.status_code == 200 and response.context["form"].errors
    assert not Proposal.objects.exists()
    form = ProposalForm({**GOOD, "unit": w.dept_a1.pk}, units=[w.dept_a1])
    assert form.is_valid() and form.cleaned_data["signed"] is False


def test_who_sees_and_who_may_post(released):
    w = released
    proposal = _post(w)
    for role in ("employee", "deptleader", "leader", "hr", "executive"):
        assert selectors.proposals(w.users[role]).filter(pk=proposal.pk).exists(), role
    for role in ("other_leader", "teamleader"):
        assert not selectors.proposals(w.users[role]).filter(pk=proposal.pk).exists(), role
    assert _client(w.users["hr"]).get(reverse("followup:proposal_create")).status_code == 403


def test_hiding_needs_a_reason_and_keeps_the_text_from_the_unit(released):
    w = released
    proposal = _post(w, what="Grimt forslag om en kollega")
    with pytest.raises(services.FollowupError):
        services.proposal_hide(actor=w.users["deptleader"], proposal=proposal, reason=" ")
    assert not selectors.can_hide(w.users["employee"], proposal)
    services.proposal_hide(actor=w.users["deptleader"], proposal=proposal, reason="Krænkende")
    assert AuditEntry.objects.filter(action="proposal.hide").count() == 1
    page = _client(w.users["employee"]).get(reverse("followup:proposal", args=[proposal.pk])).content.decode()
    assert "Krænkende" in page and "Grimt forslag" not in page
    leader_page = _client(w.users["deptleader"]).get(reverse("followup:proposal", args=[proposal.pk]))
    assert "Grimt forslag" in leader_page.content.decode()


def test_accepting_creates_a_linked_action(released):
    w = released
    proposal = _post(w)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    services.proposal_answer(
        actor=w.users["deptleader"],
        proposal=proposal,
        decision="accepted",
        text="God idé",
        action_title="Fælles kalender",
        action_owner=w.users["employee"].person,
        action_deadline=deadline,
    )
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.action is not None
    assert proposal.action.unit == w.dept_a1 and proposal.action.deadline == deadline
    assert AuditEntry.objects.filter(action="proposal.answer").count() == 1
    page = _client(w.users["employee"]).get(reverse("followup:proposal", args=[proposal.pk])).content.decode()
    assert "Fælles kalender" in page and "God idé" in page


def test_declined_needs_a_reason_parked_a_future_date(released):
    w = released
    proposal = _post(w)
    leader = w.users["deptleader"]
    with pytest.raises(services.FollowupError):
        services.proposal_answer(actor=leader, proposal=proposal, decision="declined", text="")
    with pytest.raises(services.FollowupError):
        services.proposal_answer(
            actor=leader, proposal=proposal, decision="parked", parked_until=timezone.localdate()
        )
    proposal.refresh_from_db()
    assert proposal.status == "open" and not ProposalEvent.objects.exists()
    services.proposal_answer(actor=leader, proposal=proposal, decision="declined", text="Ingen budget i år")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.answer) == ("declined", "Ingen budget i år")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "declined", "text": ""}, "text"),
        ({"decision": "parked", "parked_until": "2001-01-01"}, "parked_until"),
        ({"decision": "accepted", "action_title": "", "action_deadline": "2999-01-01"}, "action_title"),
        ({"decision": "accepted", "action_title": "X", "action_deadline": "2001-01-01"}, "action_deadline"),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_bad_answers_are_refused_through_the_page(released, data, field):
    w = released
    proposal = _post(w)
    form = AnswerForm(data, unit=w.dept_a1)
    assert not form.is_valid() and field in form.errors
    response = _client(w.users["deptleader"]).post(
        reverse("followup:proposal_answer", args=[proposal.pk]), data
    )
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "open" and not Action.objects.exists()


def test_passing_up_moves_the_answer_to_the_leader_above(released):
    w = released
    proposal = _post(w)
    services.proposal_answer(
        actor=w.users["deptleader"], proposal=proposal, decision="passed_up", text="Større sag"
    )
    proposal.refresh_from_db()
    assert proposal.handler_unit == w.centre_a and proposal.status == "open"
    assert not selectors.can_answer(w.users["deptleader"], proposal)
    assert selectors.can_answer(w.users["leader"], proposal)
    # No leader above the centre (the root has none in this world): refused, nothing changes.
    with pytest.raises(services.FollowupError):
        services.proposal_answer(actor=w.users["leader"], proposal=proposal, decision="passed_up")
    services.proposal_answer(
        actor=w.users["leader"],
        proposal=proposal,
        decision="parked",
        parked_until=timezone.localdate() + dt.timedelta(days=90),
    )
    proposal.refresh_from_db()
    assert proposal.status == "parked"


def test_one_support_each_and_only_from_the_unit(released):
    w = released
    proposal = _post(w)
    employee = w.users["employee"].person
    assert services.proposal_support(person=employee, proposal=proposal) == 1
    assert services.proposal_support(person=employee, proposal=proposal) == 1
    assert services.proposal_support(person=w.users["deptleader"].person, proposal=proposal) == 2
    assert selectors.has_supported(w.users["employee"], proposal)
    assert not selectors.can_support(w.users["other_leader"], proposal)
    assert (
        _client(w.users["other_leader"])
        .post(reverse("followup:proposal_support", args=[proposal.pk]))
        .status_code
        == 404
    )
    assert services.proposal_support(person=employee, proposal=proposal, support=False) == 1
    assert ProposalVote.objects.count() == 1
    assert "person" not in {f.name for f in ProposalVote._meta.concrete_fields}


def test_age_of_unanswered_proposals_is_shown_and_escalated_after_30_days(released):
    w = released
    proposal = _post(w)
    Proposal.objects.filter(pk=proposal.pk).update(created_on=timezone.localdate() - dt.timedelta(days=40))
    proposal.refresh_from_db()
    assert selectors.escalated(proposal)
    page = _client(w.users["leader"]).get(reverse("followup:proposals") + "?vis=ubesvarede").content.decode()
    assert "40 dage" in page and "over 30 dage uden svar" in page
