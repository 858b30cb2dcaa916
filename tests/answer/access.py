"""Access cases for the public answer pages (namespace `answer`, /svar/): everyone, no login.

A personal answer page is reached by its token alone; an open survey by its link.
"""

from __future__ import annotations

from tests.access import OK, Case, World, everyone


def _token(world: World) -> dict[str, str]:
    from tests.surveys.factories import make_invitation, make_round

    round = make_round(target=world.dept_a1)
    _, token = make_invitation(round, unit=world.dept_a1)
    return {"token": token}


def _open_link(world: World) -> dict[str, str]:
    from kerne.surveys.models import Round
    from tests.surveys.factories import make_open_link, make_round

    round = make_round(instrument="citizen", target=world.dept_a1, mode=Round.Mode.OPEN_LINK)
    return {"slug": make_open_link(round, unit=world.dept_a1).slug}


ACCESS = {
    "answer:token": Case(everyone(OK), kwargs=_token),
    "answer:open": Case(everyone(OK), kwargs=_open_link),
    "answer:code": Case(everyone(OK)),
    "answer:receipt": Case(everyone(OK)),
}
