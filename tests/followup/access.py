"""Role × URL matrix for the follow-up pages (see tests/access.py for the world).

A meeting case is seen by the leaders of its unit and above and by HR and the executive
board; only a leader records the meeting; HR sets the deadline (POST only).
"""

from __future__ import annotations

from kerne.followup.models import MeetingCase, RoundFollowup
from kerne.results.rollup import clear_memo
from kerne.results.services import round_release
from kerne.surveys.instruments import shipped_instrument
from tests.access import DENIED, LOGIN, NOT_ALLOWED, OK, Case, World, logged_in, whole_tree_only
from tests.followup.helpers import NOW, fill_round
from tests.results.factories import make_round


def released_followup(w: World) -> RoundFollowup:
    if "followup" not in w.extra:
        round_ = make_round(shipped_instrument("social_capital"), w.root)
        fill_round(round_, w, NOW)
        round_release(actor=w.users["hr"], round=round_)
        clear_memo()
        w.extra["followup"] = RoundFollowup.objects.get(round=round_)
    return w.extra["followup"]


def _case_a(w: World) -> dict[str, int]:
    """The meeting case of centre A (led by `leader`)."""
    followup = released_followup(w)
    return {"pk": MeetingCase.objects.get(followup=followup, unit=w.centre_a).pk}


def _followup(w: World) -> dict[str, int]:
    return {"pk": released_followup(w).pk}


def _leader_of_a_and_whole_tree() -> dict[str, str]:
    return {**whole_tree_only(), "leader": OK}


ACCESS = {
    "followup:index": Case(logged_in(OK)),
    "followup:case": Case(_leader_of_a_and_whole_tree(), _case_a),
    "followup:guide": Case(_leader_of_a_and_whole_tree(), _case_a),
    "followup:projector": Case(_leader_of_a_and_whole_tree(), _case_a),
    "followup:guide_pdf": Case(_leader_of_a_and_whole_tree(), _case_a),
    # Recorded by a leader of the unit or above it; HR and the executive board only read.
    "followup:meeting_record": Case({**logged_in(DENIED), "leader": OK}, _case_a),
    "followup:round": Case(whole_tree_only(), _followup),
    "followup:deadline": Case(
        {**logged_in(DENIED), "anonymous": LOGIN, "hr": NOT_ALLOWED, "admin": NOT_ALLOWED}, _followup
    ),
}
