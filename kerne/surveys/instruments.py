"""Instruments (questionnaires) as data: load, validate, export as YAML or JSON.

File format (YAML; JSON has the same structure)::

    key: social-capital            # slug; importing the same key again updates or versions it
    kind: social_capital           # social_capital | leadership_360 | citizen | other
    name: {da: Social kapital, en: Social capital}
    description: {da: ..., en: ...}   # optional, shown to respondents before the items
    licence: ...                      # optional: source and licence of the questionnaire
    scale: agree5                     # optional default scale of the items (kerne/surveys/scales.py)
    dimensions:
      - key: trust-bonding
        name: {da: ..., en: ...}
        value: trust                  # optional: foundation Value key, or
        behaviour: direction          #           foundation Behaviour key (not both)
        aspect: bonding               # optional: bonding | bridging | linking
        items:
          - key: trust-bonding-1
            text: {da: ..., en: ...}  # a plain string means Danish only
            reversed: false           # optional: negatively worded, mirrored in scoring
            optional: false           # optional: may be left unanswered
            scale: agree5             # optional
            wordings:                 # optional: per rater group (360): self, manager, peer, employee
              self: {da: Jeg ..., en: I ...}
    free_text:                        # optional free-text questions
      - key: works-well
        text: {da: ..., en: ...}

Items are numbered across dimensions in file order; an item's number is its byte in
the packed answers (kerne/surveys/packing.py), which is why an instrument used by a
launched round never changes: importing a changed file with the same key then creates
a new version. Validation reports every problem as "line N: message".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import F

from kerne.surveys.models import Instrument, InstrumentKind, RaterGroup, Round
from kerne.surveys.scales import DEFAULT_SCALE, SCALES

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_FILES = {
    "social-capital": DATA_DIR / "social_capital.yaml",
    "leadership-360": DATA_DIR / "leadership_360.yaml",
    "citizen-quality": DATA_DIR / "citizen_quality.yaml",
}
SHIPPED_BY_KIND = {
    InstrumentKind.SOCIAL_CAPITAL.value: "social-capital",
    InstrumentKind.LEADERSHIP_360.value: "leadership-360",
    InstrumentKind.CITIZEN.value: "citizen-quality",
}

MAX_ITEMS = 250  # one byte each in a packed response; keep pages answerable
MAX_NAME = 200
MAX_TEXT = 2000
LANGUAGES = ("da", "en")
ASPECTS = ("", "bonding", "bridging", "linking")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")

TOP_FIELDS = {"key", "version", "kind", "name", "description", "licence", "scale", "dimensions", "free_text"}
DIMENSION_FIELDS = {"key", "name", "value", "behaviour", "aspect", "items"}
ITEM_FIELDS = {"key", "text", "reversed", "optional", "scale", "wordings"}
FREE_TEXT_FIELDS = {"key", "text"}


class InstrumentError(ValueError):
    """An instrument file with problems; `errors` are "line N: message" strings."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


# --- Plain data ------------------------------------------------------------------------


@dataclass
class ItemSpec:
    key: str
    text_da: str
    text_en: str = ""
    scale: str = DEFAULT_SCALE
    reversed: bool = False
    optional: bool = False
    wordings: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class DimensionSpec:
    key: str
    name_da: str
    name_en: str = ""
    value: str | None = None
    behaviour: str | None = None
    aspect: str = ""
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class FreeTextSpec:
    key: str
    text_da: str
    text_en: str = ""


@dataclass
class InstrumentSpec:
    key: str
    kind: str
    name_da: str
    name_en: str = ""
    description_da: str = ""
    description_en: str = ""
    licence: str = ""
    dimensions: list[DimensionSpec] = field(default_factory=list)
    free_text: list[FreeTextSpec] = field(default_factory=list)

    @property
    def items(self) -> list[ItemSpec]:
        return [item for dimension in self.dimensions for item in dimension.items]

    def as_data(self) -> dict[str, Any]:
        """The file structure (what export writes and import reads)."""
        data: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "name": _bilingual(self.name_da, self.name_en),
        }
        if self.description_da or self.description_en:
            data["description"] = _bilingual(self.description_da, self.description_en)
        if self.licence:
            data["licence"] = self.licence
        data["dimensions"] = []
        for dimension in self.dimensions:
            d: dict[str, Any] = {
                "key": dimension.key,
                "name": _bilingual(dimension.name_da, dimension.name_en),
            }
            if dimension.value:
                d["value"] = dimension.value
            if dimension.behaviour:
                d["behaviour"] = dimension.behaviour
            if dimension.aspect:
                d["aspect"] = dimension.aspect
            d["items"] = []
            for item in dimension.items:
                i: dict[str, Any] = {"key": item.key, "text": _bilingual(item.text_da, item.text_en)}
                if item.scale != DEFAULT_SCALE:
                    i["scale"] = item.scale
                if item.reversed:
                    i["reversed"] = True
                if item.optional:
                    i["optional"] = True
                if item.wordings:
                    i["wordings"] = {
                        group: dict(item.wordings[group])
                        for group in RaterGroup.values
                        if group in item.wordings
                    }
                d["items"].append(i)
            data["dimensions"].append(d)
        if self.free_text:
            data["free_text"] = [
                {"key": q.key, "text": _bilingual(q.text_da, q.text_en)} for q in self.free_text
            ]
        return data


def _clean(text: str, *, paragraphs: bool = False) -> str:
    """Runs of white space become one space; with `paragraphs`, blank lines are kept."""
    if not paragraphs:
        return " ".join(text.split())
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())


def _bilingual(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en} if en else {"da": da}


# --- YAML with line numbers ------------------------------------------------------------


class _Map(dict[Any, Any]):
    line: int = 0
    key_lines: dict[Any, int]


class _Seq(list[Any]):
    line: int = 0
    item_lines: list[int]


class _MarkedLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember their lines (1-based)."""

    duplicates: list[str]


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    mapping = _Map()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            loader.duplicates.append(f"line {line}: a field name must be plain text")
            continue
        if key in mapping:
            loader.duplicates.append(f"line {line}: field {key!r} appears twice")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_sequence(loader: _MarkedLoader, node: yaml.SequenceNode) -> _Seq:
    sequence = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_marked(text: str, format: str = "yaml") -> Any:
    """Parse YAML or JSON into dicts/lists that know their line numbers."""
    if format not in ("yaml", "json"):
        raise InstrumentError([f"line 1: unknown format {format!r} (yaml or json)"])
    if format == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InstrumentError([f"line {exc.lineno}: invalid JSON: {exc.msg}"]) from None
    loader = _MarkedLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        if format == "json":  # valid JSON that YAML reads differently (rare): no line numbers
            data = json.loads(text)
        else:
            raise InstrumentError([f"line {line}: invalid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise InstrumentError([f"line 1: invalid {format.upper()}: {exc}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise InstrumentError(loader.duplicates)
    return data


# --- Validation (pure) -----------------------------------------------------------------


class _Checker:
    def __init__(self, known_values: set[str] | None, known_behaviours: set[str] | None) -> None:
        self.errors: list[str] = []
        self.known_values = known_values
        self.known_behaviours = known_behaviours

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"line {line}: {message}")

    @staticmethod
    def line_of(container: Any, key: Any, default: int) -> int:
        if isinstance(container, _Map):
            return container.key_lines.get(key, container.line or default)
        if isinstance(container, _Seq) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
        return getattr(container, "line", 0) or default

    def mapping(self, value: Any, line: int, what: str, allowed: set[str]) -> dict[Any, Any] | None:
        if not isinstance(value, dict):
            self.error(line, f"{what} must be a mapping of fields")
            return None
        for name in value:
            if name not in allowed:
                self.error(
                    self.line_of(value, name, line),
                    f"unknown field {name!r} in {what} (allowed: {', '.join(sorted(allowed))})",
                )
        return value

    def slug(self, data: dict[Any, Any], line: int, what: str, seen: set[str]) -> str:
        value = data.get("key")
        at = self.line_of(data, "key", line)
        if value is None:
            self.error(line, f"{what} has no key")
            return ""
        if not isinstance(value, str) or not _SLUG.match(value):
            self.error(at, f"key {value!r} of {what}: use 1–64 letters a–z, digits, '-' or '_'")
            return str(value)
        if value in seen:
            self.error(at, f"key {value!r} is used twice")
        seen.add(value)
        return value

    def text(
        self,
        data: dict[Any, Any],
        name: str,
        line: int,
        what: str,
        *,
        required: bool,
        limit: int,
        paragraphs: bool = False,
    ) -> tuple[str, str]:
        """A bilingual text: {da: ..., en: ...} or a plain string (Danish)."""
        value = data.get(name)
        at = self.line_of(data, name, line)
        if value is None:
            if required:
                self.error(line, f"{what} has no {name} (Danish text is required)")
            return "", ""
        if isinstance(value, str):
            value = {"da": value}
        if not isinstance(value, dict):
            self.error(at, f"{name} of {what} must be text or a mapping with 'da' and 'en'")
            return "", ""
        texts: dict[str, str] = {}
        for language, text in value.items():
            text_line = self.line_of(value, language, at)
            if language not in LANGUAGES:
                self.error(text_line, f"unknown language {language!r} in {name} of {what} (use da, en)")
                continue
            if not isinstance(text, str):
                self.error(text_line, f"{name} ({language}) of {what} must be text")
                continue
            text = _clean(text, paragraphs=paragraphs)
            if len(text) > limit:
                self.error(text_line, f"{name} ({language}) of {what} is longer than {limit} characters")
            texts[language] = text
        if required and not texts.get("da"):
            self.error(at, f"{what} has no Danish {name} (da)")
        return texts.get("da", ""), texts.get("en", "")

    def flag(self, data: dict[Any, Any], name: str, line: int, what: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.error(self.line_of(data, name, line), f"{name} of {what} must be true or false")
            return False
        return value

    def scale(self, data: dict[Any, Any], line: int, what: str, default: str) -> str:
        value = data.get("scale", default)
        if value not in SCALES:
            self.error(
                self.line_of(data, "scale", line),
                f"unknown scale {value!r} in {what} (known: {', '.join(sorted(SCALES))})",
            )
            return DEFAULT_SCALE
        return str(value)

    def sequence(self, data: dict[Any, Any], name: str, line: int, what: str, *, required: bool) -> list[Any]:
        value = data.get(name)
        if value is None:
            if required:
                self.error(line, f"{what} has no {name}")
            return []
        if not isinstance(value, list):
            self.error(self.line_of(data, name, line), f"{name} of {what} must be a list")
            return []
        if required and not value:
            self.error(self.line_of(data, name, line), f"{name} of {what} is empty")
        return value


def parse_instrument(
    text: str,
    *,
    format: str = "yaml",
    known_values: set[str] | None = None,
    known_behaviours: set[str] | None = None,
) -> InstrumentSpec:
    """Validate an instrument file; every problem is reported at once as "line N: ...".

    `known_values`/`known_behaviours` are the foundation's keys (None: not checked).
    """
    return parse_instrument_data(
        read_marked(text, format), known_values=known_values, known_behaviours=known_behaviours
    )


def parse_instrument_data(
    data: Any, *, known_values: set[str] | None = None, known_behaviours: set[str] | None = None
) -> InstrumentSpec:
    check = _Checker(known_values, known_behaviours)
    top = check.mapping(data, 1, "the instrument", TOP_FIELDS)
    if top is None:
        raise InstrumentError(check.errors)
    key = check.slug(top, 1, "the instrument", set())
    kind = top.get("kind")
    if kind not in InstrumentKind.values:
        check.error(
            check.line_of(top, "kind", 1),
            f"kind {kind!r} is not one of {', '.join(InstrumentKind.values)}",
        )
    name_da, name_en = check.text(top, "name", 1, "the instrument", required=True, limit=MAX_NAME)
    description_da, description_en = check.text(
        top, "description", 1, "the instrument", required=False, limit=MAX_TEXT * 2, paragraphs=True
    )
    licence = top.get("licence", "") or ""
    if not isinstance(licence, str):
        check.error(check.line_of(top, "licence", 1), "licence must be text")
        licence = ""
    default_scale = check.scale(top, 1, "the instrument", DEFAULT_SCALE)
    spec = InstrumentSpec(
        key=key,
        kind=str(kind),
        name_da=name_da,
        name_en=name_en,
        description_da=description_da,
        description_en=description_en,
        licence=licence.strip(),
    )

    dimension_keys: set[str] = set()
    item_keys: set[str] = set()
    dimensions = check.sequence(top, "dimensions", 1, "the instrument", required=True)
    for index, raw_dimension in enumerate(dimensions):
        line = check.line_of(dimensions, index, 1)
        what = f"dimension {index + 1}"
        d = check.mapping(raw_dimension, line, what, DIMENSION_FIELDS)
        if d is None:
            continue
        line = getattr(d, "line", line)
        dimension_key = check.slug(d, line, what, dimension_keys)
        what = f"dimension {dimension_key!r}"
        dim_da, dim_en = check.text(d, "name", line, what, required=True, limit=MAX_NAME)
        value = _foundation_key(check, d, "value", line, what, check.known_values)
        behaviour = _foundation_key(check, d, "behaviour", line, what, check.known_behaviours)
        if value and behaviour:
            check.error(line, f"{what} links both a value and a behaviour; choose one")
        aspect = d.get("aspect", "") or ""
        if aspect not in ASPECTS:
            check.error(
                check.line_of(d, "aspect", line),
                f"aspect {aspect!r} of {what} is not one of bonding, bridging, linking",
            )
            aspect = ""
        dimension = DimensionSpec(
            key=dimension_key,
            name_da=dim_da,
            name_en=dim_en,
            value=value,
            behaviour=behaviour,
            aspect=str(aspect),
        )
        items = check.sequence(d, "items", line, what, required=True)
        for item_index, raw_item in enumerate(items):
            item_line = check.line_of(items, item_index, line)
            item_what = f"item {item_index + 1} of {what}"
            i = check.mapping(raw_item, item_line, item_what, ITEM_FIELDS)
            if i is None:
                continue
            item_line = getattr(i, "line", item_line)
            item_key = check.slug(i, item_line, item_what, item_keys)
            item_what = f"item {item_key!r}"
            text_da, text_en = check.text(i, "text", item_line, item_what, required=True, limit=MAX_TEXT)
            dimension.items.append(
                ItemSpec(
                    key=item_key,
                    text_da=text_da,
                    text_en=text_en,
                    scale=check.scale(i, item_line, item_what, default_scale),
                    reversed=check.flag(i, "reversed", item_line, item_what),
                    optional=check.flag(i, "optional", item_line, item_what),
                    wordings=_wordings(check, i, item_line, item_what),
                )
            )
        spec.dimensions.append(dimension)

    if len(item_keys) > MAX_ITEMS:
        check.error(check.line_of(top, "dimensions", 1), f"more than {MAX_ITEMS} items")
    free_keys: set[str] = set()
    free_texts = check.sequence(top, "free_text", 1, "the instrument", required=False)
    for index, raw_question in enumerate(free_texts):
        line = check.line_of(free_texts, index, 1)
        what = f"free-text question {index + 1}"
        q = check.mapping(raw_question, line, what, FREE_TEXT_FIELDS)
        if q is None:
            continue
        line = getattr(q, "line", line)
        question_key = check.slug(q, line, what, free_keys)
        text_da, text_en = check.text(
            q, "text", line, f"free-text question {question_key!r}", required=True, limit=MAX_TEXT
        )
        spec.free_text.append(FreeTextSpec(key=question_key, text_da=text_da, text_en=text_en))
    if item_keys & free_keys:
        check.error(
            check.line_of(top, "free_text", 1),
            f"free-text keys also used by items: {', '.join(sorted(item_keys & free_keys))}",
        )
    if check.errors:
        raise InstrumentError(check.errors)
    return spec


def _foundation_key(
    check: _Checker, d: dict[Any, Any], name: str, line: int, what: str, known: set[str] | None
) -> str | None:
    value = d.get(name)
    if value is None or value == "":
        return None
    at = check.line_of(d, name, line)
    if not isinstance(value, str):
        check.error(at, f"{name} of {what} must be a foundation {name} key")
        return None
    if known is not None and value not in known:
        check.error(
            at, f"unknown foundation {name} {value!r} in {what} (known: {', '.join(sorted(known)) or 'none'})"
        )
    return value


def _wordings(check: _Checker, i: dict[Any, Any], line: int, what: str) -> dict[str, dict[str, str]]:
    raw = i.get("wordings")
    if raw is None:
        return {}
    at = check.line_of(i, "wordings", line)
    if not isinstance(raw, dict):
        check.error(at, f"wordings of {what} must be a mapping of rater groups")
        return {}
    wordings: dict[str, dict[str, str]] = {}
    for group in raw:
        group_line = check.line_of(raw, group, at)
        if group not in RaterGroup.values:
            check.error(
                group_line, f"unknown rater group {group!r} in {what} (known: {', '.join(RaterGroup.values)})"
            )
            continue
        da, en = check.text(raw, group, group_line, f"{what} for {group}", required=True, limit=MAX_TEXT)
        wordings[group] = _bilingual(da, en)
    return wordings


# --- Database --------------------------------------------------------------------------


def instrument_is_locked(instrument: Any) -> bool:
    """Used by a launched (open or closed) round: its items and their order are frozen."""
    return bool(instrument.rounds.exclude(status=Round.Status.DRAFT).exists())


def spec_from_instrument(instrument: Any) -> InstrumentSpec:
    """The plain data of a stored instrument (works with migration models too)."""
    spec = InstrumentSpec(
        key=instrument.key,
        kind=instrument.kind,
        name_da=instrument.name_da,
        name_en=instrument.name_en,
        description_da=instrument.description_da,
        description_en=instrument.description_en,
        licence=instrument.licence,
    )
    items_by_dimension: dict[int, list[ItemSpec]] = {}
    for item in instrument.items.order_by("position"):
        items_by_dimension.setdefault(item.dimension_id, []).append(
            ItemSpec(
                key=item.key,
                text_da=item.text_da,
                text_en=item.text_en,
                scale=item.scale,
                reversed=item.reversed,
                optional=item.optional,
                wordings=item.wordings or {},
            )
        )
    for dimension in instrument.dimensions.order_by("position").select_related("value", "behaviour"):
        spec.dimensions.append(
            DimensionSpec(
                key=dimension.key,
                name_da=dimension.name_da,
                name_en=dimension.name_en,
                value=dimension.value.key if dimension.value_id else None,
                behaviour=dimension.behaviour.key if dimension.behaviour_id else None,
                aspect=dimension.aspect,
                items=items_by_dimension.get(dimension.pk, []),
            )
        )
    for question in instrument.free_text_questions.order_by("position"):
        spec.free_text.append(
            FreeTextSpec(key=question.key, text_da=question.text_da, text_en=question.text_en)
        )
    return spec


def _known_keys(apps: Any) -> tuple[set[str], set[str]]:
    value_model = apps.get_model("foundation", "Value")
    behaviour_model = apps.get_model("foundation", "Behaviour")
    return (
        set(value_model.objects.values_list("key", flat=True)),
        set(behaviour_model.objects.values_list("key", flat=True)),
    )


def instrument_save(
    *, spec: InstrumentSpec, shipped: bool = False, actor: Any = None, apps: Any = None
) -> Any:
    """Store a validated instrument, by key:

    - a new key → version 1;
    - the same content as the latest version → that version, unchanged;
    - the latest version used by a launched round → a new version (the old one stays frozen);
    - otherwise the latest version is updated in place (rows matched by key).

    `apps` is a migration's app registry (None: the real models, with an audit row).
    """
    registry = apps or django_apps
    instrument_model = registry.get_model("surveys", "Instrument")
    with transaction.atomic():
        latest = instrument_model.objects.filter(key=spec.key).order_by("-version").first()
        if latest is not None and spec_from_instrument(latest).as_data() == spec.as_data():
            if shipped and not latest.shipped:
                latest.shipped = True
                latest.save(update_fields=["shipped"])
            return latest
        fields = {
            "kind": spec.kind,
            "name_da": spec.name_da,
            "name_en": spec.name_en,
            "description_da": spec.description_da,
            "description_en": spec.description_en,
            "licence": spec.licence,
            "shipped": shipped,
        }
        round_model = registry.get_model("surveys", "Round")
        locked = (
            latest is not None
            and round_model.objects.filter(instrument=latest).exclude(status=Round.Status.DRAFT).exists()
        )
        if latest is None or locked:
            version = latest.version + 1 if latest is not None else 1
            instrument = instrument_model.objects.create(key=spec.key, version=version, **fields)
            action = "instrument.create"
        else:
            instrument = latest
            for name, value in fields.items():
                setattr(instrument, name, value)
            instrument.save()
            action = "instrument.update"
        _sync_rows(registry, instrument, spec)
        if apps is None:
            from kerne.accounts.audit import audit_record

            audit_record(
                actor=actor,
                action=action,
                obj=instrument,
                changes={"version": [None, instrument.version], "items": [None, len(spec.items)]},
            )
    return instrument


def _sync_rows(registry: Any, instrument: Any, spec: InstrumentSpec) -> None:
    dimension_model = registry.get_model("surveys", "Dimension")
    item_model = registry.get_model("surveys", "Item")
    question_model = registry.get_model("surveys", "FreeTextQuestion")
    value_model = registry.get_model("foundation", "Value")
    behaviour_model = registry.get_model("foundation", "Behaviour")
    values = {v.key: v for v in value_model.objects.all()}
    behaviours = {b.key: b for b in behaviour_model.objects.all()}

    # Move existing positions out of the way so the unique (instrument, position) holds
    # while rows are renumbered.
    shift = 10_000
    for model in (dimension_model, item_model, question_model):
        model.objects.filter(instrument=instrument).update(position=F("position") + shift)

    dimensions = {d.key: d for d in dimension_model.objects.filter(instrument=instrument)}
    items = {i.key: i for i in item_model.objects.filter(instrument=instrument)}
    questions = {q.key: q for q in question_model.objects.filter(instrument=instrument)}
    item_position = 0
    for position, d in enumerate(spec.dimensions):
        dimension = dimensions.pop(d.key, None) or dimension_model(instrument=instrument, key=d.key)
        dimension.position = position
        dimension.name_da, dimension.name_en, dimension.aspect = d.name_da, d.name_en, d.aspect
        dimension.value = values.get(d.value) if d.value else None
        dimension.behaviour = behaviours.get(d.behaviour) if d.behaviour else None
        if d.value and dimension.value is None:
            raise InstrumentError([f"line 1: unknown foundation value {d.value!r}"])
        if d.behaviour and dimension.behaviour is None:
            raise InstrumentError([f"line 1: unknown foundation behaviour {d.behaviour!r}"])
        dimension.save()
        for it in d.items:
            item = items.pop(it.key, None) or item_model(instrument=instrument, key=it.key)
            item.dimension = dimension
            item.position = item_position
            item_position += 1
            item.text_da, item.text_en, item.wordings = it.text_da, it.text_en, it.wordings
            item.scale, item.reversed, item.optional = it.scale, it.reversed, it.optional
            item.save()
    for position, q in enumerate(spec.free_text):
        question = questions.pop(q.key, None) or question_model(instrument=instrument, key=q.key)
        question.position = position
        question.text_da, question.text_en = q.text_da, q.text_en
        question.save()
    for leftover in (*items.values(), *questions.values(), *dimensions.values()):
        leftover.delete()


def load_instrument_file(
    path_or_text: str | Path,
    *,
    format: str = "yaml",
    actor: Any = None,
    shipped: bool = False,
    apps: Any = None,
) -> Instrument:
    """Import an instrument from a file (a Path) or its text (a str). Raises InstrumentError."""
    text = _read(path_or_text)
    known_values, known_behaviours = _known_keys(apps or django_apps)
    spec = parse_instrument(text, format=format, known_values=known_values, known_behaviours=known_behaviours)
    instrument: Instrument = instrument_save(spec=spec, shipped=shipped, actor=actor, apps=apps)
    return instrument


def _read(path_or_text: str | Path) -> str:
    """A Path is read from disk; a str is always the file's text. Text that merely looks
    like a path is never opened: uploaded text must not name files on the server."""
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8")
    return path_or_text


def export_instrument(instrument: Any, format: str = "yaml") -> str:
    """The instrument as a file that `load_instrument_file` reads back to the same content."""
    data = spec_from_instrument(instrument).as_data()
    data = {"key": data.pop("key"), "version": instrument.version, **data}
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if format == "yaml":
        header = f"# {instrument.name_da} (version {instrument.version}), exported from Kerne\n"
        return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"unknown format {format!r} (yaml or json)")


def load_shipped_instruments(*, apps: Any = None) -> list[Any]:
    """Load (or update) the instruments that ship with Kerne, from data/*.yaml."""
    return [load_instrument_file(path, shipped=True, apps=apps) for path in SHIPPED_FILES.values()]


def shipped_instrument(kind_or_key: str) -> Instrument:
    """The latest version of a shipped instrument, by key ("social-capital") or kind
    ("social_capital"); loaded from its file if this database lacks it (e.g. after a
    test flushed the tables)."""
    key = SHIPPED_BY_KIND.get(kind_or_key, kind_or_key)
    if key not in SHIPPED_FILES:
        raise KeyError(f"no shipped instrument {kind_or_key!r}; known: {', '.join(SHIPPED_FILES)}")
    versions = Instrument.objects.filter(key=key).order_by("-shipped", "-version")
    instrument = versions.first()
    if instrument is not None:
        return instrument
    from kerne.foundation.models import Value

    if not Value.objects.exists():
        from kerne.foundation.seed import load_foundation, read_foundation

        load_foundation(django_apps, read_foundation())
    return load_instrument_file(SHIPPED_FILES[key], shipped=True)
