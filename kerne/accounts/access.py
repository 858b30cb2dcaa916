"""Access rules as decorators. Every view states its rule with one of these, and
tests/accounts/test_access_matrix.py walks every role against every URL.

Rules that depend on *which* unit (a leader sees their subtree) are checked in the
view through kerne.organisation.selectors, after one of these has let the user in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from kerne.accounts.roles import AnyUser, is_admin, is_hr, sees_whole_tree

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def _rule(name: str, allowed: Callable[[AnyUser], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def public(view: View) -> View:
    """Anyone, without login (foundation pages, answer pages reached by a token)."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


login_required = _rule("login", lambda user: True)
"""Any logged-in user; what they see is narrowed by the selectors."""

whole_tree_required = _rule("whole_tree", sees_whole_tree)
"""HR, the executive board and administrators."""

hr_required = _rule("hr", is_hr)
"""HR/organisation consultants and administrators."""

admin_required = _rule("admin", is_admin)
"""Administrators only."""
