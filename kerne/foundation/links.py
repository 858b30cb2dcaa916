"""What links to a part of the foundation, one section per linked kind.

A principle's page shows how the principle is lived: the tasks owned under it now,
and later the goals, actions and changes that serve it. Each kind of thing that links
to a principle, behaviour or value is one `LinkedKind` in the registries below; the
pages render one section per kind, in registry order. A later app adds its kind by
appending to the registry (e.g. from its `AppConfig.ready`):

    PRINCIPLE_LINKS.append(LinkedKind(key="goals", heading=_("Effektmål"), ..., items=goals_for))

`items(obj, user)` returns what `user` may see of that kind for `obj`; it must go
through the owning app's selectors when the kind is user-scoped. `login_required`
kinds are shown to anonymous visitors only as a prompt to log in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kerne.accounts.roles import AnyUser
from kerne.i18n import localized

Text = str | Promise


@dataclass(frozen=True)
class LinkedItem:
    label: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class LinkedKind:
    key: str
    heading: Text
    empty: Text
    items: Callable[[Any, AnyUser], Sequence[LinkedItem]]
    login_required: bool = False
    intro: Text = ""


@dataclass
class Section:
    kind: LinkedKind
    items: Sequence[LinkedItem] = field(default_factory=list)
    needs_login: bool = False


def sections(registry: Sequence[LinkedKind], obj: Any, user: AnyUser) -> list[Section]:
    result = []
    for kind in registry:
        if kind.login_required and not user.is_authenticated:
            result.append(Section(kind=kind, needs_login=True))
        else:
            result.append(Section(kind=kind, items=list(kind.items(obj, user))))
    return result


def _principle_tasks(principle: Any, user: AnyUser) -> list[LinkedItem]:
    from kerne.organisation.models import Task, UnitKind

    tasks = (
        Task.objects.filter(principle=principle)
        .select_related("pipeline_level")
        .order_by("-pipeline_level__rank", "name_da")
    )
    return [
        LinkedItem(
            label=localized(task, "name"),
            url=reverse("organisation:level_tasks", args=[task.pipeline_level.key]),
            detail=f"{localized(task.pipeline_level, 'name')} · {UnitKind(task.unit_kind).label}",
        )
        for task in tasks
    ]


def _dimensions(obj: Any, user: AnyUser) -> list[LinkedItem]:
    """Survey dimensions that measure a behaviour or a value (the instruments are public text)."""
    dimensions = obj.dimensions.select_related("instrument").order_by("instrument__key", "position")
    return [
        LinkedItem(label=localized(d, "name"), detail=localized(d.instrument, "name")) for d in dimensions
    ]


PRINCIPLE_LINKS: list[LinkedKind] = [
    LinkedKind(
        key="tasks",
        heading=_("Opgaver"),
        intro=_("Opgaver i opgaveregistret, der løses under dette princip, og det niveau der ejer dem."),
        empty=_("Ingen opgaver er knyttet til princippet endnu."),
        items=_principle_tasks,
        login_required=True,
    ),
]

BEHAVIOUR_LINKS: list[LinkedKind] = [
    LinkedKind(
        key="dimensions",
        heading=_("Målt i spørgerammer"),
        intro=_("Dimensioner i Kernes spørgerammer, der måler denne adfærd."),
        empty=_("Ingen spørgeramme måler denne adfærd endnu."),
        items=_dimensions,
    ),
]

VALUE_LINKS: list[LinkedKind] = [
    LinkedKind(
        key="dimensions",
        heading=_("Målt i spørgerammer"),
        intro=_("Dimensioner i Kernes spørgerammer, der måler denne værdi."),
        empty=_("Ingen spørgeramme måler denne værdi endnu."),
        items=_dimensions,
    ),
]
