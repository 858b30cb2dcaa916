from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from kerne.accounts import roles as role_rules


def roles(request: HttpRequest) -> dict[str, Any]:
    # The answer pages run without the authentication middleware (kerne/wsgi.py).
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "is_hr": role_rules.is_hr(user),
        "is_executive": role_rules.is_executive(user),
        "is_admin": role_rules.is_admin(user),
        # The development outbox (accounts/outbox.py): administrators, DEBUG only.
        "shows_outbox": settings.DEBUG and role_rules.is_admin(user),
        "sees_whole_tree": role_rules.sees_whole_tree(user),
        "municipality": settings.KERNE_MUNICIPALITY,
    }
