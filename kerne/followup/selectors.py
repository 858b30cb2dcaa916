"""Who sees and does what in the follow-up (issue 11; DESIGN §3 access).

Dialogue meetings
- A meeting case is seen by the leaders of its unit and of the units above it, and by HR
  and the executive board. The meeting is recorded by a leader of the unit or above it.
- The guide's numbers come only from kerne.results.selectors.result_for_user for the
  viewer: what the unit's results page would show them, never more. A unit whose own
  results are hidden gets the guide of the nearest unit above it whose results are shown
  *and* that the viewer may see (a leader never sees results beside or above their own
  part of the chain; then the guide has questions but no numbers, and says why).
- HR sets the meeting deadline of a round.

Views and the API never filter follow-up data with `Model.objects` themselves; they ask here.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.crypto import salted_hmac

from kerne.accounts.roles import AnyUser, is_hr, sees_whole_tree
from kerne.followup.guide import MeetingGuide, build_guide
from kerne.followup.models import Action, MeetingCase, Proposal, ProposalVote, RoundFollowup
from kerne.organisation import selectors as org
from kerne.organisation.models import Engagement, Person, Unit, subtree_upper_bound
from kerne.results.selectors import result_for_user

# --- the chain ---------------------------------------------------------------------------------


def leads(user: AnyUser, unit: Unit) -> bool:
    """The user leads `unit` or a unit above it (an actual leader; whole-tree roles as such do not)."""
    return any(unit.is_within(led) for led in org.led_units(user))


def led_subtree_q(user: AnyUser, field: str = "unit") -> Q:
    """Condition on a foreign key to Unit: the unit lies in a subtree the user leads."""
    condition = Q(pk__in=[])
    for led in org.led_units(user):
        condition |= Q(
            **{f"{field}__path__gte": led.path, f"{field}__path__lt": subtree_upper_bound(led.path)}
        )
    return condition


def seen_units_q(user: AnyUser, field: str = "unit") -> Q | None:
    """Units whose follow-up (actions, proposals) the user sees: None = all (HR, the executive board);
    else the subtrees they lead and their own units (DESIGN §3)."""
    if sees_whole_tree(user):
        return None
    condition = led_subtree_q(user, field)
    own = [u.pk for u in org.own_units(user)]
    if own:
        condition |= Q(**{f"{field}__in": own})
    return condition


# --- meeting cases ------------------------------------------------------------------------------


def can_see_case(user: AnyUser, case: MeetingCase) -> bool:
    return bool(user.is_authenticated and (sees_whole_tree(user) or leads(user, case.unit)))


def can_record_meeting(user: AnyUser, case: MeetingCase) -> bool:
    return bool(user.is_authenticated and leads(user, case.unit))


def can_set_deadline(user: AnyUser) -> bool:
    return is_hr(user)


def cases(user: AnyUser) -> QuerySet[MeetingCase]:
    """Every case the user may see."""
    query = MeetingCase.objects.select_related("unit", "followup", "followup__round", "meeting")
    if not user.is_authenticated:
        return query.none()
    if sees_whole_tree(user):
        return query
    return query.filter(led_subtree_q(user))


def my_cases(user: AnyUser) -> list[MeetingCase]:
    """Cases of the units the user leads directly: their own meetings to hold."""
    led = [u.pk for u in org.led_units(user)]
    if not led:
        return []
    query = MeetingCase.objects.select_related("unit", "followup", "followup__round").filter(unit_id__in=led)
    return sorted(query, key=lambda c: (hasattr(c, "meeting"), c.followup.deadline, c.unit.path))


def case_or_404(user: AnyUser, pk: int) -> MeetingCase:
    case = cases(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def round_followups(user: AnyUser) -> QuerySet[RoundFollowup]:
    if not sees_whole_tree(user):
        return RoundFollowup.objects.none()
    return RoundFollowup.objects.select_related("round")


def round_followup_or_404(user: AnyUser, pk: int) -> RoundFollowup:
    followup = round_followups(user).filter(pk=pk).first()
    if followup is None:
        raise Http404
    return followup


def meeting_guide(user: AnyUser, case: MeetingCase) -> MeetingGuide:
    """The guide for the case's meeting, from the results the viewer may see (see the module docstring)."""
    round_ = case.followup.round
    unit = case.unit
    report = result_for_user(user, round_, unit)
    if report is None:  # not released (or withdrawn): nothing to show yet
        return build_guide(None, unit_name=unit.name, own_hidden=False)
    if report.total.shown:
        return build_guide(report, unit_name=unit.name, own_hidden=False)
    for ancestor in reversed(list(unit.ancestors())):
        if not ancestor.is_within(round_.target_unit):
            break
        above = result_for_user(user, round_, ancestor)
        if above is not None and above.total.shown:
            return build_guide(above, unit_name=unit.name, own_hidden=True)
    return build_guide(None, unit_name=unit.name, own_hidden=True)


# --- actions -------------------------------------------------------------------------------------
#
# Seen by the employees of the unit ("you said – we did"), the leaders of the unit and above,
# HR and the executive board. Edited by the owner and by the leaders of the unit and above.


def actions(user: AnyUser) -> QuerySet[Action]:
    query = Action.objects.select_related("unit", "owner")
    if not user.is_authenticated:
        return query.none()
    condition = seen_units_q(user)
    return query if condition is None else query.filter(condition)


def action_or_404(user: AnyUser, pk: int) -> Action:
    action = actions(user).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def can_edit_action(user: AnyUser, action: Action) -> bool:
    if not user.is_authenticated:
        return False
    person = org.person_of(user)
    if person is not None and action.owner_id == person.pk:
        return True
    return leads(user, action.unit)


def can_create_action(user: AnyUser, unit: Unit) -> bool:
    return bool(user.is_authenticated and leads(user, unit))


def action_units(user: AnyUser, levels: int = 3) -> list[Unit]:
    """Units a user may create actions for: the units they lead and a few levels below."""
    units: dict[int, Unit] = {}
    for led in org.led_units(user):
        for unit in Unit.objects.subtree_of(led).active().filter(depth__lte=led.depth + levels)[:500]:
            units[unit.pk] = unit
    return sorted(units.values(), key=lambda u: u.path)


def owner_choices(unit: Unit) -> QuerySet[Person]:
    """People in the chain of `unit`: engaged in it or below it, or leading a unit above it."""
    below = Engagement.objects.active().filter(
        unit__path__gte=unit.path, unit__path__lt=subtree_upper_bound(unit.path)
    )
    above = Engagement.objects.active().filter(unit_id__in=unit.ancestor_ids(), is_leader=True)
    ids = set(below.values_list("person_id", flat=True)) | set(above.values_list("person_id", flat=True))
    return Person.objects.filter(pk__in=ids).order_by("name")


# --- improvement proposals -------------------------------------------------------------------------
#
# Posted by anyone engaged in a unit, to that unit. Seen by the unit's employees, its leaders
# and above, HR and the executive board (a hidden proposal's text only by leaders). Answered
# by the leaders of `handler_unit` (and above); hidden by the leaders of the unit (and above).
# Supported once by each person engaged in the unit. Unanswered proposals older than
# PROPOSAL_ESCALATION_DAYS are flagged for the leader above.

PROPOSAL_ESCALATION_DAYS = 30


def proposals(user: AnyUser) -> QuerySet[Proposal]:
    query = Proposal.objects.select_related("unit", "handler_unit").annotate(support=Count("votes"))
    if not user.is_authenticated:
        return query.none()
    condition = seen_units_q(user)
    return query if condition is None else query.filter(condition)


def proposal_or_404(user: AnyUser, pk: str) -> Proposal:
    try:
        proposal = proposals(user).filter(pk=uuid.UUID(str(pk))).first()
    except ValueError:
        proposal = None
    if proposal is None:
        raise Http404
    return proposal


def proposal_units(user: AnyUser) -> list[Unit]:
    """Units the user may post a proposal to: their own."""
    return org.own_units(user)


def can_see_hidden_text(user: AnyUser, proposal: Proposal) -> bool:
    return sees_whole_tree(user) or leads(user, proposal.unit)


def can_answer(user: AnyUser, proposal: Proposal) -> bool:
    return bool(user.is_authenticated and not proposal.hidden and leads(user, proposal.handler_unit))


def can_hide(user: AnyUser, proposal: Proposal) -> bool:
    return bool(user.is_authenticated and not proposal.hidden and leads(user, proposal.unit))


def can_support(user: AnyUser, proposal: Proposal) -> bool:
    return bool(not proposal.hidden and any(u.pk == proposal.unit_id for u in org.own_units(user)))


def voter_hash(proposal: Proposal, person: Person) -> str:
    """A keyed hash of (proposal, person): one vote each, without storing who voted."""
    return salted_hmac(
        "kerne.followup.proposal-vote", f"{proposal.pk}:{person.pk}", algorithm="sha256"
    ).hexdigest()


def has_supported(user: AnyUser, proposal: Proposal) -> bool:
    person = org.person_of(user)
    if person is None:
        return False
    return ProposalVote.objects.filter(proposal=proposal, voter_hash=voter_hash(proposal, person)).exists()


def escalated(proposal: Proposal, today: dt.date | None = None) -> bool:
    return proposal.status == Proposal.Status.OPEN and proposal.age_days(today) > PROPOSAL_ESCALATION_DAYS
