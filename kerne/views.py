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
