"""Small factories for test data. They create real rows through the services."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import User

from kerne.accounts.models import Group
from kerne.organisation.models import Engagement, Person, PipelineLevel, Unit, UnitKind
from kerne.organisation.services import unit_create

_counter = itertools.count(1)


def make_unit(
    name: str | None = None, parent: Unit | None = None, kind: str = UnitKind.DEPARTMENT, **extra: Any
) -> Unit:
    n = next(_counter)
    return unit_create(
        actor=None,
        name=name or f"Enhed {n}",
        kind=kind,
        external_key=extra.pop("external_key", f"U{n}"),
        parent=parent,
        **extra,
    )


def make_person(name: str | None = None, **extra: Any) -> Person:
    n = next(_counter)
    return Person.objects.create(
        name=name or f"Person {n}",
        email=extra.pop("email", f"person{n}@example.org"),
        external_key=extra.pop("external_key", f"P{n}"),
        **extra,
    )


def make_engagement(person: Person, unit: Unit, is_leader: bool = False, **extra: Any) -> Engagement:
    level_key = extra.pop(
        "level", PipelineLevel.Key.LEADER_OF_EMPLOYEES if is_leader else PipelineLevel.Key.EMPLOYEE
    )
    return Engagement.objects.create(
        person=person,
        unit=unit,
        is_leader=is_leader,
        pipeline_level=PipelineLevel.objects.get(key=level_key),
        **extra,
    )


def make_user(
    username: str | None = None, person: Person | None = None, groups: tuple[str, ...] = (), **extra: Any
) -> User:
    n = next(_counter)
    user = User.objects.create_user(username=username or f"user{n}", password="kerne-test-pw", **extra)
    for name in groups:
        group, _ = AuthGroup.objects.get_or_create(name=name)
        user.groups.add(group)
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
    return user


def make_employee(unit: Unit, username: str | None = None) -> User:
    person = make_person()
    make_engagement(person, unit)
    return make_user(username, person=person)


def make_leader(unit: Unit, username: str | None = None, level: str | None = None) -> User:
    person = make_person()
    make_engagement(person, unit, is_leader=True, **({"level": level} if level else {}))
    return make_user(username, person=person)


def make_hr(username: str | None = None) -> User:
    return make_user(username, groups=(Group.HR,))


def make_executive(username: str | None = None) -> User:
    return make_user(username, groups=(Group.EXECUTIVE,))


def make_admin(username: str | None = None) -> User:
    return make_user(username, is_superuser=True, is_staff=True)
