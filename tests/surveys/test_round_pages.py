"""HR round pages: create, preview, 360 raters, launch, live rates, remind, close, paper codes, links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.surveys import selectors, services
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Evaluation, Invitation, RaterGroup, Round
from tests.factories import make_hr, make_person, make_unit
from tests.surveys.factories import answer, make_invitation, make_open_link, make_round
from tests.surveys.small_org import build_small_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client() -> Client:
    client = Client()
    client.force_login(make_hr())
    return client


def _form(unit, instrument="social_capital", **overrides):
    now = timezone.localtime()
    data = {
        "name": "Trivsel 2026",
        "instrument": shipped_instrument(instrument).pk,
        "target_unit": unit.pk,
        "mode": "invited",
        "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "cut_off_date": now.date().isoformat(),
        "k": "5",
        "comment_k": "5",
        "languages": ["da", "en"],
    }
    data.update(overrides)
    return data


def test_hr_creates_a_draft_round(hr_client):
    org = build_small_org()
    response = hr_client.post(reverse("surveys:round_create"), _form(org.health))
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "surveys:round_detail", args=[round_.pk]
    )
    assert (round_.status, round_.k, round_.target_unit) == ("draft", 5, org.health)
    page = hr_client.get(response["Location"]).content.decode()
    assert "Trivsel 2026" in page and "21 personer inviteres" in page


def test_k_below_3_is_refused_on_the_page(hr_client):
    org = build_small_org()
    response = hr_client.post(reverse("surveys:round_create"), _form(org.health, k="2", comment_k="2"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Anonymitetsgrænsen k skal være mindst 3" in page
    assert not Round.objects.exists()


def test_editing_is_for_drafts(hr_client):
    org = build_small_org()
    round_ = make_round(target=org.health, status=Round.Status.DRAFT)
    response = hr_client.post(
        reverse("surveys:round_edit", args=[round_.pk]), _form(org.health, name="Nyt navn")
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.name == "Nyt navn"
    round_.status = Round.Status.OPEN
    round_.save()
    response = hr_client.get(reverse("surveys:round_edit", args=[round_.pk]))
    assert response.status_code == 302


def test_preview_is_the_answer_page_in_the_chosen_language_and_group(hr_client):
    org = build_small_org()
    round_ = make_round(target=org.health, instrument="leadership_360", status=Round.Status.DRAFT)
    item = round_.instrument.items.order_by("position").first()
    url = reverse("surveys:round_preview", args=[round_.pk])
    page = hr_client.get(url + "?sprog=en&gruppe=manager").content.decode()
    assert '<html lang="en">' in page
    assert 'id="not-anonymous-title"' in page  # the manager is told before answering
    assert item.wordings["manager"]["en"] in page
    assert page.count('class="answer-item') == round_.instrument.items.count()
    assert "answer.js" not in page  # nothing is kept in the browser from a preview
    page = hr_client.get(url + "?sprog=da&gruppe=employee").content.decode()
    assert item.wordings["employee"]["da"] in page and 'id="not-anonymous-title"' not in page
    posted = hr_client.post(url + "?sprog=da", {"q-" + item.key: "5"})
    assert posted.status_code == 200 and "Intet er sendt" in posted.content.decode()
    from kerne.surveys.models import Response

    assert not Response.objects.exists()


def test_choosing_leaders_and_editing_raters_on_the_pages(hr_client):
    org = build_small_org()
    round_ = make_round(target=org.health, instrument="leadership_360", status=Round.Status.DRAFT)
    url = reverse("surveys:round_evaluations", args=[round_.pk])
    page = hr_client.get(url).content.decode()
    assert "Hanne Hjemmeplejeleder" in page
    hr_client.post(url, {"leaders": [org.leaders["hanne"].pk, org.leaders["sara"].pk]})
    hanne = Evaluation.objects.get(round=round_, leader=org.leaders["hanne"])
    detail = reverse("surveys:evaluation_detail", args=[round_.pk, hanne.pk])
    page = hr_client.get(detail + "?q=Kim").content.decode()
    assert "Carl Centerchef" in page and "Kim Kulturchef" in page
    hr_client.post(detail, {"action": "add", "person": org.leaders["kim"].pk, "rater_group": "peer"})
    assert Invitation.objects.get(evaluation=hanne, person=org.leaders["kim"]).rater_group == "peer"
    tina = Invitation.objects.get(evaluation=hanne, person=org.leaders["tina"])
    response = hr_client.post(detail, {"action": "change", "invitation": tina.pk, "rater_group": "manager"})
    assert response.status_code == 302
    page = hr_client.get(detail).content.decode()
    assert "gruppe på én" in page  # the refusal is explained
    assert Invitation.objects.get(pk=tina.pk).rater_group == "employee"
    hr_client.post(detail, {"action": "remove", "invitation": tina.pk})
    assert not Invitation.objects.filter(pk=tina.pk).exists()


def test_launch_remind_close_through_the_pages(hr_client, django_capture_on_commit_callbacks):
    org = build_small_org()
    round_ = make_round(target=org.nursing, status=Round.Status.DRAFT)
    assert (
        "5 personer inviteres"
        in hr_client.get(reverse("surveys:round_launch", args=[round_.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("surveys:round_launch", args=[round_.pk]))
    assert response["Location"] == reverse("surveys:round_rates", args=[round_.pk])
    assert len(mail.outbox) == 5
    link = re.search(r"http://[^\s]+/svar/[^\s]+/", mail.outbox[0].body).group(0)
    assert link.startswith("http://127.0.0.1:8000/svar/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("surveys:round_remind", args=[round_.pk]))
    assert len(mail.outbox) == 5
    hr_client.post(reverse("surveys:round_close", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.status == "closed"


def _answered(round_, unit, invited, answered):
    for i in range(invited):
        invitation, _token = make_invitation(round_, unit=unit)
        if i < answered:
            answer(invitation)


def test_rates_are_hidden_below_k_and_the_page_says_why(hr_client):
    root = make_unit("Center")
    small = make_unit("Lille team", parent=root)
    big = make_unit("Stort team", parent=root)
    round_ = make_round(target=root)
    _answered(round_, small, 4, 3)
    _answered(round_, big, 9, 5)
    table = selectors.response_rates(round_)
    rows = {row.label: row for row in table.rows}
    assert rows["Lille team"].answered is None and rows["Lille team"].invited == 4
    # Showing the big team would reveal the small one by subtraction from the centre: hidden.
    assert rows["Stort team"].answered is None
    assert (rows["Center"].answered, rows["Center"].invited, rows["Center"].percent) == (8, 13, 62)
    url = reverse("surveys:round_rates", args=[round_.pk])
    page = hr_client.get(url).content.decode()
    assert "3 af 4" not in page and ">3<" not in page
    assert "skjult" in page and "Hvorfor er nogle tal skjult?" in page
    # The numbers change once per live bucket (30 minutes); the page polls for the next one.
    assert 'hx-trigger="every 60s"' in page and "højst én gang hvert 30. minut" in page
    partial = hr_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="rates"' in partial


def test_rates_of_a_360_round_per_rater_group(hr_client):
    from kerne.results import rollup

    org = build_small_org()
    round_ = make_round(target=org.health, instrument="leadership_360", status=Round.Status.DRAFT)
    services.evaluation_add(actor=None, round=round_, leader=org.leaders["hanne"])
    services.evaluation_add(actor=None, round=round_, leader=org.leaders["tina"])
    # A draft has no answers to count.
    assert selectors.response_rates(round_).rows == []
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
    round_.refresh_from_db()
    hanne = Evaluation.objects.get(round=round_, leader=org.leaders["hanne"]).pk
    for invitation in Invitation.objects.filter(round=round_, evaluation_id=hanne, rater_group="employee"):
        answer(invitation)
    answer(Invitation.objects.get(round=round_, evaluation_id=hanne, rater_group="manager"))

    def groups():
        rollup.clear_memo()  # the next live bucket
        table = selectors.response_rates(round_)
        return table, {row.key: row for row in table.rows if row.kind == "rater_group"}

    table, rows = groups()
    # As the evaluation's results show it (one decision): all raters but Hanne (10) = her
    # manager (1, not anonymous) + her 9 employees, and the residual, her peer, is 0.
    assert rows[f"e{hanne}-others"].answered == 10
    assert rows[f"e{hanne}-manager"].answered == 1
    assert rows[f"e{hanne}-employee"].answered == 9
    assert rows[f"e{hanne}-peer"].answered is None and rows[f"e{hanne}-peer"].invited == 1
    # Hanne has not answered herself: an empty group is hidden like any other, and so is the total.
    assert rows[f"e{hanne}-self"].answered is None and table.total.answered is None
    answer(Invitation.objects.get(round=round_, evaluation_id=hanne, rater_group="peer"))
    table, rows = groups()
    # One peer answered: others (11) − manager (1) − employees (9) would be 1, so the
    # employees are hidden as well (complementary suppression).
    assert rows[f"e{hanne}-others"].answered == 11 and rows[f"e{hanne}-employee"].answered is None
    assert rows[f"e{hanne}-peer"].answered is None
    page = hr_client.get(reverse("surveys:round_rates", args=[round_.pk])).content.decode()
    assert "Hanne Hjemmeplejeleder" in page and "Tina Teamleder" in page


def test_open_survey_counts_are_results_too(hr_client):
    from kerne.surveys.models import Response

    root = make_unit("Borgerservice")
    library = make_unit("Bibliotek", parent=root)
    round_ = make_round(target=root, instrument="citizen", mode=Round.Mode.OPEN_LINK)
    make_open_link(round_, unit=root)
    make_open_link(round_, unit=library)
    for unit, n in ((root, 2), (library, 6)):
        for _ in range(n):
            Response.objects.create(
                round=round_,
                unit=unit,
                rater_group="citizen",
                answers=b"\x03",
            )
    table = selectors.response_rates(round_)
    rows = {row.label: row for row in table.rows}
    # As the results count them: the centre with everything below it (8) is shown; the
    # library (6) would leave the centre's own 2 by subtraction, so it is hidden.
    assert table.total is rows["Borgerservice"] and table.total.answered == 8
    assert rows["Bibliotek"].answered is None and rows["Bibliotek"].depth == 1
    assert all(row.invited == 0 for row in table.rows)


def test_paper_sheet_has_codes_inside_and_names_outside(hr_client):
    org = build_small_org()
    round_ = make_round(target=org.homecare, status=Round.Status.DRAFT)
    services.round_launch(actor=None, round=round_)
    url = reverse("surveys:paper_codes", args=[round_.pk])
    assert hr_client.get(url).status_code == 200
    response = hr_client.post(url, {"unit": org.homecare.pk, "include_emailed": ""})
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert page.count('class="slip"') == 2
    assert page.count("<svg") == 2 and "/svar/kode/" in page
    codes = re.findall(r'class="slip-code">([0-9A-Z-]+)<', page)
    assert len(codes) == 2 and all(len(c) == 26 + 6 for c in codes)
    outside = re.findall(r'class="slip-outside">(.*?)</div>', page, re.S)
    assert all(org.staff["homecare"][0].name in o or org.staff["homecare"][1].name in o for o in outside)
    inside = re.findall(r'class="slip-inside">(.*?)</li>', page, re.S)
    assert not any(p.name in block for block in inside for p in org.staff["homecare"])


def test_open_links_page_and_poster(hr_client):
    org = build_small_org()
    round_ = make_round(
        target=org.root, instrument="citizen", mode=Round.Mode.OPEN_LINK, status=Round.Status.DRAFT
    )
    url = reverse("surveys:open_links", args=[round_.pk])
    hr_client.post(url, {"units": [org.library.pk, org.homecare.pk]})
    page = hr_client.get(url).content.decode()
    assert page.count("<svg") == 2 and "Biblioteket" in page
    link = round_.open_links.get(unit=org.library)
    poster = hr_client.get(reverse("surveys:open_link_poster", args=[round_.pk, link.pk])).content.decode()
    assert link.slug in poster and "<svg" in poster


def test_non_hr_cannot_reach_the_round_pages():
    org = build_small_org()
    round_ = make_round(target=org.health)
    client = Client()
    from tests.factories import make_user

    client.force_login(make_user(person=make_person()))
    assert client.get(reverse("surveys:round_rates", args=[round_.pk])).status_code == 403
    assert client.post(reverse("surveys:round_close", args=[round_.pk])).status_code == 403
    round_.refresh_from_db()
    assert round_.status == "open"
    assert RaterGroup.MANAGER.label
