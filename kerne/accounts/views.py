from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from kerne.accounts import outbox as dev_outbox
from kerne.accounts.access import admin_required, hr_required, public
from kerne.accounts.models import AuditEntry

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


login = public(LoginView.as_view())
logout = public(auth_views.LogoutView.as_view())


@hr_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.select_related("actor")
    object_type = request.GET.get("type", "")
    if object_type:
        entries = entries.filter(object_type=object_type)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "object_type": object_type, "types": sorted(set(types))},
    )


def debug_only(view: View) -> View:
    """Development pages: not found, for everyone, unless DEBUG is on."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@debug_only
@admin_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The development outbox (DEBUG only, administrators): e-mails the file backend wrote
    to EMAIL_FILE_PATH instead of sending them (kerne/accounts/outbox.py)."""
    return render(
        request,
        "accounts/outbox.html",
        {"messages_": dev_outbox.messages(), "folder": dev_outbox.folder()},
    )


@debug_only
@admin_required
def outbox_message(request: HttpRequest, file: str, index: int) -> HttpResponse:
    """One e-mail of the development outbox, as it would have been delivered."""
    message = dev_outbox.message(file, index)
    if message is None:
        raise Http404
    return render(request, "accounts/outbox_message.html", {"message": message})
