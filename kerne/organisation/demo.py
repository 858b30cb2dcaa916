"""Demo Kommune: a realistic Danish municipality, generated deterministically from a seed.

The tree: Direktion → six centres and three staff functions → departments →
institutions (schools, daycare, care homes, home care districts, libraries …) → teams.
About 5,000 people by default; `people` scales it (500,000 people give about 30,000
units, for the benchmarks). Institutions and teams grow with the size; when a unit
would get more than `MAX_CHILDREN` children, they are grouped into areas (and areas
into clusters), as large organisations do.

Leaders' pipeline levels follow what they lead (DESIGN §3): the executive board is
`executive`, centre and staff heads `function_head`, a leader whose unit has led
sub-units `leader_of_leaders`, every other leader `leader_of_employees`.

Everything random comes from one `random.Random(seed)`, so a seed gives the same
municipality every time. Rows are written with `bulk_create` and explicit primary
keys (paths are computed here from them with `path_segment`), so the 500,000-person
demo takes no per-row queries.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from kerne.accounts.audit import audit_record
from kerne.accounts.models import Group as RoleGroup
from kerne.foundation.models import Principle
from kerne.organisation.models import (
    PATH_SEGMENT_WIDTH,
    Engagement,
    Person,
    PipelineLevel,
    Task,
    Unit,
    UnitKind,
    path_segment,
)

DEMO_PASSWORD = "kerne-demo"  # printed by `kerne demo`; only for the demo
MUNICIPALITY = "Demo Kommune"
EMAIL_DOMAIN = "demo-kommune.dk"
DEFAULT_PEOPLE = 5_000
MIN_PEOPLE = 200
MAX_CHILDREN = 12
UNITS_FROM = dt.date(2007, 1, 1)  # the municipal reform
INSTITUTION_CLOSED_ON = dt.date(2024, 7, 31)
TEAM_CLOSED_ON = dt.date(2025, 3, 31)
BATCH = 5_000

E, LOE, LOL, FH, EX = (
    "employee",
    "leader_of_employees",
    "leader_of_leaders",
    "function_head",
    "executive",
)


class Writer(Protocol):
    """Where progress goes: a management command's stdout, or any text stream."""

    def write(self, text: str, /) -> Any: ...


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- Names ---------------------------------------------------------------------------------------

FEMALE = _words(
    "Anne Kirsten Mette Hanne Anna Helle Susanne Lene Maria Marianne Lone Camilla Pia Louise "
    "Charlotte Inge Tina Bente Gitte Karen Ida Julie Emma Sofie Laura Cecilie Mathilde Freja Clara "
    "Signe Katrine Line Maja Sara Christina Birgitte Jette Dorthe Rikke Heidi Karin Ulla Lotte "
    "Malene Nanna Stine Trine Josefine Caroline Astrid Ella Alma Agnes Karla Liva Nora Vibeke Britt "
    "Annette Pernille Tanja Bodil Else Grethe Ingrid Kamilla Mie Amalie Emilie Mille Sanne Winnie "
    "Henriette Lisbeth Merete Connie Jeanette Eva Ellen Anja Natasja Mona Ruth Fatima Aisha Amira "
    "Leila Yasmin Noor Sabrina Jannie Janne Tove Birthe Dorte Solveig Ane Sidsel Maiken"
)
MALE = _words(
    "Peter Jens Michael Lars Henrik Søren Thomas Jan Niels Christian Martin Jørgen Hans Anders "
    "Morten Jesper Ole Per Erik Rasmus Mads Kim Mikkel Frederik Bent Poul Torben Kasper Carsten "
    "Steen Claus Kenneth Flemming Simon Jakob Brian Allan Johannes Kristian Tobias Emil Oliver "
    "William Noah Lucas Victor Magnus Oscar Carl Alfred Aksel August Malthe Elias Valdemar Philip "
    "Sebastian Alexander Daniel Nikolaj Bo Finn Leif Preben Ib Knud Arne Svend Kurt Palle Bjarne "
    "Dennis René Jonas Mohammed Ali Ahmad Hassan Omar Mustafa Yusuf Jacob Esben Troels Anders "
    "Asger Bjørn Ebbe Gustav Holger Ivan Jeppe Karsten Ulrik Uffe Vagn"
)
# Surnames roughly by how common they are in Denmark (weights ≈ thousands of bearers).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("Jensen", 250), ("Nielsen", 245), ("Hansen", 205), ("Pedersen", 155), ("Andersen", 155),
    ("Christensen", 115), ("Larsen", 110), ("Sørensen", 105), ("Rasmussen", 90), ("Jørgensen", 85),
    ("Petersen", 70), ("Madsen", 60), ("Kristensen", 60), ("Olsen", 45), ("Thomsen", 38),
    ("Christiansen", 35), ("Poulsen", 32), ("Johansen", 31), ("Møller", 30), ("Mortensen", 29),
    ("Knudsen", 25), ("Jakobsen", 24), ("Jacobsen", 20), ("Mikkelsen", 20), ("Olesen", 20),
    ("Frederiksen", 19), ("Laursen", 18), ("Henriksen", 18), ("Lund", 17), ("Schmidt", 15),
    ("Eriksen", 14), ("Holm", 14), ("Kristiansen", 13), ("Clausen", 13), ("Simonsen", 12),
    ("Svendsen", 12), ("Andreasen", 12), ("Iversen", 11), ("Jeppesen", 11), ("Mogensen", 11),
    ("Jespersen", 10), ("Nissen", 10), ("Lauridsen", 10), ("Kjær", 10), ("Jepsen", 9),
    ("Frandsen", 9), ("Østergaard", 9), ("Søndergaard", 9), ("Dahl", 8), ("Kjeldsen", 8),
    ("Lassen", 8), ("Vestergaard", 8), ("Nørgaard", 8), ("Bertelsen", 7), ("Berg", 7),
    ("Riis", 7), ("Carlsen", 7), ("Graversen", 6), ("Bach", 6), ("Thygesen", 6), ("Friis", 6),
    ("Krogh", 6), ("Winther", 6), ("Juhl", 5), ("Bruun", 5), ("Dam", 5), ("Lind", 5),
    ("Hougaard", 5), ("Bang", 5), ("Skov", 5), ("Brandt", 5), ("Koch", 4), ("Ahmed", 4),
    ("Hussain", 3), ("Ali", 3), ("Yilmaz", 3), ("Nguyen", 3), ("Khan", 3), ("Kaya", 2),
    ("Ibrahim", 2), ("Abdi", 2), ("Kowalski", 2), ("Nowak", 2), ("Toft", 4), ("Gregersen", 4),
    ("Mathiesen", 4), ("Ravn", 3), ("Storm", 3), ("Munk", 3), ("Borg", 3), ("Overgaard", 4),
)  # fmt: skip
MIDDLE_NAMES = _words(
    "Holm Lund Bach Dahl Skov Krogh Friis Juul Kjær Lykke Bak Vinther Munk Bech Storm Høj Nørgaard "
    "Møller Kragh Toft Damgaard Rosenkilde Brink Lind Aagaard"
)

PLACES = _words(
    "Skovvang Søndergård Lindevang Egebjerg Bakkegården Højvang Nordvang Vestervang Østerbro Kildebakken "
    "Rosenlund Engvang Birkelund Agervang Stengården Solvang Kirkebakken Møllevang Fjordvang Holmegård "
    "Hedegård Strandvang Skovlunde Bøgevang Åbakken Granhøj Ellekær Toftegård Lærkevang Nørremark"
)
DAYCARE = _words(
    "Mælkebøtten Solsikken Regnbuen Troldehøjen Spiren Bikuben Myretuen Skovtrolden Humlebien "
    "Kastanjen Valmuen Mariehønen Græshoppen Lærkereden Egernet Stjernen Søstjernen Bølgen Pilehuset "
    "Kornblomsten Bøgehuset Nøddebo Hasselnødden Solhuset Fyrtårnet Ankeret Æblehaven Kløverbladet "
    "Trylleskoven Bispevangen Rødkælken Svalereden Havtornen Lindebo Tusindfryd Vibereden Anemonen "
    "Sommerfuglen Skovbrynet Krudtuglen Ugleredet Hyldebærret"
)
CARE_HOMES = _words(
    "Lindegården Solgården Egely Bakkehuset Rosenhaven Kastanjehuset Møllehaven Lyngbo Fuglebo "
    "Åhusene Birkebo Havebyen Engbo Strandgården"
)
DISTRICTS = _words("Nord Syd Øst Vest Midt Centrum")


@dataclass(frozen=True)
class InstitutionGroup:
    """Sibling institutions of one kind under a department (schools, daycare …)."""

    pattern: str  # "{name} Skole"
    names: tuple[str, ...]
    base: int  # how many at the default size
    leader_title: str
    titles: tuple[str, ...]
    weight: float  # headcount of a leaf (institution without teams, or each team)
    area: str  # name of a grouping of these institutions at large sizes
    teams: tuple[str, ...] = ()
    team_leader_title: str = "Teamleder"
    shared_leader: float = 0.0  # chance that a leaf institution shares its sibling's leader


@dataclass(frozen=True)
class Dept:
    name: str
    leader_title: str
    titles: tuple[str, ...]
    teams: tuple[str, ...] = ()
    team_weight: float = 10.0
    groups: tuple[InstitutionGroup, ...] = ()
    team_leader_title: str = "Teamleder"


@dataclass(frozen=True)
class Centre:
    name: str
    kind: str
    leader_title: str
    titles: tuple[str, ...]
    departments: tuple[Dept, ...] = ()
    teams: tuple[str, ...] = ()  # staff functions have teams directly
    team_weight: float = 7.0


DIRECTORS = (
    "Direktør for Børn, Skole og Kultur",
    "Direktør for Sundhed, Omsorg og Beskæftigelse",
    "Direktør for By, Miljø og Økonomi",
)

CENTRES: tuple[Centre, ...] = (
    Centre(
        "Center for Børn og Familie",
        UnitKind.CENTRE,
        "Centerchef",
        ("Konsulent", "Administrativ medarbejder"),
        departments=(
            Dept(
                "Dagtilbud",
                "Dagtilbudschef",
                ("Pædagogisk konsulent",),
                groups=(
                    InstitutionGroup(
                        "Børnehuset {name}",
                        DAYCARE,
                        24,
                        "Dagtilbudsleder",
                        ("Pædagog", "Pædagog", "Pædagogmedhjælper", "Pædagogisk assistent"),
                        weight=20,
                        area="Dagtilbudsområde",
                        shared_leader=0.12,
                    ),
                ),
            ),
            Dept(
                "Familie og Forebyggelse",
                "Familiechef",
                ("Administrativ medarbejder",),
                teams=(
                    "Myndighed 0-17 år",
                    "Forebyggelse og Tidlig Indsats",
                    "Handicap og Psykiatri",
                    "Familiehuset",
                    "Plejefamilier",
                ),
                team_weight=11,
            ),
            Dept(
                "Sundhedsplejen",
                "Ledende sundhedsplejerske",
                ("Sekretær",),
                teams=("Sundhedsplejen Nord", "Sundhedsplejen Syd"),
                team_weight=8,
            ),
            Dept(
                "Tandplejen",
                "Overtandlæge",
                ("Klinikassistent",),
                teams=("Tandklinik Centrum", "Tandklinik Vest"),
                team_weight=9,
                team_leader_title="Klinikleder",
            ),
        ),
    ),
    Centre(
        "Center for Skole",
        UnitKind.CENTRE,
        "Centerchef",
        ("Skolekonsulent", "Administrativ medarbejder"),
        departments=(
            Dept(
                "Skoler",
                "Skolechef",
                ("Skolekonsulent",),
                groups=(
                    InstitutionGroup(
                        "{name} Skole",
                        PLACES,
                        11,
                        "Skoleleder",
                        ("Lærer", "Lærer", "Lærer", "Pædagog", "Skolesekretær"),
                        weight=14,
                        area="Skoledistrikt",
                        teams=("Indskoling", "Mellemtrin", "Udskoling", "SFO"),
                        team_leader_title="Afdelingsleder",
                    ),
                ),
            ),
            Dept(
                "PPR og Specialundervisning",
                "PPR-leder",
                ("Sekretær",),
                teams=("Pædagogisk Psykologisk Rådgivning", "Specialcenter", "Læsecenter"),
                team_weight=10,
            ),
            Dept(
                "Ungdomsskolen",
                "Ungdomsskoleleder",
                ("Sekretær",),
                teams=("Klubberne", "Ungdomsskolens undervisning"),
                team_weight=8,
            ),
        ),
    ),
    Centre(
        "Center for Sundhed og Omsorg",
        UnitKind.CENTRE,
        "Centerchef",
        ("Konsulent", "Administrativ medarbejder"),
        departments=(
            Dept(
                "Hjemmeplejen",
                "Hjemmeplejechef",
                ("Planlægger",),
                groups=(
                    InstitutionGroup(
                        "Hjemmeplejen {name}",
                        DISTRICTS,
                        6,
                        "Distriktsleder",
                        ("Social- og sundhedshjælper", "Social- og sundhedsassistent", "Sygeplejerske"),
                        weight=16,
                        area="Hjemmeplejeområde",
                        teams=("Dagteam 1", "Dagteam 2", "Aftenteam", "Natteam"),
                    ),
                ),
            ),
            Dept(
                "Plejecentre",
                "Plejecenterchef",
                ("Konsulent",),
                groups=(
                    InstitutionGroup(
                        "Plejecenter {name}",
                        CARE_HOMES,
                        8,
                        "Plejecenterleder",
                        ("Social- og sundhedsassistent", "Social- og sundhedshjælper", "Sygeplejerske"),
                        weight=16,
                        area="Plejecenterområde",
                        teams=("Afdeling A", "Afdeling B", "Køkken og Service"),
                        team_leader_title="Afdelingsleder",
                    ),
                ),
            ),
            Dept(
                "Sundhed og Træning",
                "Afdelingsleder",
                ("Sekretær",),
                teams=("Genoptræning", "Sygeplejen", "Forebyggelse", "Hjælpemidler"),
                team_weight=12,
            ),
            Dept(
                "Visitation",
                "Visitationschef",
                ("Sekretær",),
                teams=("Visitation Ældre", "Visitation Handicap"),
                team_weight=7,
            ),
        ),
    ),
    Centre(
        "Center for Kultur og Fritid",
        UnitKind.CENTRE,
        "Centerchef",
        ("Kulturkonsulent",),
        departments=(
            Dept(
                "Bibliotekerne",
                "Bibliotekschef",
                ("Formidler",),
                groups=(
                    InstitutionGroup(
                        "{name} Bibliotek",
                        PLACES,
                        5,
                        "Biblioteksleder",
                        ("Bibliotekar", "Biblioteksassistent", "Formidler"),
                        weight=10,
                        area="Biblioteksområde",
                    ),
                ),
            ),
            Dept(
                "Idræt og Fritid",
                "Fritidschef",
                ("Fritidskonsulent",),
                groups=(
                    InstitutionGroup(
                        "{name} Idrætscenter",
                        PLACES,
                        5,
                        "Centerleder",
                        ("Driftsmedarbejder", "Svømmeinstruktør", "Servicemedarbejder"),
                        weight=7,
                        area="Idrætsområde",
                    ),
                ),
            ),
            Dept(
                "Kultur",
                "Kulturchef",
                ("Kulturkonsulent",),
                teams=("Musikskolen", "Kulturhuset", "Lokalhistorisk Arkiv"),
                team_weight=8,
            ),
        ),
    ),
    Centre(
        "Center for Job og Arbejdsmarked",
        UnitKind.CENTRE,
        "Centerchef",
        ("Konsulent", "Administrativ medarbejder"),
        departments=(
            Dept(
                "Jobcentret",
                "Jobcenterchef",
                ("Administrativ medarbejder",),
                teams=(
                    "Virksomhedsservice",
                    "Ydelse",
                    "Unge under 30",
                    "Sygedagpenge",
                    "Fleksjob og Ressourceforløb",
                    "Integration",
                ),
                team_weight=12,
            ),
            Dept(
                "Borgerservice",
                "Borgerservicechef",
                ("Borgerservicemedarbejder",),
                teams=("Pas og Kørekort", "Pension og Boligstøtte", "Opkrævning"),
                team_weight=8,
            ),
        ),
    ),
    Centre(
        "Center for By og Miljø",
        UnitKind.CENTRE,
        "Centerchef",
        ("Konsulent", "Ingeniør"),
        departments=(
            Dept(
                "Vej og Park",
                "Driftschef",
                ("Planlægger",),
                teams=("Vejdrift", "Parkdrift", "Vintertjeneste"),
                team_weight=12,
                team_leader_title="Driftsleder",
            ),
            Dept(
                "Byggeri og Plan",
                "Planchef",
                ("Byplanlægger",),
                teams=("Byggesager", "Planlægning"),
                team_weight=8,
            ),
            Dept(
                "Natur og Miljø",
                "Miljøchef",
                ("Miljømedarbejder",),
                teams=("Natur", "Miljø og Klima", "Affald og Genbrug"),
                team_weight=7,
            ),
            Dept(
                "Ejendomme",
                "Ejendomschef",
                ("Ejendomskonsulent",),
                teams=("Ejendomsdrift", "Rengøring", "Energi"),
                team_weight=12,
                team_leader_title="Driftsleder",
            ),
        ),
    ),
    Centre(
        "HR og Organisation",
        UnitKind.STAFF,
        "HR-chef",
        ("HR-konsulent",),
        teams=("Løn og Personale", "Rekruttering og Onboarding", "Arbejdsmiljø", "Organisation og Ledelse"),
    ),
    Centre(
        "Økonomi og Analyse",
        UnitKind.STAFF,
        "Økonomichef",
        ("Økonomikonsulent",),
        teams=("Budget", "Regnskab", "Indkøb og Udbud", "Analyse og Data"),
    ),
    Centre(
        "Digitalisering og IT",
        UnitKind.STAFF,
        "IT-chef",
        ("IT-konsulent",),
        teams=("IT-drift", "Digital Udvikling", "Informationssikkerhed"),
    ),
)

TEAM_TITLES: dict[str, tuple[str, ...]] = {
    "HR og Organisation": ("HR-konsulent", "Lønkonsulent", "HR-partner", "Arbejdsmiljøkonsulent"),
    "Økonomi og Analyse": ("Økonomikonsulent", "Controller", "Indkøbskonsulent", "Dataanalytiker"),
    "Digitalisering og IT": ("IT-supporter", "Systemadministrator", "Digitaliseringskonsulent"),
    "Center for Børn og Familie": ("Socialrådgiver", "Familiebehandler", "Sundhedsplejerske", "Tandlæge"),
    "Center for Skole": ("Psykolog", "Tale-hørelærer", "Lærer", "Klubmedarbejder"),
    "Center for Sundhed og Omsorg": ("Fysioterapeut", "Ergoterapeut", "Sygeplejerske", "Visitator"),
    "Center for Kultur og Fritid": ("Musikskolelærer", "Kulturformidler", "Arkivar"),
    "Center for Job og Arbejdsmarked": ("Jobkonsulent", "Sagsbehandler", "Virksomhedskonsulent"),
    "Center for By og Miljø": ("Gartner", "Vejarbejder", "Byggesagsbehandler", "Miljøtekniker"),
}

# The demo logins (username, what the role is); all have the password DEMO_PASSWORD.
LOGINS: tuple[tuple[str, str], ...] = (
    ("direktion", "direktionen (kommunaldirektør)"),
    ("hr", "HR-konsulent (ser hele organisationen)"),
    ("admin", "administrator"),
    ("centerchef", "centerchef (funktionsleder)"),
    ("afdelingsleder", "afdelingsleder (leder af ledere)"),
    ("teamleder", "teamleder (leder af medarbejdere)"),
    ("medarbejder", "medarbejder"),
)


# --- The plan: units in depth-first order ----------------------------------------------------------


@dataclass
class Spec:
    name: str
    kind: str
    parent: int | None
    leader_title: str
    titles: tuple[str, ...]
    weight: float
    level: str = ""  # the leader's level; decided once children are known
    closed_on: dt.date | None = None
    shares_leader_with: int | None = None
    children: list[int] = field(default_factory=list)
    centre: int | None = None


@dataclass
class Plan:
    units: list[Spec]
    login_units: dict[str, int]


class _Names:
    """Draws unique names from a pool; repeats get a number once the pool runs out."""

    def __init__(self, pool: tuple[str, ...] | list[str], rng: random.Random) -> None:
        self.pool = list(pool)
        rng.shuffle(self.pool)
        self.used = 0

    def next(self) -> str:
        name = self.pool[self.used % len(self.pool)]
        round_ = self.used // len(self.pool)
        self.used += 1
        return name if round_ == 0 else f"{name} {round_ + 1}"


def _scaled(base: int, scale: float, rng: random.Random) -> int:
    return max(1, round(base * scale * rng.uniform(0.9, 1.1)))


def plan(people: int, rng: random.Random) -> Plan:
    """The unit tree for about `people` people, in depth-first order (parents first)."""
    scale = people / DEFAULT_PEOPLE * 1.38  # 5,000 people: ~320 units; 500,000: ~30,000
    units: list[Spec] = []
    area_numbers: dict[str, int] = {}

    def add(spec: Spec) -> int:
        units.append(spec)
        index = len(units) - 1
        if spec.parent is not None:
            units[spec.parent].children.append(index)
            spec.centre = units[spec.parent].centre
        return index

    def area(parent: int, label: str, leader_title: str) -> int:
        area_numbers[label] = area_numbers.get(label, 0) + 1
        name = f"{label} {area_numbers[label]}"
        return add(Spec(name, UnitKind.DEPARTMENT, parent, leader_title, ("Konsulent",), 1))

    def grouped(parent: int, count: int, label: str, build_one: Callable[[int], None]) -> None:
        """`count` children under `parent`, in areas (and clusters of areas) of ≤ MAX_CHILDREN."""
        if count <= MAX_CHILDREN:
            for _ in range(count):
                build_one(parent)
            return
        areas = math.ceil(count / MAX_CHILDREN)
        sizes = [count // areas + (1 if i < count % areas else 0) for i in range(areas)]
        clusters = math.ceil(areas / MAX_CHILDREN)
        for c in range(clusters):
            holder = parent if clusters == 1 else area(parent, f"{label}klynge", "Klyngeleder")
            for size in sizes[c::clusters]:
                area_index = area(holder, label, "Områdeleder")
                for _ in range(size):
                    build_one(area_index)

    def team_builder(
        names: list[str], leader_title: str, titles: tuple[str, ...], weight: float
    ) -> Callable[[int], None]:
        pending = iter(names)

        def build_one(parent: int) -> None:
            add(Spec(next(pending), UnitKind.TEAM, parent, leader_title, titles, weight))

        return build_one

    def institution_builder(g: InstitutionGroup) -> Callable[[int], None]:
        pool = _Names(g.names, rng)
        has_teams = bool(g.teams)

        def build_one(parent: int) -> None:
            inst = add(
                Spec(
                    g.pattern.format(name=pool.next()),
                    UnitKind.INSTITUTION,
                    parent,
                    g.leader_title,
                    ("Administrativ medarbejder",) if has_teams else g.titles,
                    1 if has_teams else g.weight,
                )
            )
            for team_name in g.teams:
                add(Spec(team_name, UnitKind.TEAM, inst, g.team_leader_title, g.titles, g.weight))
            earlier = [i for i in units[parent].children[:-1] if units[i].kind == UnitKind.INSTITUTION]
            if not has_teams and earlier and rng.random() < g.shared_leader:
                units[inst].shares_leader_with = earlier[-1]

        return build_one

    root = add(Spec("Direktion", UnitKind.EXECUTIVE, None, "Kommunaldirektør", ("Direktionssekretær",), 3))
    units[root].level = EX
    login_units: dict[str, int] = {"direktion": root}

    for centre_no, c in enumerate(CENTRES):
        centre = add(Spec(c.name, c.kind, root, c.leader_title, c.titles, 3))
        units[centre].centre = centre_no
        units[centre].level = FH
        team_titles = TEAM_TITLES.get(c.name, c.titles)
        staff_teams = [
            (team_name if n == 0 else f"{team_name} {n + 1}")
            for team_name in c.teams
            for n in range(_scaled(1, scale, rng))
        ]
        build_staff_team = team_builder(staff_teams, "Teamleder", team_titles, c.team_weight)
        grouped(centre, len(staff_teams), f"{c.name}, afsnit", build_staff_team)
        for d in c.departments:
            dept = add(Spec(d.name, UnitKind.DEPARTMENT, centre, d.leader_title, d.titles, 2))
            team_names = [
                (team_name if n == 0 else f"{team_name} {n + 1}")
                for team_name in d.teams
                for n in range(_scaled(1, scale, rng))
            ]

            build_team = team_builder(team_names, d.team_leader_title, team_titles, d.team_weight)
            grouped(dept, len(team_names), f"{d.name}, afsnit", build_team)
            for g in d.groups:
                grouped(dept, _scaled(g.base, scale, rng), g.area, institution_builder(g))

    def first_unit(name: str, under: int) -> int:
        """The first unit called `name` below `under` (depth-first)."""
        stack = list(reversed(units[under].children))
        while stack:
            index = stack.pop()
            if units[index].name == name:
                return index
            stack.extend(reversed(units[index].children))
        raise LookupError(name)

    login_units["hr"] = first_unit("Organisation og Ledelse", first_unit("HR og Organisation", root))
    login_units["admin"] = first_unit("IT-drift", first_unit("Digitalisering og IT", root))
    # The login chain: a centre head, a department leader with sub-units, a team leader, an employee.
    care = first_unit("Center for Sundhed og Omsorg", root)
    home_care = first_unit("Hjemmeplejen", care)
    team = next(i for i in range(home_care, len(units)) if units[i].kind == UnitKind.TEAM)
    login_units.update(centerchef=care, afdelingsleder=home_care, teamleder=team, medarbejder=team)

    protected: set[int] = set()
    for index in login_units.values():
        walk: int | None = index
        while walk is not None:
            protected.add(walk)
            walk = units[walk].parent
    _close_some(units, rng, protected)
    _decide_levels(units)
    return Plan(units=units, login_units=login_units)


def _close_some(units: list[Spec], rng: random.Random, protected: set[int]) -> None:
    """A few closed units: one institution in thirty (with its teams), one team in eighty."""

    def subtree(index: int) -> Iterator[int]:
        yield index
        for child in units[index].children:
            yield from subtree(child)

    institutions = [i for i, u in enumerate(units) if u.kind == UnitKind.INSTITUTION and i not in protected]
    for index in rng.sample(institutions, max(1, len(institutions) // 30)):
        for i in subtree(index):
            units[i].closed_on = INSTITUTION_CLOSED_ON
    teams = [
        i
        for i, u in enumerate(units)
        if u.kind == UnitKind.TEAM
        and u.closed_on is None
        and i not in protected
        and u.parent not in protected
    ]
    for index in rng.sample(teams, max(1, len(teams) // 80)):
        units[index].closed_on = TEAM_CLOSED_ON
    for u in units:
        if u.shares_leader_with is not None and (u.closed_on or units[u.shares_leader_with].closed_on):
            u.shares_leader_with = None


def _decide_levels(units: list[Spec]) -> None:
    for u in units:
        if u.level:
            continue
        led_children = any(units[c].closed_on is None for c in u.children)
        u.level = LOL if led_children else LOE


# --- Writing ------------------------------------------------------------------------------------------


def dk_number(number: int) -> str:
    """A whole number the Danish way: 500.000."""
    return f"{number:,}".replace(",", ".")


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


class _People:
    """Generates people: names weighted like Danish names, unique e-mails."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [s for s, _ in SURNAMES]
        cum, total = [], 0
        for _, weight in SURNAMES:
            total += weight
            cum.append(total)
        self.cum = cum
        self.emails: dict[str, int] = {}

    def next(self) -> tuple[str, str]:
        rng = self.rng
        first = rng.choice(FEMALE if rng.random() < 0.62 else MALE)  # municipal staff: mostly women
        last = rng.choices(self.surnames, cum_weights=self.cum)[0]
        middle = rng.choice(MIDDLE_NAMES) if rng.random() < 0.22 else ""
        name = " ".join(part for part in (first, middle, last) if part)
        local = f"{_ascii(first)}.{_ascii(last)}"
        seen = self.emails.get(local, 0) + 1
        self.emails[local] = seen
        email = f"{local}{seen if seen > 1 else ''}@{EMAIL_DOMAIN}"
        return name, email


def _since(rng: random.Random) -> dt.date:
    return dt.date(1998, 1, 1) + dt.timedelta(days=rng.randrange(27 * 365))


def _next_pk(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


@dataclass
class Summary:
    units: int
    closed_units: int
    people: int
    engagements: int
    login_people: dict[str, int]


def _allocate(weights: list[float], total: int, rng: random.Random) -> list[int]:
    """Split `total` over the weights (with some noise), exactly, by largest remainders."""
    noisy = [w * rng.uniform(0.75, 1.25) for w in weights]
    mass = sum(noisy) or 1.0
    shares = [total * w / mass for w in noisy]
    counts = [int(s) for s in shares]
    rest = total - sum(counts)
    order = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[:rest]:
        counts[i] += 1
    return counts


def build(*, people: int = DEFAULT_PEOPLE, seed: int = 1, stdout: Writer | None = None) -> Summary:
    """Write Demo Kommune into an organisation without units (see `wipe`)."""
    if people < MIN_PEOPLE:
        raise ValueError(f"Demo Kommune needs at least {MIN_PEOPLE} people, got {people}.")
    if Unit.objects.exists():
        raise ValueError("There are units already; wipe them first.")
    rng = random.Random(seed)
    say = (lambda text: stdout.write(text + "\n")) if stdout is not None else (lambda text: None)

    the_plan = plan(people, rng)
    specs = the_plan.units
    levels = {level.key: level.pk for level in PipelineLevel.objects.all()}
    unit_base, person_base, engagement_base = _next_pk(Unit), _next_pk(Person), _next_pk(Engagement)

    with transaction.atomic():
        # Units, with their paths computed from the explicit primary keys.
        paths: list[str] = []
        unit_rows = []
        for i, spec in enumerate(specs):
            pk = unit_base + i
            parent_path = paths[spec.parent] if spec.parent is not None else ""
            paths.append(parent_path + path_segment(pk))
            unit_rows.append(
                Unit(
                    pk=pk,
                    name=spec.name,
                    kind=spec.kind,
                    external_key=f"DEMO-U{i + 1:06d}",
                    parent_id=unit_base + spec.parent if spec.parent is not None else None,
                    path=paths[-1],
                    depth=len(paths[-1]) // PATH_SEGMENT_WIDTH - 1,
                    valid_from=UNITS_FROM,
                    valid_to=spec.closed_on,
                )
            )
        Unit.objects.bulk_create(unit_rows, batch_size=BATCH)
        closed = sum(1 for s in specs if s.closed_on)
        say(f"Enheder: {dk_number(len(specs))} ({closed} lukkede)")

        # People: one leader per open unit (some share a leader), employees by weight.
        open_units = [i for i, s in enumerate(specs) if s.closed_on is None]
        leaders_needed = sum(1 for i in open_units if specs[i].shares_leader_with is None)
        directors = rng.randint(2, 3)
        employees_total = max(0, people - leaders_needed - directors)
        employee_counts = dict(
            zip(
                open_units,
                _allocate([specs[i].weight for i in open_units], employees_total, rng),
                strict=True,
            )
        )
        # Units that must have an employee for the logins.
        for key in ("hr", "admin", "medarbejder"):
            unit_index = the_plan.login_units[key]
            if employee_counts.get(unit_index, 0) == 0:
                donor = max(employee_counts, key=lambda i: employee_counts[i])
                employee_counts[donor] -= 1
                employee_counts[unit_index] = 1

        names = _People(rng)
        persons: list[Person] = []
        engagements: list[Engagement] = []
        counters = {"person": 0, "engagement": 0, "written_people": 0}
        leader_of: dict[int, int] = {}  # unit index -> person pk of its leader
        first_employee: dict[int, int] = {}
        report_every = max(people // 10, 1)

        def new_person() -> int:
            pk = person_base + counters["person"]
            counters["person"] += 1
            name, email = names.next()
            persons.append(
                Person(pk=pk, name=name, email=email, external_key=f"DEMO-P{counters['person']:07d}")
            )
            return pk

        def engage(
            person_pk: int, unit_index: int, title: str, leader: bool, level: str, primary: bool = True
        ) -> None:
            pk = engagement_base + counters["engagement"]
            counters["engagement"] += 1
            engagements.append(
                Engagement(
                    pk=pk,
                    person_id=person_pk,
                    unit_id=unit_base + unit_index,
                    title=title,
                    is_leader=leader,
                    is_primary=primary,
                    pipeline_level_id=levels[level],
                    external_key=f"DEMO-E{counters['engagement']:07d}",
                    valid_from=_since(rng),
                )
            )

        def flush(force: bool = False) -> None:
            if len(persons) < BATCH and not force:
                return
            Person.objects.bulk_create(persons, batch_size=BATCH)
            Engagement.objects.bulk_create(engagements, batch_size=BATCH)
            before = counters["written_people"]
            counters["written_people"] += len(persons)
            if counters["written_people"] // report_every != before // report_every:
                say(f"Personer: {dk_number(counters['written_people'])} / {dk_number(people)}")
            persons.clear()
            engagements.clear()

        leaves_by_parent: dict[int | None, list[int]] = {}
        for i in open_units:
            if not specs[i].children:
                leaves_by_parent.setdefault(specs[i].parent, []).append(i)

        for i, spec in enumerate(specs):
            if spec.closed_on is not None:
                continue
            if spec.shares_leader_with is not None:
                # An earlier sibling's leader (itself perhaps shared) leads this unit too.
                leader_of[i] = leader_of[spec.shares_leader_with]
                engage(leader_of[i], i, spec.leader_title, True, spec.level, primary=False)
            else:
                leader = new_person()
                leader_of[i] = leader
                engage(leader, i, spec.leader_title, True, spec.level)
            if i == 0:
                for title in DIRECTORS[:directors]:
                    engage(new_person(), i, title, True, EX)
            for n in range(employee_counts.get(i, 0)):
                person = new_person()
                first_employee.setdefault(i, person)
                title = spec.titles[n % len(spec.titles)] if n < len(spec.titles) else rng.choice(spec.titles)
                engage(person, i, title, False, E)
                # About one in fifty also works a few hours in a neighbouring unit.
                if rng.random() < 0.02:
                    neighbours = [u for u in leaves_by_parent.get(spec.parent, []) if u != i]
                    if neighbours:
                        other = rng.choice(neighbours)
                        engage(person, other, rng.choice(specs[other].titles or spec.titles), False, E, False)
            flush()
        flush(force=True)

        _reset_sequences()
        login_people = {
            "direktion": leader_of[0],
            "hr": first_employee[the_plan.login_units["hr"]],
            "admin": first_employee[the_plan.login_units["admin"]],
            "centerchef": leader_of[the_plan.login_units["centerchef"]],
            "afdelingsleder": leader_of[the_plan.login_units["afdelingsleder"]],
            "teamleder": leader_of[the_plan.login_units["teamleder"]],
            "medarbejder": first_employee[the_plan.login_units["medarbejder"]],
        }
        # The HR and admin logins get fitting titles.
        Engagement.objects.filter(person_id=login_people["hr"]).update(title="HR-konsulent")
        Engagement.objects.filter(person_id=login_people["admin"]).update(title="Systemadministrator")
        create_logins(login_people)
        create_tasks()
        audit_record(
            actor=None,
            action="organisation.demo",
            obj=Unit.objects.get(pk=unit_base),
            changes={"units": [None, len(specs)], "people": [None, counters["person"]], "seed": [None, seed]},
        )
    return Summary(
        units=len(specs),
        closed_units=closed,
        people=counters["person"],
        engagements=counters["engagement"],
        login_people=login_people,
    )


def _reset_sequences() -> None:
    """Explicit primary keys do not move PostgreSQL's sequences; move them past the new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Unit, Person, Engagement])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def create_logins(login_people: dict[str, int]) -> None:
    """The demo users, each linked to its person. One password hash serves them all."""
    password = make_password(DEMO_PASSWORD)
    groups = {
        "direktion": [RoleGroup.EXECUTIVE],
        "hr": [RoleGroup.HR],
    }
    for username, _role in LOGINS:
        user, _created = User.objects.get_or_create(username=username)
        person = Person.objects.get(pk=login_people[username])
        first, _, last = person.name.rpartition(" ")
        user.first_name, user.last_name, user.email = first, last, person.email
        user.password = password
        user.is_active = True
        user.is_superuser = user.is_staff = username == "admin"
        user.save()
        user.groups.set([AuthGroup.objects.get_or_create(name=name)[0] for name in groups.get(username, [])])
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])


def login_lines() -> list[str]:
    """The demo logins that exist, as lines for the terminal."""
    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _ in LOGINS])}
    if not users:
        return ["Ingen demo-logins findes (organisationen er ikke demo-kommunen)."]
    people = {p.user_id: p for p in Person.objects.filter(user__in=users.values())}
    lines = [f"Demo-logins (adgangskode for alle: {DEMO_PASSWORD} – kun til demo):"]
    for username, role in LOGINS:
        user = users.get(username)
        if user is None:
            continue
        person = people.get(user.pk)
        where = ""
        if person is not None:
            engagement = (
                Engagement.objects.active()
                .filter(person=person, is_primary=True)
                .select_related("unit")
                .first()
            )
            where = f"{person.name}" + (f", {engagement.title}, {engagement.unit.name}" if engagement else "")
        lines.append(f"  {username:<15} {role:<40} {where}")
    return lines


# --- Tasks ------------------------------------------------------------------------------------------

TASKS: tuple[tuple[str, str, str, str, str], ...] = (
    (EX, UnitKind.EXECUTIVE, "better_effects", "Fastlægge fælles strategiske effektmål",
     "Set common strategic effect goals"),
    (EX, UnitKind.EXECUTIVE, "robust_organisation", "Prioritere og sekvensere forandringsporteføljen",
     "Prioritise and sequence the change portfolio"),
    (EX, UnitKind.EXECUTIVE, "stable_operations", "Fordele budgetrammer mellem centrene",
     "Allocate budget frames between the centres"),
    (EX, UnitKind.EXECUTIVE, "welfare_together", "Godkende kommunens samskabelsesstrategi",
     "Approve the municipality's co-creation strategy"),
    (FH, UnitKind.CENTRE, "better_effects", "Omsætte effektmål til mål for centrets afdelinger",
     "Translate effect goals into goals for the centre's departments"),
    (FH, UnitKind.CENTRE, "stable_operations", "Udarbejde og følge op på centrets budget",
     "Prepare and follow up on the centre's budget"),
    (FH, UnitKind.CENTRE, "robust_organisation", "Vurdere parathed før større forandringer",
     "Assess readiness before major changes"),
    (FH, UnitKind.STAFF, "stable_operations", "Fastlægge fælles processer og redskaber for hele kommunen",
     "Set common processes and tools for the whole municipality"),
    (FH, UnitKind.CENTRE, "welfare_together",
     "Inddrage borgere og virksomheder i centrets udviklingsprojekter",
     "Involve citizens and businesses in the centre's development projects"),
    (LOL, UnitKind.DEPARTMENT, "stable_operations", "Fordele ressourcer mellem enhederne",
     "Allocate resources between the units"),
    (LOL, UnitKind.DEPARTMENT, "stable_operations", "Udvikle og coache lederne i afdelingen",
     "Develop and coach the department's leaders"),
    (LOL, UnitKind.DEPARTMENT, "better_effects", "Følge op på indikatorer og effekter i afdelingen",
     "Follow up on indicators and effects in the department"),
    (LOL, UnitKind.INSTITUTION, "robust_organisation", "Lede forandringer i institutionen i rette tempo",
     "Lead changes in the institution at the right tempo"),
    (LOE, UnitKind.INSTITUTION, "stable_operations", "Lægge vagtplan og bemanding",
     "Plan rotas and staffing"),
    (LOE, UnitKind.INSTITUTION, "welfare_together", "Holde forældre- og pårørendemøder",
     "Hold meetings with parents and relatives"),
    (LOE, UnitKind.TEAM, "stable_operations", "Holde medarbejderudviklingssamtaler (MUS)",
     "Hold annual development dialogues"),
    (LOE, UnitKind.TEAM, "stable_operations", "Følge op på sygefravær",
     "Follow up on sickness absence"),
    (LOE, UnitKind.TEAM, "better_effects", "Holde dialogmøde om trivselsmålingen",
     "Hold the dialogue meeting on the well-being survey"),
    (LOE, UnitKind.TEAM, "robust_organisation", "Skabe rum for fælles refleksion over forandringer",
     "Make room for shared reflection on changes"),
    (E, UnitKind.TEAM, "stable_operations", "Dokumentere i borgerens journal",
     "Document in the citizen's record"),
    (E, UnitKind.TEAM, "better_effects", "Komme med forbedringsforslag",
     "Make improvement proposals"),
    (E, UnitKind.INSTITUTION, "welfare_together", "Samarbejde med borgere og pårørende om løsninger",
     "Work with citizens and relatives on solutions"),
)  # fmt: skip


def create_tasks() -> int:
    """The demo task register, when the register is empty."""
    if Task.objects.exists():
        return 0
    levels = {level.key: level for level in PipelineLevel.objects.all()}
    principles = {p.key: p for p in Principle.objects.all()}
    Task.objects.bulk_create(
        Task(
            name_da=name_da,
            name_en=name_en,
            pipeline_level=levels[level],
            unit_kind=kind,
            principle=principles.get(principle),
        )
        for level, kind, principle, name_da, name_en in TASKS
    )
    return len(TASKS)


# --- Wiping -------------------------------------------------------------------------------------------


def _dependent_models() -> list[type[models.Model]]:
    """The organisation's models and every model that refers to them, directly or through another."""
    result: list[type[models.Model]] = [Unit, Person, Engagement, Task]
    found = True
    while found:
        found = False
        for model in apps.get_models(include_auto_created=True):
            if model in result:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in result:
                    result.append(model)
                    found = True
                    break
    return result


def wipe() -> dict[str, int]:
    """Delete the organisation and everything that depends on it (surveys, goals …), in one
    transaction. Foreign keys are checked at commit, so the order of the deletes does not matter."""
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in _dependent_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")
            counts[model._meta.label] = cursor.rowcount
    return counts


def summary_lines(summary: Summary) -> list[str]:
    return [
        f"{MUNICIPALITY}: {dk_number(summary.units)} enheder ({summary.closed_units} lukkede), "
        f"{dk_number(summary.people)} personer, {dk_number(summary.engagements)} ansættelser."
    ]


def as_dict(summary: Summary) -> dict[str, Any]:
    return {"units": summary.units, "people": summary.people, "engagements": summary.engagements}
