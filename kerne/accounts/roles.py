"""Who a user is in the governance chain (DESIGN §3, access).

Roles: employee (any user linked to a person), leader (derived from active leader
engagements), HR/organisation consultant and executive board (auth groups; see the
whole tree), administrator (superuser).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from kerne.accounts.models import Group

AnyUser = User | AnonymousUser


def _in_group(user: AnyUser, name: str) -> bool:
    if not user.is_authenticated:
        return False
    cache: set[str] | None = getattr(user, "_kerne_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        setattr(user, "_kerne_groups", cache)  # noqa: B010 - per-request cache on the user object
    return name in cache


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def is_hr(user: AnyUser) -> bool:
    return _in_group(user, Group.HR) or is_admin(user)


def is_executive(user: AnyUser) -> bool:
    return _in_group(user, Group.EXECUTIVE)


def sees_whole_tree(user: AnyUser) -> bool:
    """HR, the executive board and administrators see every unit (never single responses)."""
    return is_hr(user) or is_executive(user)
