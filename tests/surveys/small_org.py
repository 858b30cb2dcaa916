"""A small organisation for the round, rater and rate tests.

Direktion (Dorte, director)
├── Center for Sundhed (Carl, centre head)
│   ├── Hjemmeplejen (Hanne, leader) ── 6 employees, 2 without e-mail
│   │   └── Team Nord (Tina, team leader) ── 5 employees
│   │   └── Team Syd (no leader) ── 2 employees
│   └── Sygeplejen (Sara, leader) ── 4 employees
└── Center for Kultur (Kim, centre head) ── 3 employees in Biblioteket (Bo, leader)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kerne.organisation.models import Person, Unit, UnitKind
from tests.factories import make_engagement, make_person, make_unit

LONG_AGO = dt.date(2020, 1, 1)


@dataclass
class SmallOrg:
    root: Unit
    health: Unit
    homecare: Unit
    north: Unit
    south: Unit
    nursing: Unit
    culture: Unit
    library: Unit
    leaders: dict[str, Person]
    staff: dict[str, list[Person]] = field(default_factory=dict)


def build_small_org() -> SmallOrg:
    root = make_unit("Direktion", kind=UnitKind.EXECUTIVE, valid_from=LONG_AGO)
    health = make_unit("Center for Sundhed", parent=root, kind=UnitKind.CENTRE, valid_from=LONG_AGO)
    homecare = make_unit("Hjemmeplejen", parent=health, valid_from=LONG_AGO)
    north = make_unit("Team Nord", parent=homecare, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    south = make_unit("Team Syd", parent=homecare, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    nursing = make_unit("Sygeplejen", parent=health, valid_from=LONG_AGO)
    culture = make_unit("Center for Kultur", parent=root, kind=UnitKind.CENTRE, valid_from=LONG_AGO)
    library = make_unit("Biblioteket", parent=culture, kind=UnitKind.INSTITUTION, valid_from=LONG_AGO)
    leaders = {}
    for key, name, unit, level in (
        ("dorte", "Dorte Direktør", root, "executive"),
        ("carl", "Carl Centerchef", health, "function_head"),
        ("hanne", "Hanne Hjemmeplejeleder", homecare, "leader_of_leaders"),
        ("tina", "Tina Teamleder", north, "leader_of_employees"),
        ("sara", "Sara Sygeplejeleder", nursing, "leader_of_employees"),
        ("kim", "Kim Kulturchef", culture, "function_head"),
        ("bo", "Bo Bibliotekschef", library, "leader_of_employees"),
    ):
        person = make_person(name)
        make_engagement(person, unit, is_leader=True, level=level, valid_from=LONG_AGO)
        leaders[key] = person
    staff: dict[str, list[Person]] = {}
    for key, unit, count, without_email in (
        ("homecare", homecare, 6, 2),
        ("north", north, 5, 0),
        ("south", south, 2, 0),
        ("nursing", nursing, 4, 0),
        ("library", library, 3, 0),
    ):
        people = []
        for i in range(count):
            email = "" if i < without_email else None
            person = make_person(
                f"{unit.name} medarbejder {i + 1}", **({"email": email} if email is not None else {})
            )
            make_engagement(person, unit, valid_from=LONG_AGO)
            people.append(person)
        staff[key] = people
    return SmallOrg(root, health, homecare, north, south, nursing, culture, library, leaders, staff)
