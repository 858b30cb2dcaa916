"""Applying an organisation import: one transaction, bulk writes, audit rows.

`org_import_run` reads the files (`importers.read_org`), compares them with the
database (`importers.plan_import`) and, unless it is a dry run, applies the plan in ONE
transaction: a file with any error changes nothing.

Scale: 30,000 units and 500,000 people. The database is read in three queries as plain
tuples, and every write is a `bulk_create`/`bulk_update` in batches, so the number of
queries grows with rows ÷ batch size, never with rows. New units are inserted with a
temporary path, then every unit whose parent chain changed (new ones, moved ones and
their subtrees) gets its materialized path and depth in batched updates, the same
paths `services.unit_create` and `services.unit_move` give one unit at a time.

Audit: one row per changed object (`unit.create|update|move|close`,
`person.create|update`, `engagement.create|update|close`) with its fields as
[old, new], so a unit's or a person's history is found the usual way (by object), plus
one summary row per import (`org.import`, object type `organisation.Import`) with the
file names and the counts. The rows are bulk-inserted in the import's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kerne.accounts.models import AuditEntry
from kerne.accounts.roles import AnyUser
from kerne.organisation.importers import (
    DEFAULT_VALID_FROM,
    Change,
    EngagementRecord,
    EngagementState,
    Impact,
    ImportIssue,
    LevelInfo,
    Limits,
    PersonState,
    Plan,
    ProgressBar,
    ProgressFactory,
    Snapshot,
    SourceFile,
    Summary,
    UnitState,
    compute_paths,
    plan_import,
    read_org,
)
from kerne.organisation.models import Engagement, Person, PipelineLevel, Unit

BATCH = 500
PREVIEW_LIMIT = 100

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


@dataclass
class ImportResult:
    errors: list[ImportIssue] = field(default_factory=list)
    summary: Summary | None = None
    impact: Impact = field(default_factory=Impact)
    preview: list[Change] = field(default_factory=list)  # the first PREVIEW_LIMIT changes
    fingerprint: str = ""
    applied: bool = False
    stale: bool = False  # the plan differs from the previewed one: nothing was applied
    formats: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stale


class _NoProgress:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def _quiet(description: str, total: int | None) -> ProgressBar:
    return _NoProgress()


def load_levels() -> list[LevelInfo]:
    return [
        LevelInfo(*row)
        for row in PipelineLevel.objects.order_by("rank").values_list(
            "id", "key", "rank", "name_da", "name_en"
        )
    ]


def load_snapshot(levels: list[LevelInfo] | None = None) -> Snapshot:
    """The organisation as plain tuples: three queries, whatever its size."""
    units = [
        UnitState(*row)
        for row in Unit.objects.order_by().values_list(
            "id", "external_key", "parent_id", "path", "depth", "name", "kind", "valid_from", "valid_to"
        )
    ]
    persons = [
        PersonState(*row)
        for row in Person.objects.order_by().values_list("id", "external_key", "name", "email")
    ]
    engagements = [
        EngagementState(*row)
        for row in Engagement.objects.order_by().values_list(
            "id",
            "external_key",
            "person_id",
            "unit_id",
            "title",
            "is_leader",
            "is_primary",
            "pipeline_level_id",
            "valid_from",
            "valid_to",
        )
    ]
    return Snapshot(units, persons, engagements, levels if levels is not None else load_levels())


def org_import_run(
    *,
    actor: AnyUser | None,
    units_file: SourceFile,
    people_file: SourceFile | None = None,
    fmt: str = "auto",
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
    today: dt.date | None = None,
    progress: ProgressFactory | None = None,
    preview_limit: int = PREVIEW_LIMIT,
    limits: Limits | None = None,
) -> ImportResult:
    """Check the files, plan the import and (unless `dry_run`) apply it in one transaction.

    With `expected_fingerprint` (the confirm step of the upload page) the plan is made
    again inside the transaction and applied only if it is still the previewed one;
    otherwise the result is `stale` and nothing changes.
    """
    progress = progress or _quiet
    today = today or dt.date.today()
    levels = load_levels()
    parsed = read_org(
        units_file, people_file, fmt=fmt, levels=levels, today=today, progress=progress, limits=limits
    )
    result = ImportResult(errors=list(parsed.errors), formats=parsed.formats)
    if parsed.errors:
        return result

    def prepare() -> Plan:
        bar = progress(_("Sammenligner med organisationen"), None)
        plan = plan_import(parsed, load_snapshot(levels), today=today)
        bar.close()
        result.errors = plan.errors
        result.summary = plan.summary
        result.impact = plan.impact
        result.preview = list(islice(plan.iter_changes(), preview_limit))
        result.fingerprint = plan.fingerprint()
        return plan

    if dry_run:
        prepare()
        return result
    with transaction.atomic():
        plan = prepare()
        if result.errors:
            return result
        if expected_fingerprint is not None and result.fingerprint != expected_fingerprint:
            result.stale = True
            return result
        _apply(
            plan, actor=actor, files=[units_file] + ([people_file] if people_file else []), progress=progress
        )
        result.applied = True
    return result


def summary_lines(summary: Summary) -> list[str]:
    """What an import adds, changes and closes, in three sentences (command output and page message)."""
    units, persons, engagements = summary.units, summary.persons, summary.engagements
    return [
        _("Enheder: %(added)s tilføjet, %(changed)s ændret (heraf %(moved)s flyttet), %(closed)s lukket.")
        % {"added": units.added, "changed": units.changed, "moved": summary.moved, "closed": units.closed},
        _("Personer: %(added)s tilføjet, %(changed)s ændret, %(closed)s uden ansættelse.")
        % {"added": persons.added, "changed": persons.changed, "closed": persons.closed},
        _("Ansættelser: %(added)s tilføjet, %(changed)s ændret, %(closed)s afsluttet.")
        % {"added": engagements.added, "changed": engagements.changed, "closed": engagements.closed},
    ]


# --------------------------------------------------------------------------- applying


def _batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _create_keyed(
    model: type[M], records: Iterable[T], make: Callable[[T], M], key: Callable[[M], str], bar: ProgressBar
) -> dict[str, int]:
    """Create a model instance per record, batch by batch (never all at once); key → new id."""
    ids: dict[str, int] = {}
    for batch in _batches(records):
        objects = model._default_manager.bulk_create([make(r) for r in batch])
        ids.update((key(obj), obj.pk) for obj in objects)
        bar.update(len(batch))
    return ids


def _create(model: type[M], objects: Sequence[M], bar: ProgressBar) -> None:
    for batch in _batches(objects):
        model._default_manager.bulk_create(
            batch
        )  # sets the primary keys (RETURNING on SQLite and PostgreSQL)
        bar.update(len(batch))


def _update(model: type[M], objects: Iterable[M], fields: list[str], bar: ProgressBar) -> None:
    """Write `fields` of many rows, each with its own values.

    Django's `bulk_update` builds one CASE expression per field and row, which costs
    seconds per thousand rows; on SQLite (3.33+) and PostgreSQL one
    `UPDATE … FROM (VALUES …)` per batch does the same in milliseconds.
    """
    connection = connections[router.db_for_write(model)]
    fast = connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and _sqlite_version() >= (3, 33)
    )
    if not fast:
        for batch in _batches(objects):
            model._default_manager.bulk_update(batch, fields)
            bar.update(len(batch))
        return
    meta = model._meta
    targets = _concrete_fields(model, fields)
    pk = meta.pk
    assert pk is not None
    pk_column = connection.ops.quote_name(pk.column)
    columns = [pk.column] + [f.column for f in targets]
    table = connection.ops.quote_name(meta.db_table)
    names = [f"c{i}" for i in range(len(columns))]
    assignments = ", ".join(
        f"{connection.ops.quote_name(column)} = v.{name}"
        for column, name in zip(columns[1:], names[1:], strict=True)
    )
    if connection.vendor == "postgresql":
        types = [pk.db_type(connection)] + [f.db_type(connection) for f in targets]
        row_sql = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
    else:
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_batch = max(1, min(2000, _max_params(connection) // len(columns)))
    with connection.cursor() as cursor:
        for batch in _batches(objects, per_batch):
            params: list[Any] = []
            for obj in batch:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                for f in targets:
                    params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
            values = ", ".join([row_sql] * len(batch))
            if connection.vendor == "postgresql":
                sql = (
                    f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) AS v({', '.join(names)}) "
                    f"WHERE t.{pk_column} = v.c0"
                )
            else:
                sql = (
                    f"WITH v({', '.join(names)}) AS (VALUES {values}) "
                    f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk_column} = v.c0"
                )
            cursor.execute(sql, params)
            bar.update(len(batch))


def _concrete_fields(model: type[models.Model], names: list[str]) -> list[models.Field[Any, Any]]:
    fields = [model._meta.get_field(name) for name in names]
    concrete = [f for f in fields if isinstance(f, models.Field) and f.concrete]
    assert len(concrete) == len(fields), names
    return concrete


def _sqlite_version() -> tuple[int, ...]:
    import sqlite3

    return sqlite3.sqlite_version_info


def _max_params(connection: Any) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        try:
            return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        except (AttributeError, TypeError):
            return 999
    return 65535


def _insert_rows(
    model: type[M],
    fields: list[str],
    rows: Iterable[Sequence[Any]],
    bar: ProgressBar,
    constants: dict[str, Any] | None = None,
) -> None:
    """INSERT many rows without reading ids back (audit rows): one `executemany` per batch.

    `constants` are the same in every row; they are prepared for the database once.
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    constants = constants or {}
    fixed = [
        (f, f.get_db_prep_save(constants[f.name], connection))
        for f in _concrete_fields(model, list(constants))
    ]
    targets = _concrete_fields(model, fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [*(f for f, _v in fixed), *targets])
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * (len(fixed) + len(targets)))})"
    )
    head = [value for _f, value in fixed]
    as_is = [isinstance(f, models.CharField) for f in targets]  # text needs no preparing
    with connection.cursor() as cursor:
        for batch in _batches(rows, 2000):
            cursor.executemany(
                sql,
                [
                    head
                    + [
                        value if plain else f.get_db_prep_save(value, connection)
                        for f, plain, value in zip(targets, as_is, row, strict=True)
                    ]
                    for row in batch
                ],
            )
            bar.update(len(batch))


def _stage(progress: ProgressFactory, description: str, total: int) -> ProgressBar:
    return progress(description, total)


def _apply(plan: Plan, *, actor: AnyUser | None, files: list[SourceFile], progress: ProgressFactory) -> None:
    snapshot = plan.snapshot
    unit_ids = _apply_units(plan, snapshot.units, progress)
    person_ids = _apply_persons(plan, snapshot.persons, progress)
    engagement_ids = _apply_engagements(plan, unit_ids, person_ids, progress)
    _write_audit(plan, actor, files, unit_ids, person_ids, engagement_ids, progress)


def _apply_units(plan: Plan, states: list[UnitState], progress: ProgressFactory) -> dict[str, int]:
    ids = {u.key: u.id for u in states}
    by_id = {u.id: u for u in states}

    new_units = [
        Unit(
            name=r.name,
            kind=r.kind,
            external_key=r.key,
            path=f"~{r.key}",  # unique until the real path (which needs the id) is set below
            depth=0,
            valid_from=r.valid_from or DEFAULT_VALID_FROM,
            valid_to=r.valid_to,
        )
        for r in plan.unit_adds
    ]
    bar = _stage(progress, _("Opretter enheder"), len(new_units))
    _create(Unit, new_units, bar)
    bar.close()
    for unit in new_units:
        ids[unit.external_key] = unit.pk

    # The tree after the import: the file's parents for its units, the stored ones for the rest.
    parents: dict[int, int | None] = {u.id: u.parent_id for u in states}
    for key, parent_key in plan.unit_parent_keys.items():
        parents[ids[key]] = ids[parent_key] if parent_key else None
    paths = compute_paths(parents)
    new_ids = {u.pk for u in new_units}
    structure = [
        Unit(pk=unit_id, parent_id=parents[unit_id], path=path, depth=depth)
        for unit_id, (path, depth) in paths.items()
        if unit_id in new_ids
        or (by_id[unit_id].path, by_id[unit_id].depth, by_id[unit_id].parent_id)
        != (path, depth, parents[unit_id])
    ]
    bar = _stage(progress, _("Placerer enheder i træet"), len(structure))
    _update(Unit, structure, ["parent", "path", "depth"], bar)
    bar.close()

    changed = [
        Unit(
            pk=state.id,
            name=record.name,
            kind=record.kind,
            valid_from=record.valid_from or state.valid_from,
            valid_to=record.valid_to,
        )
        for state, record, _fields in plan.unit_updates
    ]
    changed += [
        Unit(
            pk=state.id,
            name=state.name,
            kind=state.kind,
            valid_from=state.valid_from,
            valid_to=plan.closed_valid_to(state.valid_from),
        )
        for state in plan.unit_closes
    ]
    bar = _stage(progress, _("Opdaterer enheder"), len(changed))
    _update(Unit, changed, ["name", "kind", "valid_from", "valid_to"], bar)
    bar.close()
    return ids


def _apply_persons(plan: Plan, states: list[PersonState], progress: ProgressFactory) -> dict[str, int]:
    ids = {p.key: p.id for p in states}
    bar = _stage(progress, _("Opretter personer"), len(plan.person_adds))
    ids |= _create_keyed(
        Person,
        plan.person_adds,
        lambda r: Person(name=r.name, email=r.email, external_key=r.key),
        lambda person: person.external_key,
        bar,
    )
    bar.close()
    changed = [Person(pk=state.id, name=r.name, email=r.email) for state, r, _f in plan.person_updates]
    bar = _stage(progress, _("Opdaterer personer"), len(changed))
    _update(Person, changed, ["name", "email"], bar)
    bar.close()
    return ids


def _apply_engagements(
    plan: Plan, unit_ids: dict[str, int], person_ids: dict[str, int], progress: ProgressFactory
) -> dict[str, int]:
    level_ids = {level.key: level.id for level in plan.snapshot.levels}

    def make(r: EngagementRecord) -> Engagement:
        return Engagement(
            person_id=person_ids[r.person_key],
            unit_id=unit_ids[r.unit_key],
            title=r.title,
            is_leader=r.is_leader,
            is_primary=r.is_primary,
            pipeline_level_id=level_ids[r.level] if r.level else None,
            external_key=r.key,
            valid_from=r.valid_from or DEFAULT_VALID_FROM,
            valid_to=r.valid_to,
        )

    bar = _stage(progress, _("Opretter ansættelser"), len(plan.engagement_adds))
    ids = _create_keyed(Engagement, plan.engagement_adds, make, lambda e: e.external_key or "", bar)
    bar.close()

    changed = [
        Engagement(
            pk=state.id,
            person_id=person_ids[r.person_key],
            unit_id=unit_ids[r.unit_key],
            title=r.title,
            is_leader=r.is_leader,
            is_primary=r.is_primary,
            pipeline_level_id=level_ids[r.level] if r.level else None,
            valid_from=r.valid_from or state.valid_from,
            valid_to=r.valid_to,
        )
        for state, r, _fields in plan.engagement_updates
    ]
    bar = _stage(progress, _("Opdaterer ansættelser"), len(changed))
    _update(
        Engagement,
        changed,
        ["person", "unit", "title", "is_leader", "is_primary", "pipeline_level", "valid_from", "valid_to"],
        bar,
    )
    bar.close()
    closed = (
        Engagement(pk=s.id, valid_to=plan.closed_valid_to(s.valid_from)) for s in plan.engagement_closes
    )
    bar = _stage(progress, _("Afslutter ansættelser"), len(plan.engagement_closes))
    _update(Engagement, closed, ["valid_to"], bar)
    bar.close()
    return ids


_ACTIONS = {
    ("unit", "added"): "unit.create",
    ("unit", "changed"): "unit.update",
    ("unit", "closed"): "unit.close",
    ("person", "added"): "person.create",
    ("person", "changed"): "person.update",
    ("engagement", "added"): "engagement.create",
    ("engagement", "changed"): "engagement.update",
    ("engagement", "closed"): "engagement.close",
}
_TYPES = {"unit": Unit._meta.label, "person": Person._meta.label, "engagement": Engagement._meta.label}


def _write_audit(
    plan: Plan,
    actor: AnyUser | None,
    files: list[SourceFile],
    unit_ids: dict[str, int],
    person_ids: dict[str, int],
    engagement_ids: dict[str, int],
    progress: ProgressFactory,
) -> None:
    user = actor if isinstance(actor, User) else None
    actor_name = user.get_username() if user else "system"
    closed_engagement_ids = {s.key or f"#{s.id}": s.id for s in plan.engagement_closes}
    updated_engagement_ids = {r.key: s.id for s, r, _f in plan.engagement_updates}

    def object_id(change: Change) -> Any:
        if change.entity == "unit":
            return unit_ids[change.key]
        if change.entity == "person":
            return person_ids[change.key]
        if change.action == "closed":
            return closed_engagement_ids[change.key]
        return engagement_ids.get(change.key) or updated_engagement_ids[change.key]

    constants = {"at": timezone.now(), "actor": user.pk if user else None, "actor_name": actor_name}
    fields = ["action", "object_type", "object_id", "object_repr", "changes"]

    def rows() -> Iterator[list[Any]]:
        for change in plan.iter_changes():
            action = _ACTIONS[(change.entity, change.action)]
            if action == "unit.update" and "parent" in change.fields:
                action = "unit.move"
            yield [
                action,
                _TYPES[change.entity],
                str(object_id(change)),
                change.label[:300],
                change.fields,
            ]
        yield [
            "org.import",
            "organisation.Import",
            plan.fingerprint()[:16],
            " + ".join(f.name for f in files)[:300],
            {name: [None, value] for name, value in plan.summary.as_dict().items()},
        ]

    bar = _stage(progress, _("Skriver revisionslog"), plan.summary.total + 1)
    _insert_rows(AuditEntry, fields, rows(), bar, constants)
    bar.close()
