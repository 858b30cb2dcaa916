"""Pages that belong to no single domain: home and the accessibility statement."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kerne.accounts.access import public
from kerne.organisation import selectors
from kerne.surveys import selectors as survey_selectors


@public
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "own_units": selectors.own_units(request.user),
        "led_units": selectors.led_units(request.user),
        "waiting_surveys": survey_selectors.waiting_invitations_of(request.user).count(),
    }
    return render(request, "home.html", context)


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: a page in the user's language with the site's navigation (kerne/urls.py)."""
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: as handler403. Pages a user may not see answer 404 too, and the text says so."""
    return render(request, "404.html", status=404)
