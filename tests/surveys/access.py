"""Access matrix rows for the surveys app (tests/accounts/test_access_matrix.py walks them)."""

from __future__ import annotations

from typing import Any

from kerne.organisation.models import Person
from kerne.surveys.models import Round
from tests.access import NOT_ALLOWED, OK, Case, World, hr_only, logged_in
from tests.surveys.factories import make_evaluation, make_invitation, make_open_link, make_round


def _round(world: World, **extra: Any) -> Round:
    return make_round(target=world.centre_a, status=Round.Status.DRAFT, **extra)


def _draft(world: World) -> dict[str, Any]:
    return {"pk": _round(world).pk}


def _open(world: World) -> dict[str, Any]:
    return {"pk": make_round(target=world.centre_a).pk}


def _360(world: World) -> dict[str, Any]:
    return {"pk": _round(world, instrument="leadership_360").pk}


def _evaluation(world: World) -> dict[str, Any]:
    round_ = _round(world, instrument="leadership_360")
    return {"pk": round_.pk, "evaluation_pk": make_evaluation(round_, unit=world.centre_a).pk}


def _citizen(world: World) -> dict[str, Any]:
    return {"pk": _round(world, instrument="citizen", mode=Round.Mode.OPEN_LINK).pk}


def _poster(world: World) -> dict[str, Any]:
    round_ = make_round(target=world.centre_a, instrument="citizen", mode=Round.Mode.OPEN_LINK)
    return {"pk": round_.pk, "link_pk": make_open_link(round_, unit=world.dept_a1).pk}


def _own_invitation(world: World) -> dict[str, Any]:
    """The employee's own unanswered invitation in an open round."""
    round_ = make_round(target=world.centre_a)
    employee = Person.objects.get(user=world.users["employee"])
    invitation, _token = make_invitation(round_, person=employee, unit=world.dept_a1)
    return {"invitation_pk": invitation.pk}


# HR pages for rounds: HR/organisation consultants and administrators only. The executive
# board sees results (results app), not the machinery of running a round.
ACCESS = {
    "surveys:round_list": Case(hr_only()),
    "surveys:round_create": Case(hr_only()),
    "surveys:round_detail": Case(hr_only(), kwargs=_draft),
    "surveys:round_edit": Case(hr_only(), kwargs=_draft),
    "surveys:round_preview": Case(hr_only(), kwargs=_draft),
    "surveys:round_evaluations": Case(hr_only(), kwargs=_360),
    "surveys:evaluation_detail": Case(hr_only(), kwargs=_evaluation),
    "surveys:round_launch": Case(hr_only(), kwargs=_draft),
    "surveys:round_rates": Case(hr_only(), kwargs=_open),
    "surveys:round_remind": Case(hr_only(), kwargs=_open),
    "surveys:round_close": Case(hr_only(), kwargs=_open),
    "surveys:paper_codes": Case(hr_only(), kwargs=_open),
    "surveys:open_links": Case(hr_only(), kwargs=_citizen),
    "surveys:open_link_poster": Case(hr_only(), kwargs=_poster),
    # "Mine målinger": every logged-in user sees their own invitations (none for a user
    # without a person). "Svar nu" takes POST only (tests/surveys/test_my_surveys.py
    # checks that another person's invitation is a 404 there).
    "surveys:my_surveys": Case(logged_in(OK)),
    "surveys:my_survey_answer": Case(logged_in(NOT_ALLOWED), kwargs=_own_invitation),
}
