"""Survey results as indicator values: one value per round for an instrument dimension and a unit.

Anonymity and access are never decided here. The values come from the results app's
`kerne.results.selectors.trend(user, instrument, unit)`: the unit's (with everything below it)
dimension means over the closed rounds of the instrument that *this user* may see, with the
minimum group size k and complementary suppression applied (DESIGN §3). A round the user may
not see is left out; a suppressed score stays empty with the reason "hidden to protect
anonymity", never a number. Each value is dated by the round's cut-off date.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kerne.goals.formulas import Value, no_value

if TYPE_CHECKING:
    from kerne.accounts.roles import AnyUser
    from kerne.goals.models import Indicator
    from kerne.organisation.models import Unit


def round_value(score: float | None, hidden: bool) -> Value:
    """One round's value for an indicator: hidden stays hidden, missing stays missing."""
    if hidden:
        return no_value("anonymity")
    if score is None:
        return no_value("no_data")
    return Value(float(score))


def dimension_series(indicator: Indicator, unit: Unit, user: AnyUser | None) -> dict[dt.date, Value]:
    """One value per closed round of the dimension's instrument that the user may see."""
    from kerne.results.selectors import trend
    from kerne.surveys.models import Round

    dimension = indicator.survey_dimension
    if dimension is None or user is None or not user.is_authenticated:
        return {}
    points = trend(user, dimension.instrument, unit)
    dates = dict(Round.objects.filter(pk__in=[p.round_id for p in points]).values_list("pk", "cut_off_date"))
    series: dict[dt.date, Value] = {}
    for point in points:
        score = point.dimensions.get(dimension.key)
        # `respondents` is None when the unit's group is suppressed; a missing score in a shown
        # group means the dimension itself has fewer than k answers: hidden as well.
        series[dates[point.round_id]] = round_value(score, hidden=score is None)
    return series


def missing_reason(
    indicator: Indicator, unit: Unit, user: AnyUser | None, series: dict[dt.date, Value]
) -> str:
    """Why the unit has no survey value to show, in words for the indicator page ("" when the
    latest round has one). Access comes first: a value the user may not see is never described
    as missing data."""
    from django.utils.translation import gettext as _

    from kerne.accounts.roles import sees_whole_tree
    from kerne.results import selectors as results
    from kerne.surveys.models import Round

    dimension = indicator.survey_dimension
    if dimension is None:
        return _("Indikatoren er ikke knyttet til en dimension i en spørgeramme.")
    if user is None or not results.may_see_results_of_unit(user, unit):
        return _(
            "Du kan ikke se resultaterne for %(unit)s: de vises for dem, der leder enheden eller en "
            "enhed over den, for enhedens egne medarbejdere og for HR og direktionen."
        ) % {"unit": unit.name}
    if series:
        latest = series[max(series)]
        if latest.value is None and latest.reason == "anonymity":
            return _(
                "Den seneste værdi er skjult for at beskytte anonymiteten: for få har svaret i "
                "%(unit)s og enhederne under den."
            ) % {"unit": unit.name}
        return ""
    closed = Round.objects.filter(instrument__key=dimension.instrument.key, status=Round.Status.CLOSED)
    latest_round = closed.order_by("-opens_at").first()
    if latest_round is None:
        return _("Der er ingen lukket måling med spørgerammen endnu.")
    if not closed.filter(released=True).exists() and not sees_whole_tree(user):
        return _("Resultaterne af %(round)s er ikke frigivet endnu.") % {"round": latest_round.name}
    return _("%(unit)s var ikke med i nogen lukket måling med spørgerammen.") % {"unit": unit.name}


def default_unit(indicator: Indicator, unit: Unit, user: AnyUser | None) -> Unit | None:
    """For a survey indicator whose unit's results the user may not see (a centre head looking at
    the municipality's indicator): the user's own unit inside it to show instead, else None."""
    from kerne.results import selectors as results

    if not indicator.is_survey or user is None or not user.is_authenticated:
        return None
    if results.may_see_results_of_unit(user, unit):
        return None
    return results.results_unit_for(user, unit)
