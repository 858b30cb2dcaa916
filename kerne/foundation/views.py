"""Public pages of the leadership foundation: anyone may read what the municipality stands for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kerne.accounts.access import public
from kerne.foundation import links
from kerne.foundation.models import Behaviour, Foundation, Principle, Value


def _common() -> dict[str, object]:
    return {
        "foundation": Foundation.objects.first(),
        "all_principles": list(Principle.objects.all()),
    }


@public
def index(request: HttpRequest) -> HttpResponse:
    """The whole foundation on one page: purpose, definition, values, principles, governance."""
    context = {
        **_common(),
        "behaviours": list(Behaviour.objects.all()),
        "values": list(Value.objects.all()),
    }
    return render(request, "foundation/index.html", context)


@public
def definition(request: HttpRequest) -> HttpResponse:
    """The definition of good leadership and the behaviours it is made of."""
    context = {**_common(), "behaviours": list(Behaviour.objects.all())}
    return render(request, "foundation/definition.html", context)


@public
def behaviour(request: HttpRequest, key: str) -> HttpResponse:
    item = get_object_or_404(Behaviour, key=key)
    siblings = Behaviour.objects.filter(sentence_da=item.sentence_da).exclude(pk=item.pk)
    context = {
        **_common(),
        "behaviour": item,
        "siblings": list(siblings),
        "sections": links.sections(links.BEHAVIOUR_LINKS, item, request.user),
    }
    return render(request, "foundation/behaviour.html", context)


@public
def value(request: HttpRequest, key: str) -> HttpResponse:
    item = get_object_or_404(Value, key=key)
    context = {
        **_common(),
        "value": item,
        "values": list(Value.objects.all()),
        "sections": links.sections(links.VALUE_LINKS, item, request.user),
    }
    return render(request, "foundation/value.html", context)


@public
def principle(request: HttpRequest, key: str) -> HttpResponse:
    item = get_object_or_404(Principle, key=key)
    context = {
        **_common(),
        "principle": item,
        "sections": links.sections(links.PRINCIPLE_LINKS, item, request.user),
    }
    return render(request, "foundation/principle.html", context)
