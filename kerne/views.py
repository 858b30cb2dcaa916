"""Pages that belong to no single domain: home and the accessibility statement."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kerne.accounts.access import public
from kerne.organisation import selectors


@public
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "own_units": selectors.own_units(request.user),
        "led_units": selectors.led_units(request.user),
    }
    return render(request, "home.html", context)


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")
