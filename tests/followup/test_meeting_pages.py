"""The dialogue meeting pages through the test client: guide, projector, PDF, recording, deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.followup.models import Meeting, MeetingCase, RoundFollowup
from kerne.followup.questions import QUESTIONS

pytestmark = pytest.mark.django_db

DECIMAL = re.compile(r"\d+,\d")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(world, unit) -> MeetingCase:
    return MeetingCase.objects.get(followup__round=world.extra["round"], unit=unit)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_leader_finds_the_case_and_the_guide(released):
    w = released
    client = _client(w.users["deptleader"])
    case = _case(w, w.dept_a1)
    index = client.get(reverse("followup:index")).content.decode()
    assert reverse("followup:case", args=[case.pk]) in index
    page = client.get(reverse("followup:guide", args=[case.pk])).content.decode()
    assert "Tillid i enheden" in page and "Retfærdighed" in page
    assert QUESTIONS["justice-linking"][0].da in page
    assert "Kommentar 3 fra A1" in page
    assert "+25,0" in page or "+25" in page  # a change beyond the 5-point rule


@pytest.mark.parametrize(
    ("role", "unit_name", "source"),
    [
        ("deptleader", "dept_a1", "dept_a1"),
        ("leader", "team_a1x", "dept_a1"),  # hidden unit: the nearest shown unit above it
        ("leader", "centre_a", "centre_a"),
        ("hr", "centre_b", "centre_b"),
    ],
)
def test_the_guide_shows_no_number_the_results_page_hides(released, role, unit_name, source):
    """Every decimal number on the guide, its projector page and the leader's view is one the
    same viewer's results page for the guide's source unit shows: the guide adds no statistic
    to what the results pages (checked by the exact attacker in tests/results) already show."""
    w = released
    client = _client(w.users[role])
    case = _case(w, getattr(w, unit_name))
    round_ = w.extra["round"]
    results = client.get(reverse("results:unit", args=[round_.pk, getattr(w, source).pk]))
    assert results.status_code == 200
    shown = set(DECIMAL.findall(_text(results.content.decode())))
    for name in ("followup:guide", "followup:projector"):
        page = _text(client.get(reverse(name, args=[case.pk])).content.decode())
        numbers = set(DECIMAL.findall(page))
        assert numbers, name
        assert numbers <= shown, (name, numbers - shown)


def test_the_team_leader_of_a_hidden_unit_gets_questions_and_no_numbers(released):
    w = released
    client = _client(w.users["teamleader"])
    case = _case(w, w.team_a1x)
    page = _text(client.get(reverse("followup:guide", args=[case.pk])).content.decode())
    assert "for få svarede" in page
    assert not DECIMAL.findall(page)
    assert "Hvad overrasker jer i resultatet" in page  # general questions


def test_projector_and_pdf(released):
    w = released
    client = _client(w.users["deptleader"])
    case = _case(w, w.dept_a1)
    page = client.get(reverse("followup:projector", args=[case.pk])).content.decode()
    assert page.count('class="guide-section"') == 7 and "projector.css" in page
    pdf = client.get(reverse("followup:guide_pdf", args=[case.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_leader_records_the_meeting(released):
    w = released
    client = _client(w.users["deptleader"])
    case = _case(w, w.dept_a1)
    url = reverse("followup:meeting_record", args=[case.pk])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"held_on": today, "participants": "9", "agreed": "Vi holder tavlemøder"})
    assert response.status_code == 302
    meeting = Meeting.objects.get(case=case)
    assert meeting.participants == 9 and meeting.recorded_by == w.users["deptleader"]
    page = client.get(reverse("followup:case", args=[case.pk])).content.decode()
    assert "Vi holder tavlemøder" in page and "Holdt" in page


def test_bad_meeting_input_shows_a_message_and_saves_nothing(released):
    w = released
    client = _client(w.users["deptleader"])
    case = _case(w, w.dept_a1)
    url = reverse("followup:meeting_record", args=[case.pk])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"held_on": future, "participants": "Anna, Bo", "agreed": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "datoen ligger i fremtiden" in page and "Indtast et heltal" in page
    assert not Meeting.objects.exists()


def test_hr_sees_the_round_and_moves_the_deadline(released):
    w = released
    followup = RoundFollowup.objects.get(round=w.extra["round"])
    client = _client(w.users["hr"])
    page = client.get(reverse("followup:round", args=[followup.pk])).content.decode()
    assert "Team A1x" in page and "Center B" in page
    url = reverse("followup:deadline", args=[followup.pk])
    too_early = (followup.released_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"deadline": too_early}, follow=True)
    assert "før resultaterne blev frigivet" in response.content.decode()
    followup.refresh_from_db()
    assert followup.deadline > followup.released_on
    new = followup.deadline + dt.timedelta(days=7)
    client.post(url, {"deadline": new.isoformat()})
    followup.refresh_from_db()
    assert followup.deadline == new
    # The executive board reads the round but may not move the deadline.
    executive = _client(w.users["executive"])
    assert executive.get(reverse("followup:round", args=[followup.pk])).status_code == 200
    assert executive.post(url, {"deadline": too_early}).status_code == 403
