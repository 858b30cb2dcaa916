"""Issue 9, attack class 4, counts across pages and trees: the response-rate pages (HTML and
API) read the results' one disclosure decision (kerne.results.rollup.round_results), so
that no subtraction across the rates and results pages, no reorganisation during a round
and no polling of a live page reveals a group of 1 to k−1 respondents.

Every number is read through the real pages and API as HR sees them; rounds are launched,
answered (through the real submission) and closed through the services.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.accounts.models import ApiToken, hash_token
from kerne.organisation import services as org_services
from kerne.organisation.models import Unit, UnitKind
from kerne.results import rollup
from kerne.surveys import services
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Evaluation, Invitation, Round
from kerne.surveys.submission import new_nonce, open_response_submit
from tests.factories import make_engagement, make_hr, make_person, make_unit
from tests.surveys.factories import answer, full_answers, make_evaluation, make_invitation, make_round

pytestmark = pytest.mark.django_db

K = 5
LONG_AGO = dt.date(2020, 1, 1)


# --- Reading what HR sees ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One row of a rates surface: the invitation count and the respondents (None: hidden)."""

    invited: int | None
    answered: int | None
    percent: int | None = None


class _RatesTable(HTMLParser):
    """The rates page's rows (data-key → cell texts, the label first) and its total line."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.total = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_total = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        key = attributes.get("data-key")
        if tag == "tr" and key:
            self._row = self.rows.setdefault(key, [])
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "p" and "rates-total" in (attributes.get("class") or ""):
            self._in_total = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "p":
            self._in_total = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_total:
            self.total += data


def _number(text: str) -> int | None:
    if text == "skjult":
        return None
    return int(text.removesuffix("%").strip())


def page_rows(client: Client, round_: Round) -> tuple[dict[str, Shown], str]:
    """Every row of the HTML rates page, and its total line."""
    response = client.get(reverse("surveys:round_rates", args=[round_.pk]))
    assert response.status_code == 200
    table = _RatesTable()
    table.feed(response.content.decode())
    rows: dict[str, Shown] = {}
    for key, cells in table.rows.items():
        if len(cells) == 4:  # label, invited, answered, rate
            rows[key] = Shown(int(cells[1]), _number(cells[2]), _number(cells[3]))
        elif len(cells) == 2:  # open survey: label, answers
            rows[key] = Shown(None, _number(cells[1]))
        else:  # a 360 leader's row: label, invited, "see the rater groups below"
            assert len(cells) == 3 and key.startswith("e"), cells
    return rows, " ".join(table.total.split())


def api_client(user: Any) -> Client:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def api_rows(client: Client, round_: Round) -> tuple[dict[str, Shown], dict[str, Any]]:
    """Every row of the API's round status, and the status itself."""
    status = client.get(f"/api/surveys/rounds/{round_.pk}/status").json()
    rows = {}
    for row in status["groups"]:
        if row["kind"] == "evaluation":
            continue
        percent = None if row["rate"] is None else round(100 * row["rate"])
        rows[row["key"]] = Shown(row["invited"], row["answered"], percent)
    return rows, status


def rates_rows(page: Client, api: Client, round_: Round) -> dict[str, Shown]:
    """The rows of the rates page, checked to be the API's rows (they are one surface twice)."""
    html, _total = page_rows(page, round_)
    json_rows, _status = api_rows(api, round_)
    assert html.keys() == json_rows.keys()
    for key, row in html.items():
        api_row = json_rows[key]
        assert row.answered == api_row.answered, key
        assert row.invited in (None, api_row.invited), key
        assert row.percent == api_row.percent, key
    return json_rows


def results_unit(api: Client, round_: Round, unit_id: int) -> dict[str, Any]:
    response = api.get(f"/api/results/rounds/{round_.pk}/units/{unit_id}")
    assert response.status_code == 200, response.content[:300]
    return response.json()["total"]


def results_groups(api: Client, round_: Round, evaluation: Evaluation) -> dict[str, int | None]:
    response = api.get(f"/api/results/rounds/{round_.pk}/evaluations/{evaluation.pk}")
    assert response.status_code == 200, response.content[:300]
    return {group["key"]: group["respondents"] for group in response.json()["groups"]}


@pytest.fixture
def hr() -> tuple[Client, Client]:
    user = make_hr()
    page = Client()
    page.force_login(user)
    return page, api_client(user)


# --- Building rounds through the services ------------------------------------------------------


def staff(unit: Unit, count: int) -> None:
    for i in range(count):
        make_engagement(make_person(f"{unit.name} {i + 1}"), unit, valid_from=LONG_AGO)


def launch(target: Unit, capture: Callable[..., Any], **extra: Any) -> Round:
    now = timezone.now()
    instrument = extra.pop("instrument", "social_capital")
    prepare = extra.pop("prepare", None)
    round_ = services.round_create(
        actor=None,
        name="Trivsel",
        instrument=shipped_instrument(instrument),
        target_unit=target,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=timezone.localdate(),
        k=K,
        **extra,
    )
    if prepare is not None:
        prepare(round_)
    with capture(execute=True):
        services.round_launch(actor=None, round=round_)
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN
    return round_


def answer_in(round_: Round, unit: Unit, count: int) -> None:
    """`count` people of `unit` (invited there at the cut-off) answer, through the submission."""
    waiting = Invitation.objects.filter(round=round_, unit=unit, answered=False).order_by("pk")[:count]
    invitations = list(waiting)
    assert len(invitations) == count
    for invitation in invitations:
        answer(invitation)


def close(round_: Round, capture: Callable[..., Any]) -> None:
    with capture(execute=True):
        services.round_close(actor=None, round=round_)
    round_.refresh_from_db()
    rollup.clear_memo()


def next_bucket() -> None:
    """As when the next live bucket begins: the results are computed afresh."""
    rollup.clear_memo()


# --- The regression tests --------------------------------------------------------------------------


def test_class4_rates_page_equals_results_after_close(hr, django_capture_on_commit_callbacks):
    """A unit of 5 invited with 4 answers was shown "4 of 5" on the rates page (it decided on
    invitations), while the results hide it (4 respondents < k): the results' total minus
    the rates page's counts gave a hidden group. After close every count on the rates page
    (HTML and API) is the results' count for the same group, or hidden on both; so too in
    a 360 and an open-link round, and after a reorganisation during the round."""
    page, api = hr
    capture = django_capture_on_commit_callbacks

    # A unit round: a centre with a leader, a shown department with a pooled team of 2, a
    # team of 5 with 3 answers, a unit of 5 with 4 answers.
    centre = make_unit("Center", valid_from=LONG_AGO)
    department = make_unit("Afdeling", parent=centre, valid_from=LONG_AGO)
    pair = make_unit("Makkerpar", parent=department, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    three = make_unit("Team tre", parent=centre, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    four = make_unit("Team fire", parent=centre, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    for unit, count in ((centre, 1), (department, 7), (pair, 2), (three, 5), (four, 5)):
        staff(unit, count)
    round_ = launch(centre, capture)
    for unit, count in ((centre, 1), (department, 6), (pair, 2), (three, 3), (four, 4)):
        answer_in(round_, unit, count)
    # A reorganisation during the round: the team of three moves, a new unit appears.
    org_services.unit_move(actor=None, unit=three, new_parent=department)
    make_unit("Nyt team", parent=centre, valid_from=LONG_AGO)
    close(round_, capture)

    rows = rates_rows(page, api, round_)
    assert set(rows) == {str(u.pk) for u in (centre, department, pair, three, four)}
    for key, row in rows.items():
        total = results_unit(api, round_, int(key))
        assert row.answered == total["respondents"], key
        if total["invited"] is not None:
            assert row.invited == total["invited"], key
        if total["rate"] is not None:
            assert row.percent == round(100 * total["rate"]), key
        else:
            assert row.percent is None, key
    # What that means here: the centre (16) and the department with its pooled pair (8).
    assert rows[str(centre.pk)].answered == 16 and rows[str(department.pk)].answered == 8
    assert rows[str(four.pk)] == Shown(5, None, None) and rows[str(three.pk)].answered is None
    html, total_line = page_rows(page, round_)
    assert "16 af 20 har svaret (80 %)" in total_line and html[str(four.pk)].answered is None

    # A 360 round: per evaluation and rater group, as the evaluation's results show them.
    leader = make_person("Lise Leder")
    round_360 = make_round(target=centre, instrument="leadership_360", k=K)
    evaluation = make_evaluation(round_360, leader=leader)
    plan = (("self", 1, 1), ("manager", 1, 1), ("peer", 3, 2), ("employee", 7, 6))
    for rater_group, invited, answered in plan:
        for i in range(invited):
            invitation, _token = make_invitation(round_360, rater_group=rater_group, evaluation=evaluation)
            if i < answered:
                answer(invitation)
    close(round_360, capture)
    rows_360 = rates_rows(page, api, round_360)
    groups = results_groups(api, round_360, evaluation)
    assert {key.removeprefix(f"e{evaluation.pk}-") for key in rows_360} == set(groups)
    for key, respondents in groups.items():
        assert rows_360[f"e{evaluation.pk}-{key}"].answered == respondents, key
    # The employees (6) would leave the 2 peers by subtraction from all but the leader (9).
    assert groups["others"] == 9 and groups["manager"] == 1
    assert groups["employee"] is None and groups["peer"] is None

    # An open-link round with nested links: responses per link unit, as the results count them.
    service = make_unit("Borgerservice", valid_from=LONG_AGO)
    library = make_unit("Bibliotek", parent=service, valid_from=LONG_AGO)
    branch = make_unit("Filial", parent=library, valid_from=LONG_AGO)
    pool = make_unit("Svømmehal", parent=service, valid_from=LONG_AGO)

    def links(round_: Round) -> None:
        services.open_links_set(actor=None, round=round_, units=[service, library, branch, pool])

    round_open = launch(service, capture, instrument="citizen", mode=Round.Mode.OPEN_LINK, prepare=links)
    answers = full_answers(round_open.instrument)
    for link in round_open.open_links.select_related("unit"):
        count = {service.pk: 2, library.pk: 6, branch.pk: 1, pool.pk: 6}[link.unit_id]
        for _ in range(count):
            result = open_response_submit(
                slug=link.slug, nonce=new_nonce(round_open.pk), answers=answers, comments={}, language="da"
            )
            assert result.stored
    close(round_open, capture)
    rows_open = rates_rows(page, api, round_open)
    assert set(rows_open) == {str(u.pk) for u in (service, library, branch, pool)}
    for key, row in rows_open.items():
        assert row.answered == results_unit(api, round_open, int(key))["respondents"], key
    assert rows_open[str(service.pk)].answered == 15 and rows_open[str(branch.pk)].answered is None


def test_class4_reorganisation_during_round_changes_nothing_shown(hr, django_capture_on_commit_callbacks):
    """A hidden team (5 invited, 3 answers) moved under a shown department (6 answers) while
    the round runs: counted on today's tree, the department would show 9, and 9 − 6 = 3 is
    the hidden team (the old rates page even showed the team itself after the move). The
    rates page counts on the round's tree as it was at launch: nothing it shows changes."""
    page, api = hr
    centre = make_unit("Center", valid_from=LONG_AGO)
    department = make_unit("Afdeling", parent=centre, valid_from=LONG_AGO)
    hidden = make_unit("Skjult team", parent=centre, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    other = make_unit("Andet team", parent=centre, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    for unit, count in ((centre, 2), (department, 7), (hidden, 5), (other, 6)):
        staff(unit, count)
    # Two rounds launched alike; the second is looked at only after the move, so its tree
    # can only be the one frozen at launch.
    round_ = launch(centre, django_capture_on_commit_callbacks)
    unseen = launch(centre, django_capture_on_commit_callbacks)
    for r in (round_, unseen):
        for unit, count in ((department, 6), (hidden, 3), (other, 5)):
            answer_in(r, unit, count)

    before = rates_rows(page, api, round_)
    html_before = page_rows(page, round_)
    assert before[str(department.pk)].answered == 6 and before[str(hidden.pk)].answered is None
    assert before[str(centre.pk)].answered == 14

    org_services.unit_move(actor=None, unit=hidden, new_parent=department)
    next_bucket()
    after = rates_rows(page, api, round_)
    assert after == before
    assert page_rows(page, round_) == html_before
    assert rates_rows(page, api, unseen) == before


def test_class4_360_rates_do_not_reveal_peer_count(hr):
    """In a 360, the rates page showed the employees (6 invited ≥ k) while the results show
    all raters but the leader and the manager: others − manager − employees = the peers who
    answered. Now, over everything the rates page, its API and the evaluation's results
    show, the peers are never derivable as 1 to k−1, for any number of peer answers."""
    page, api = hr
    target = make_unit("Center", valid_from=LONG_AGO)
    round_ = make_round(target=target, instrument="leadership_360", k=K)
    evaluations: dict[int, Evaluation] = {}
    for peers_answered in range(5):
        evaluation = make_evaluation(round_, leader=make_person(f"Leder {peers_answered}"))
        evaluations[peers_answered] = evaluation
        for rater_group, invited, answered in (
            ("self", 1, 1),
            ("manager", 1, 1),
            ("peer", 4, peers_answered),
            ("employee", 6, 6),
        ):
            for i in range(invited):
                invitation, _token = make_invitation(round_, rater_group=rater_group, evaluation=evaluation)
                if i < answered:
                    answer(invitation)

    def check() -> None:
        rows = rates_rows(page, api, round_)
        for peers_answered, evaluation in evaluations.items():
            known: dict[str, int] = {}
            surfaces = (
                {key.removeprefix(f"e{evaluation.pk}-"): row.answered for key, row in rows.items()},
                results_groups(api, round_, evaluation),
            )
            for surface in surfaces:
                for group, value in surface.items():
                    if value is None or group not in ("self", "others", "manager", "peer", "employee"):
                        continue
                    assert known.setdefault(group, value) == value, (group, surfaces)
            # All raters but the leader are shown (9 + the peers): the attack has its start.
            assert known["others"] == 7 + peers_answered and known["manager"] == 1
            members = ("manager", "peer", "employee")
            for missing in members:
                rest = [g for g in members if g != missing]
                if missing not in known and all(g in known for g in rest):
                    known[missing] = known["others"] - sum(known[g] for g in rest)
            assert not 0 < known.get("peer", 0) < K, (peers_answered, known)
            assert not 0 < known.get("employee", 0) < K, (peers_answered, known)

    check()
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.CLOSED)
    round_.refresh_from_db()
    rollup.clear_memo()
    check()


def test_class4_polling_does_not_show_each_arrival(hr, django_capture_on_commit_callbacks, monkeypatch):
    """Polling a live rates page showed each answer arrive (5 → 6 → 7). The numbers now
    come from the results of the current live bucket (30 minutes): two answers arriving
    within one bucket change nothing shown until the next bucket begins."""
    page, api = hr
    clock = {"now": 0.0}
    monkeypatch.setattr(rollup.time, "time", lambda: clock["now"])
    seconds = 1800
    bucket_start = 1_000 * seconds
    clock["now"] = bucket_start + 60.0

    centre = make_unit("Center", valid_from=LONG_AGO)
    team = make_unit("Team", parent=centre, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    staff(team, 10)
    round_ = launch(centre, django_capture_on_commit_callbacks)
    answer_in(round_, team, 5)
    first = rates_rows(page, api, round_)
    first_page = page_rows(page, round_)
    assert first[str(team.pk)].answered == 5

    answer_in(round_, team, 1)
    clock["now"] = bucket_start + 600.0
    assert rates_rows(page, api, round_) == first
    answer_in(round_, team, 1)
    clock["now"] = bucket_start + seconds - 1.0
    assert rates_rows(page, api, round_) == first
    assert page_rows(page, round_) == first_page

    clock["now"] = bucket_start + seconds  # the next bucket: both arrivals at once
    assert rates_rows(page, api, round_)[str(team.pk)].answered == 7
    assert re.search(r"Næste gang tallene kan skifte: kl\. \d\d:\d\d", page_rows_html(page, round_))


def page_rows_html(client: Client, round_: Round) -> str:
    return client.get(reverse("surveys:round_rates", args=[round_.pk])).content.decode()
