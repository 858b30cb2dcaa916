"""Role × URL matrix for the follow-up pages (see tests/access.py for the world).

A meeting case is seen by the leaders of its unit and above and by HR and the executive
board; only a leader records the meeting; HR sets the deadline (POST only).
"""

from __future__ import annotations

import datetime as dt

from kerne.followup.models import MeetingCase, RoundFollowup
from kerne.followup.services import action_create, proposal_post
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


def _action_a1(w: World) -> dict[str, int]:
    """An action of dept A1 (where `employee` works; below `leader`'s centre A)."""
    action = action_create(
        actor=None,
        unit=w.dept_a1,
        title="Handling",
        description="",
        owner=None,
        deadline=dt.date.today() + dt.timedelta(days=10),
    )
    return {"pk": action.pk}


def _proposal_a1(w: World) -> dict[str, object]:
    """A proposal from `employee` to dept A1 (no leader of its own: centre A's leader answers it)."""
    user = w.users["employee"]
    assert user is not None
    proposal = proposal_post(author=user.person, unit=w.dept_a1, what="Forslag", why="Fordi", effect="Bedre")
    return {"pk": proposal.pk}


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
    "followup:actions": Case(logged_in(OK)),
    # Created by leaders, for the units they lead (whole-tree roles as such lead none).
    "followup:action_create": Case({**logged_in(DENIED), "leader": OK, "other_leader": OK}),
    # Seen by the unit's employees, its leaders and above, HR and the executive board.
    "followup:action": Case({**whole_tree_only(), "employee": OK, "leader": OK}, _action_a1),
    # Edited by the owner and the leaders of the unit and above.
    "followup:action_edit": Case({**logged_in(DENIED), "leader": OK}, _action_a1),
    # POST only (the edit rule is checked on POST: tests/followup/test_actions.py).
    "followup:action_status": Case(logged_in(NOT_ALLOWED), _action_a1),
    "followup:action_note": Case(logged_in(NOT_ALLOWED), _action_a1),
    "followup:proposals": Case(logged_in(OK)),
    # Posted by anyone engaged in a unit, to that unit (whole-tree roles as such have none).
    "followup:proposal_create": Case({**logged_in(OK), "hr": DENIED, "executive": DENIED, "admin": DENIED}),
    "followup:proposal": Case({**whole_tree_only(), "employee": OK, "leader": OK}, _proposal_a1),
    # Answered by the leaders of the unit that handles it (here centre A's).
    "followup:proposal_answer": Case({**logged_in(DENIED), "leader": OK}, _proposal_a1),
    "followup:proposal_hide": Case(logged_in(NOT_ALLOWED), _proposal_a1),
    "followup:proposal_support": Case(logged_in(NOT_ALLOWED), _proposal_a1),
    "followup:round": Case(whole_tree_only(), _followup),
    "followup:deadline": Case(
        {**logged_in(DENIED), "anonymous": LOGIN, "hr": NOT_ALLOWED, "admin": NOT_ALLOWED}, _followup
    ),
}
