"""Which units a user may see: the one place the access rule of DESIGN §3 lives.

- HR, the executive board and administrators: the whole tree.
- A leader: every unit they lead, and everything below it; never beside or above.
- An employee: the units of their own active engagements.
- Anonymous visitors: nothing.

Views and API endpoints never filter user-scoped data with `Model.objects`
themselves; they ask here.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404

from kerne.accounts.roles import AnyUser, sees_whole_tree
from kerne.organisation.models import Engagement, Person, Unit, UnitQuerySet, subtree_upper_bound


def person_of(user: AnyUser) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def led_units(user: AnyUser, on: dt.date | None = None) -> list[Unit]:
    """Units the user leads through an active leader engagement."""
    person = person_of(user)
    if person is None:
        return []
    engagements = Engagement.objects.active(on).filter(person=person, is_leader=True).select_related("unit")
    return sorted({e.unit for e in engagements if e.unit.is_active(on)}, key=lambda u: u.path)


def own_units(user: AnyUser, on: dt.date | None = None) -> list[Unit]:
    """Units the user is engaged in (as employee or leader)."""
    person = person_of(user)
    if person is None:
        return []
    engagements = Engagement.objects.active(on).filter(person=person).select_related("unit")
    return sorted({e.unit for e in engagements}, key=lambda u: u.path)


def is_leader(user: AnyUser) -> bool:
    return bool(led_units(user))


def visible_root_paths(user: AnyUser) -> list[str] | None:
    """Path prefixes of the subtrees the user sees fully; None means the whole tree.

    Cached on the user object for the request.
    """
    if sees_whole_tree(user):
        return None
    cached = getattr(user, "_kerne_visible_roots", None)
    if cached is not None:
        return list(cached)
    paths = sorted(u.path for u in led_units(user))
    # Drop roots that lie inside another root.
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    if user.is_authenticated:
        setattr(user, "_kerne_visible_roots", roots)  # noqa: B010 - per-request cache
    return roots


def units_visible_to(user: AnyUser) -> UnitQuerySet:
    if not user.is_authenticated:
        return Unit.objects.none()
    roots = visible_root_paths(user)
    if roots is None:
        return Unit.objects.all()
    condition = Q(pk__in=[u.pk for u in own_units(user)])
    for root in roots:
        condition |= Q(path__gte=root, path__lt=subtree_upper_bound(root))
    return Unit.objects.filter(condition)


def can_see_unit(user: AnyUser, unit: Unit) -> bool:
    if not user.is_authenticated:
        return False
    roots = visible_root_paths(user)
    if roots is None:
        return True
    if any(unit.path.startswith(root) for root in roots):
        return True
    return unit.pk in {u.pk for u in own_units(user)}


def can_lead_unit(user: AnyUser, unit: Unit) -> bool:
    """May edit the unit's own data (goals, measurements, roll-out state): leads it or above it."""
    roots = visible_root_paths(user)
    if roots is None:
        return True
    return any(unit.path.startswith(root) for root in roots)


def visible_unit_or_404(user: AnyUser, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not can_see_unit(user, unit):
        # 404, not 403: a unit beside or above the user is not even confirmed to exist.
        raise Http404
    return unit
