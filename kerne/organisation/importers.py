"""Reading organisation files and planning what an import changes.

Pure functions over bytes and plain data (no database, no HTTP):

- `read_org` turns a units file (+ an optional people file) into plain records and
  collects *every* problem as an `ImportIssue` (file, sheet, row, column, message).
  Formats: CSV as Danish Excel saves it (`;`/`,`/tab separated, UTF-8 with or without
  BOM, UTF-16, or Windows-1252), XLSX with an `enheder`/`units` and a
  `personer`/`people` sheet, and an OS2mo GraphQL export saved as JSON.
- `plan_import` compares the records with a `Snapshot` of the database and returns a
  `Plan`: what to add, change and close. The file is the whole truth: units and
  engagements missing from it are closed (never deleted).
- `compute_paths` gives every unit its materialized path and depth from a parent map.

`import_service.py` loads the snapshot, calls these and applies the plan in one
transaction. docs/import.md documents the accepted files.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats
from django.utils.translation import gettext as _

from kerne.i18n import long_date
from kerne.organisation.models import PATH_SEGMENT_WIDTH, UnitKind, path_segment
from kerne.organisation.names import clean_name, strip_invisible

FORMATS = ("auto", "csv", "xlsx", "os2mo")
DEFAULT_VALID_FROM = dt.date(2000, 1, 1)  # the models' default
MAX_DEPTH = 255 // PATH_SEGMENT_WIDTH - 1  # the path column holds 255 characters
MAX_KEY = 100
MAX_NAME = 200
# An OS2mo export nests about ten levels deep; deeper input is refused before it is parsed
# (Python's JSON parser and everything that walks the result recurse).
MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class Limits:
    """How much one import may read (the upload page sets them from settings; None: no limit).

    `max_rows` counts the data rows of each file or sheet, and the org units and the
    engagements of an OS2mo export; reading stops at the first row past it.
    `max_unpacked_bytes` bounds what an XLSX (a zip archive) unpacks to.
    """

    max_rows: int | None = None
    max_unpacked_bytes: int | None = None


# --------------------------------------------------------------------------- issues


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is in the input: file, sheet (XLSX), row and column.

    Rows are numbered as a spreadsheet shows them (the header is row 1). In an OS2mo
    JSON export, the row is the org unit's position in `objects` (1-based) and the
    column is the field's path inside it, e.g. `managers[0].manager_level.name`.
    """

    file: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def at(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(self.file, row, column, self.sheet)


@dataclass(frozen=True, slots=True)
class ImportIssue:
    where: Location
    message: str

    def position(self) -> str:
        """`[sheet S, ]row R, column C` in the active language (empty for whole-file issues)."""
        parts = []
        if self.where.sheet:
            parts.append(_("ark %(sheet)s") % {"sheet": self.where.sheet})
        if self.where.row is not None:
            parts.append(_("række %(row)s") % {"row": self.where.row})
        if self.where.column:
            parts.append(_("kolonne %(column)s") % {"column": self.where.column})
        return ", ".join(parts)

    def __str__(self) -> str:
        position = self.position()
        prefix = f"{self.where.file}: " if self.where.file else ""
        return f"{prefix}{position}: {self.message}" if position else f"{prefix}{self.message}"


class ProgressBar(Protocol):
    def update(self, n: int = 1) -> Any: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[str, "int | None"], ProgressBar]


class _NoProgress:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def _no_progress(description: str, total: int | None) -> ProgressBar:
    return _NoProgress()


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class UnitRecord:
    key: str
    parent_key: str | None
    name: str
    kind: str
    valid_from: dt.date | None  # None: keep the stored date (new units: DEFAULT_VALID_FROM)
    valid_to: dt.date | None
    where: Location


@dataclass(slots=True)
class PersonRecord:
    key: str
    name: str
    email: str
    where: Location


@dataclass(slots=True)
class EngagementRecord:
    key: str
    person_key: str
    unit_key: str
    title: str
    is_leader: bool
    level: str | None  # PipelineLevel.key
    is_primary: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    where: Location


@dataclass
class ParsedOrg:
    units: list[UnitRecord] = field(default_factory=list)
    # Column names as the units input spells them, for error messages.
    unit_columns: tuple[str, str] = ("enhed_id", "overordnet_id")
    # None: the input says nothing about people, so people and engagements are left alone,
    # also those in units that close.
    persons: list[PersonRecord] | None = None
    engagements: list[EngagementRecord] | None = None
    errors: list[ImportIssue] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes


class LevelInfo(NamedTuple):
    id: int
    key: str
    rank: int
    name_da: str
    name_en: str


# --------------------------------------------------------------------------- vocabulary


def _fold(value: str) -> str:
    return " ".join(value.replace("_", " ").replace("-", " ").split()).casefold()


KIND_ALIASES: dict[str, str] = {
    _fold(alias): kind
    for kind, aliases in {
        UnitKind.EXECUTIVE: ("direktion", "direktionen", "executive", "executive board", "direktørområde"),
        UnitKind.CENTRE: ("center", "centre", "centret", "forvaltning"),
        UnitKind.STAFF: ("stab", "staff", "stabsfunktion", "stabsenhed"),
        UnitKind.DEPARTMENT: ("afdeling", "department", "dept"),
        UnitKind.INSTITUTION: ("institution",),
        UnitKind.TEAM: ("team", "gruppe"),
    }.items()
    for alias in aliases
}

_BUILTIN_LEVEL_ALIASES: dict[str, tuple[str, ...]] = {
    "employee": ("medarbejder", "employee", "leder sig selv"),
    "leader_of_employees": ("leder af medarbejdere", "leader of employees", "førstelinjeleder"),
    "leader_of_leaders": ("leder af ledere", "leader of leaders", "mellemleder"),
    "function_head": (
        "funktionsleder",
        "function head",
        "head of function",
        "centerchef",
        "stabschef",
        "centre head",
    ),
    "executive": ("direktør", "executive", "director", "direktion"),
}


def level_aliases(levels: Iterable[LevelInfo]) -> dict[str, str]:
    """Folded spelling → level key: keys, ranks 1–5, Danish and English names."""
    aliases: dict[str, str] = {}
    for level in levels:
        for alias in (level.key, str(level.rank), level.name_da, level.name_en):
            if alias:
                aliases[_fold(alias)] = level.key
        for alias in _BUILTIN_LEVEL_ALIASES.get(level.key, ()):
            aliases.setdefault(_fold(alias), level.key)
    return aliases


_TRUE = {"ja", "j", "1", "x", "true", "sand", "yes", "y"}
_FALSE = {"nej", "n", "0", "false", "falsk", "no", ""}

_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?$")


class CellError(ValueError):
    """A cell value that cannot be used; the message says why."""


def text_of(value: object) -> str:
    """A cell as text: numbers without a trailing `.0`, dates as ISO, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: object) -> dt.date | None:
    """`dd-mm-yyyy` (also `.` or `/`), ISO `yyyy-mm-dd` (a time part is ignored), or an Excel date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = text_of(value)
    if not text:
        return None
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(text)
        if not match:
            raise CellError(_("ugyldig dato %(value)r: skriv dd-mm-åååå eller åååå-mm-dd") % {"value": text})
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("datoen %(value)r findes ikke") % {"value": text}) from None


def parse_bool(value: object) -> bool:
    """ja/nej, 1/0, true/false, sand/falsk, x (blank is no)."""
    if isinstance(value, bool):
        return value
    text = text_of(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(
        _("ugyldig ja/nej-værdi %(value)r: skriv ja eller nej, 1 eller 0, eller x") % {"value": text}
    )


def _unknown_kind(value: str) -> str:
    return _(
        "ukendt enhedstype %(value)r: brug direktion, center, stab, afdeling, institution eller team"
    ) % {"value": value}


def parse_kind(value: object) -> str:
    text = text_of(value)
    if not text:
        raise CellError(_("enhedstypen mangler"))
    kind = KIND_ALIASES.get(_fold(text))
    if kind is None:
        raise CellError(_unknown_kind(text))
    return kind


def parse_level(value: object, aliases: Mapping[str, str]) -> str | None:
    text = text_of(value)
    if not text:
        return None
    key = aliases.get(_fold(text))
    if key is None:
        raise CellError(
            _("ukendt ledelsesniveau %(value)r: brug 1–5, niveauets nøgle eller navn") % {"value": text}
        )
    return key


# --------------------------------------------------------------------------- tables (CSV, XLSX)

UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "key": ("enhed_id", "unit_id", "enhedsid", "enhed id"),
    "parent_key": ("overordnet_id", "parent_id", "overordnet", "parent", "overordnet enhed_id"),
    "name": ("navn", "name", "enhedsnavn", "unit_name"),
    "kind": ("type", "kind", "enhedstype", "unit_type"),
    "valid_from": ("gyldig_fra", "valid_from", "startdato", "start_date"),
    "valid_to": ("gyldig_til", "valid_to", "slutdato", "end_date"),
}
UNIT_REQUIRED = ("key", "parent_key", "name", "kind")

PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "person_key": ("person_id", "medarbejder_id", "employee_id", "personid"),
    "name": ("navn", "name"),
    "email": ("email", "e-mail", "e_mail", "mail"),
    "unit_key": ("enhed_id", "unit_id", "enhedsid"),
    "title": ("stilling", "title", "titel", "stillingsbetegnelse", "job_title"),
    "is_leader": ("leder", "is_leader", "leader"),
    "level": ("niveau", "pipeline_level", "level", "ledelsesniveau"),
    "is_primary": ("primær", "primaer", "primary", "is_primary"),
    "valid_from": ("gyldig_fra", "valid_from", "startdato", "start_date"),
    "valid_to": ("gyldig_til", "valid_to", "slutdato", "end_date"),
    "engagement_key": ("ansættelse_id", "ansaettelse_id", "engagement_id"),
}
PEOPLE_REQUIRED = ("person_key", "name", "unit_key")

UNITS_SHEETS = ("enheder", "units", "organisation", "organization")
PEOPLE_SHEETS = ("personer", "people", "medarbejdere", "persons", "employees")


@dataclass
class Table:
    """Rows of a CSV file or a worksheet: the header row and the data rows with their numbers."""

    where: Location
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[object]]]


def _header_key(name: str) -> str:
    return _fold(name.lstrip("\ufeff").strip().strip('"'))


def _map_columns(
    table: Table, columns: Mapping[str, tuple[str, ...]], required: Sequence[str], errors: list[ImportIssue]
) -> dict[str, tuple[int, str]] | None:
    """field → (index, header as written). None when a required column is missing."""
    lookup = {_fold(alias): fld for fld, aliases in columns.items() for alias in aliases}
    found: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(table.header):
        fld = lookup.get(_header_key(raw))
        if fld is None:
            continue
        if fld in found:
            errors.append(
                ImportIssue(
                    table.where.at(table.header_row, raw),
                    _("kolonnen står der to gange (også som %(other)r)") % {"other": found[fld][1]},
                )
            )
            continue
        found[fld] = (index, raw.strip())
    ok = True
    for fld in required:
        if fld not in found:
            ok = False
            names = " / ".join(columns[fld][:2])
            errors.append(
                ImportIssue(
                    table.where.at(table.header_row, columns[fld][0]),
                    _("den påkrævede kolonne %(names)s mangler") % {"names": names},
                )
            )
    return found if ok else None


class _Row:
    """One data row with helpers that record problems instead of raising."""

    def __init__(
        self,
        table: Table,
        number: int,
        cells: list[object],
        columns: dict[str, tuple[int, str]],
        errors: list[ImportIssue],
    ) -> None:
        self.table, self.number, self.cells, self.columns, self.errors = table, number, cells, columns, errors
        self.ok = True

    def where(self, fld: str | None = None) -> Location:
        column = self.columns[fld][1] if fld and fld in self.columns else fld
        return self.table.where.at(self.number, column)

    def error(self, fld: str, message: str) -> None:
        self.ok = False
        self.errors.append(ImportIssue(self.where(fld), message))

    def raw(self, fld: str) -> object:
        if fld not in self.columns:
            return None
        index = self.columns[fld][0]
        return self.cells[index] if index < len(self.cells) else None

    def text(
        self,
        fld: str,
        *,
        required: bool = False,
        max_length: int = MAX_NAME,
        clean: Callable[[str], str] | None = None,
    ) -> str:
        value = text_of(self.raw(fld))
        if clean is not None:
            value = clean(value)
        if required and not value:
            self.error(fld, _("feltet er tomt"))
        elif len(value) > max_length:
            self.error(fld, _("højst %(n)s tegn (her %(len)s)") % {"n": max_length, "len": len(value)})
        return value

    def convert(self, fld: str, parse: Callable[[object], Any], default: Any = None) -> Any:
        if fld not in self.columns:
            return default
        try:
            return parse(self.raw(fld))
        except CellError as exc:
            self.error(fld, str(exc))
            return default


def _check_period(row: _Row, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        row.error("valid_to", _("slutdatoen ligger før startdatoen"))


def units_from_table(table: Table, parsed: ParsedOrg, progress: ProgressBar) -> None:
    errors = parsed.errors
    columns = _map_columns(table, UNIT_COLUMNS, UNIT_REQUIRED, errors)
    if columns is None:
        return
    parsed.unit_columns = (columns["key"][1], columns["parent_key"][1])
    units = parsed.units
    for number, cells in table.rows:
        progress.update(1)
        row = _Row(table, number, cells, columns, errors)
        key = row.text("key", required=True, max_length=MAX_KEY, clean=strip_invisible)
        parent_key = row.text("parent_key", max_length=MAX_KEY, clean=strip_invisible) or None
        name = row.text("name", required=True, clean=clean_name)
        kind = row.convert("kind", parse_kind, "")
        valid_from = row.convert("valid_from", parse_date)
        valid_to = row.convert("valid_to", parse_date)
        _check_period(row, valid_from, valid_to)
        if key:
            units.append(UnitRecord(key, parent_key, name, kind, valid_from, valid_to, row.where()))


@dataclass
class _PeopleAccumulator:
    """Merges people rows into persons (one per key) and engagements (one per row)."""

    errors: list[ImportIssue]
    unit_column: str = "enhed_id"
    persons: dict[str, PersonRecord] = field(default_factory=dict)
    engagements: list[EngagementRecord] = field(default_factory=list)

    def person(self, record: PersonRecord, name_column: str, email_column: str) -> None:
        known = self.persons.get(record.key)
        if known is None:
            self.persons[record.key] = record
            return
        for attr, column in (("name", name_column), ("email", email_column)):
            old, new = getattr(known, attr), getattr(record, attr)
            if new and old and new != old:
                self.errors.append(
                    ImportIssue(
                        record.where.at(record.where.row, column),
                        _("personen %(key)s har %(value)r her, men %(old)r i %(first)s")
                        % {"key": record.key, "value": new, "old": old, "first": _row_label(known.where)},
                    )
                )
            elif new and not old:
                setattr(known, attr, new)


def _row_label(where: Location) -> str:
    return _("række %(row)s") % {"row": where.row} if where.row is not None else where.file


def people_from_table(
    table: Table, levels: Mapping[str, str], acc: _PeopleAccumulator, progress: ProgressBar
) -> None:
    errors = acc.errors
    columns = _map_columns(table, PEOPLE_COLUMNS, PEOPLE_REQUIRED, errors)
    if columns is None:
        return
    acc.unit_column = columns["unit_key"][1]
    for number, cells in table.rows:
        progress.update(1)
        row = _Row(table, number, cells, columns, errors)
        person_key = row.text("person_key", required=True, max_length=MAX_KEY, clean=strip_invisible)
        name = row.text("name", required=True, clean=clean_name)
        email = row.text("email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error("email", _("ugyldig e-mailadresse %(value)r") % {"value": email})
        unit_key = row.text("unit_key", required=True, max_length=MAX_KEY, clean=strip_invisible)
        title = row.text("title", clean=clean_name)
        is_leader = row.convert("is_leader", parse_bool, False)
        level = row.convert("level", lambda v: parse_level(v, levels))
        is_primary = row.convert("is_primary", lambda v: parse_bool(v) if text_of(v) else True, True)
        valid_from = row.convert("valid_from", parse_date)
        valid_to = row.convert("valid_to", parse_date)
        _check_period(row, valid_from, valid_to)
        engagement_key = row.text("engagement_key", max_length=MAX_KEY, clean=strip_invisible)
        if not person_key:
            continue
        acc.person(
            PersonRecord(person_key, name, email, row.where()),
            columns["name"][1],
            columns["email"][1] if "email" in columns else "email",
        )
        if unit_key:
            acc.engagements.append(
                EngagementRecord(
                    engagement_key or f"{person_key}@{unit_key}",
                    person_key,
                    unit_key,
                    title,
                    is_leader,
                    level,
                    is_primary,
                    valid_from,
                    valid_to,
                    row.where(),
                )
            )


# --------------------------------------------------------------------------- CSV


def decode_text(source: SourceFile, errors: list[ImportIssue]) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    data = source.data
    where = Location(source.name)
    if not data.strip():
        errors.append(ImportIssue(where, _("filen er tom")))
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            errors.append(ImportIssue(where, _("filen kan ikke læses som UTF-16")))
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            errors.append(
                ImportIssue(
                    where.at(line),
                    _("tegnkodningen kan ikke læses (hverken UTF-8 eller Windows-1252, byte 0x%(byte)02X)")
                    % {"byte": data[exc.start]},
                )
            )
            return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        errors.append(ImportIssue(where.at(line), _("filen er ikke en tekstfil (CSV)")))
        return None
    return text


def sniff_delimiter(text: str) -> str:
    """`;` (Danish Excel), `,` or tab: whichever the header line has most of."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def too_many_rows(where: Location, limit: int) -> ImportIssue:
    """The file goes on past the row limit: reading stops here (memory stays bounded)."""
    return ImportIssue(
        where,
        _("filen har mere end %(limit)s rækker; en import kan højst have %(limit)s rækker")
        % {"limit": formats.number_format(limit, force_grouping=True)},
    )


def read_csv(source: SourceFile, errors: list[ImportIssue], *, max_rows: int | None = None) -> Table | None:
    """The header and the non-blank rows; with `max_rows`, reading stops at the first row past it."""
    text = decode_text(source, errors)
    if text is None:
        return None
    where = Location(source.name)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[object]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if header is None:
                header = record
                continue
            if not any(cell.strip() for cell in record):
                continue
            if max_rows is not None and len(rows) >= max_rows:
                errors.append(too_many_rows(where.at(number), max_rows))
                return None
            if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
                errors.append(
                    ImportIssue(
                        where.at(number),
                        _(
                            "rækken har %(n)s felter, men overskriften kun %(h)s "
                            "(mangler der anførselstegn om et felt med %(d)r?)"
                        )
                        % {"n": len(record), "h": len(header), "d": delimiter},
                    )
                )
            rows.append((number, list(record)))
    except csv.Error as exc:
        errors.append(
            ImportIssue(where.at(reader.line_num), _("CSV-filen kan ikke læses: %(e)s") % {"e": exc})
        )
        return None
    if header is None:
        errors.append(ImportIssue(where, _("filen er tom")))
        return None
    return Table(where, header, 1, rows)


# --------------------------------------------------------------------------- XLSX


class _TooManyRows(Exception):
    def __init__(self, issue: ImportIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _sheet_table(worksheet: Any, where: Location, max_rows: int | None = None) -> Table | None:
    """The header (first non-empty row) and the data rows, read row by row (openpyxl's read-only
    mode streams the sheet); with `max_rows`, reading stops at the first row past it."""
    rows: list[tuple[int, list[object]]] = []
    header: list[str] | None = None
    header_row = 1
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = list(values)
        if not any(text_of(cell) for cell in cells):
            continue
        if header is None:
            header, header_row = [text_of(cell) for cell in cells], number
            continue
        if max_rows is not None and len(rows) >= max_rows:
            raise _TooManyRows(too_many_rows(where.at(number), max_rows))
        rows.append((number, cells))
    if header is None:
        return None
    return Table(where, header, header_row, rows)


def unpacked_too_large(source: SourceFile, limit: int) -> ImportIssue | None:
    """An XLSX is a zip archive: refuse one whose parts unpack to more than `limit` bytes
    before openpyxl reads them (its shared strings are held in memory whole). Also used by the
    measurement import (kerne/goals/importers.py)."""
    from django.template.defaultfilters import filesizeformat

    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # openpyxl reports a damaged file below
    if size <= limit:
        return None
    return ImportIssue(
        Location(source.name),
        _("projektmappen fylder %(size)s, når den pakkes ud; grænsen er %(limit)s")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def read_xlsx(
    source: SourceFile,
    errors: list[ImportIssue],
    *,
    max_rows: int | None = None,
    max_unpacked_bytes: int | None = None,
) -> tuple[Table | None, Table | None]:
    """The units sheet and the people sheet (None when the workbook has none)."""
    from openpyxl import load_workbook

    where = Location(source.name)
    if max_unpacked_bytes is not None:
        issue = unpacked_too_large(source, max_unpacked_bytes)
        if issue is not None:
            errors.append(issue)
            return None, None
    try:
        workbook = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        errors.append(
            ImportIssue(
                where, _("filen kan ikke læses som en XLSX-projektmappe (%(e)s)") % {"e": type(exc).__name__}
            )
        )
        return None, None
    try:
        by_name = {_fold(name): name for name in workbook.sheetnames}
        units_name = next((by_name[s] for s in UNITS_SHEETS if s in by_name), None)
        people_name = next((by_name[s] for s in PEOPLE_SHEETS if s in by_name), None)
        if units_name is None and len(workbook.sheetnames) == 1:
            units_name = workbook.sheetnames[0]
        if units_name is None:
            errors.append(
                ImportIssue(
                    where,
                    _("projektmappen har intet ark med navnet enheder eller units (arkene hedder: %(names)s)")
                    % {"names": ", ".join(workbook.sheetnames)},
                )
            )
            return None, None
        units = _sheet_table(workbook[units_name], Location(source.name, sheet=units_name), max_rows)
        if units is None:
            errors.append(ImportIssue(Location(source.name, sheet=units_name), _("arket er tomt")))
        people = (
            _sheet_table(workbook[people_name], Location(source.name, sheet=people_name), max_rows)
            if people_name
            else None
        )
        return units, people
    except _TooManyRows as exc:
        errors.append(exc.issue)
        return None, None
    finally:
        workbook.close()


# --------------------------------------------------------------------------- OS2mo JSON


def _get(obj: object, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or step >= len(obj):
                return None
            obj = obj[step]
        else:
            if not isinstance(obj, dict):
                return None
            obj = obj.get(step)
    return obj


def _first(obj: object) -> Any:
    """OS2mo returns related objects as lists (`person: [Employee]`); older exports as one object."""
    if isinstance(obj, list):
        return obj[0] if obj else None
    return obj


def _validity(obj: dict[str, Any]) -> tuple[object, object]:
    validity = obj.get("validity") or {}
    return validity.get("from") or validity.get("from_date"), validity.get("to") or validity.get("to_date")


def _pick_validity(validities: list[Any], today: dt.date) -> dict[str, Any] | None:
    """The validity in force today, else the latest one."""
    candidates = [v for v in validities if isinstance(v, dict)]
    if not candidates:
        return None

    def bounds(v: dict[str, Any]) -> tuple[dt.date, dt.date]:
        start, end = _validity(v)
        try:
            lo = parse_date(start) or dt.date.min
            hi = parse_date(end) or dt.date.max
        except CellError:
            lo, hi = dt.date.min, dt.date.max
        return lo, hi

    for v in candidates:
        lo, hi = bounds(v)
        if lo <= today <= hi:
            return v
    return max(candidates, key=lambda v: bounds(v)[0])


def _class_names(obj: object) -> list[str]:
    """An OS2mo class (`unit_type`, `org_unit_level`, `manager_level` …): its name and user_key."""
    obj = _first(obj)
    if not isinstance(obj, dict):
        return []
    return [text_of(obj.get(k)) for k in ("name", "user_key") if text_of(obj.get(k))]


def _person_email(person: dict[str, Any]) -> str:
    email = text_of(person.get("email"))
    if email:
        return email
    for address in person.get("addresses") or []:
        if not isinstance(address, dict):
            continue
        scope = text_of(_get(address, "address_type", "scope")).upper()
        user_key = text_of(_get(address, "address_type", "user_key")).casefold()
        if scope == "EMAIL" or "email" in user_key:
            return text_of(address.get("name") or address.get("value"))
    return ""


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deeply a JSON text nests arrays and objects, found without parsing (no recursion):
    strings are dropped, then the brackets are counted."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _too_deep(where: Location, depth: int | None) -> ImportIssue:
    if depth is None:
        return ImportIssue(
            where,
            _("JSON-filen er indlejret for dybt (højst %(limit)s niveauer)") % {"limit": MAX_JSON_DEPTH},
        )
    return ImportIssue(
        where,
        _("JSON-filen er indlejret %(depth)s niveauer dybt; højst %(limit)s niveauer kan læses")
        % {"depth": depth, "limit": MAX_JSON_DEPTH},
    )


def _too_long(value: str, limit: int) -> str:
    return _("højst %(n)s tegn (her %(len)s)") % {"n": limit, "len": len(value)}


class _JsonCursor:
    """Reads fields of one OS2mo object and records problems at (row, field path)."""

    def __init__(self, where: Location, errors: list[ImportIssue]) -> None:
        self.where, self.errors = where, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(ImportIssue(self.where.at(self.where.row, column), message))

    def date(self, value: object, column: str) -> dt.date | None:
        try:
            return parse_date(value)
        except CellError as exc:
            self.error(column, str(exc))
            return None


def read_os2mo(
    source: SourceFile,
    levels: Mapping[str, str],
    errors: list[ImportIssue],
    acc: _PeopleAccumulator,
    today: dt.date,
    progress: ProgressFactory,
    max_rows: int | None = None,
) -> tuple[list[UnitRecord], bool]:
    """Units, and whether the export carried managers/engagements (then people are synced)."""
    where = Location(source.name)
    text = decode_text(source, errors)
    if text is None:
        return [], False
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        errors.append(_too_deep(where, depth))
        return [], False
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        errors.append(
            ImportIssue(where.at(exc.lineno, str(exc.colno)), _("ugyldig JSON: %(e)s") % {"e": exc.msg})
        )
        return [], False
    except RecursionError:  # json_depth undercounted (it never should): still a clear answer
        errors.append(_too_deep(where, None))
        return [], False
    root = document.get("data", document) if isinstance(document, dict) else None
    org_units = _get(root, "org_units")
    objects = org_units if isinstance(org_units, list) else _get(org_units, "objects")
    if not isinstance(objects, list):
        errors.append(
            ImportIssue(
                where, _('ikke en OS2mo-eksport: forventede {"data": {"org_units": {"objects": […]}}}')
            )
        )
        return [], False
    if max_rows is not None and len(objects) > max_rows:
        errors.append(too_many_rows(where.at(max_rows + 1), max_rows))
        return [], False
    org_uuid = text_of(_get(root, "org", "uuid"))
    units: list[UnitRecord] = []
    has_people = False
    bar = progress(_("Læser OS2mo-enheder"), len(objects))
    for index, obj in enumerate(objects, start=1):
        bar.update(1)
        if max_rows is not None and len(acc.engagements) > max_rows:
            errors.append(
                ImportIssue(
                    where.at(index - 1, "engagements"),
                    _("eksporten har mere end %(limit)s ansættelser; en import kan højst have %(limit)s")
                    % {"limit": formats.number_format(max_rows, force_grouping=True)},
                )
            )
            break
        cursor = _JsonCursor(where.at(index), errors)
        if not isinstance(obj, dict):
            cursor.error("", _("forventede et objekt"))
            continue
        validities = (
            obj.get("validities") or obj.get("objects") or ([obj["current"]] if obj.get("current") else None)
        )
        if validities is None and "name" in obj:
            validities = [obj]
        unit = _pick_validity(validities or [], today)
        if unit is None:
            cursor.error("validities", _("enheden har ingen gyldighed (validities er tom)"))
            continue
        key = strip_invisible(text_of(unit.get("uuid") or obj.get("uuid")))
        if not key:
            cursor.error("uuid", _("feltet er tomt"))
            continue
        if len(key) > MAX_KEY:
            cursor.error("uuid", _too_long(key, MAX_KEY))
            continue
        name = clean_name(text_of(unit.get("name")))
        if not name:
            cursor.error("name", _("feltet er tomt"))
        elif len(name) > MAX_NAME:
            cursor.error("name", _("højst %(n)s tegn (her %(len)s)") % {"n": MAX_NAME, "len": len(name)})
        parent = _first(unit.get("parent"))
        parent_key = (
            text_of(parent.get("uuid")) if isinstance(parent, dict) else text_of(unit.get("parent_uuid"))
        )
        parent_key = strip_invisible(parent_key)
        if parent_key and parent_key == org_uuid:
            parent_key = ""
        kind = ""
        type_names = _class_names(unit.get("unit_type")) + _class_names(unit.get("org_unit_level"))
        for candidate in type_names:
            kind = KIND_ALIASES.get(_fold(candidate), "")
            if kind:
                break
        if not kind:
            shown = type_names[0] if type_names else ""
            cursor.error(
                "unit_type.name",
                _unknown_kind(shown) if shown else _("enhedstypen mangler"),
            )
        start, end = _validity(unit)
        valid_from = cursor.date(start, "validity.from")
        valid_to = cursor.date(end, "validity.to")
        if valid_from and valid_to and valid_to < valid_from:
            cursor.error("validity.to", _("slutdatoen ligger før startdatoen"))
        units.append(UnitRecord(key, parent_key or None, name, kind, valid_from, valid_to, cursor.where))
        if "engagements" in unit or "managers" in unit:
            has_people = True
        _os2mo_people(unit, key, cursor, levels, acc)
    bar.close()
    return units, has_people


def _os2mo_person(item: dict[str, Any], column: str, cursor: _JsonCursor) -> PersonRecord | None:
    person = _first(item.get("person") if "person" in item else item.get("employee"))
    if not isinstance(person, dict):
        return None  # a vacant manager position
    key = strip_invisible(text_of(person.get("uuid")))
    if not key:
        cursor.error(f"{column}.person[0].uuid", _("feltet er tomt"))
        return None
    if len(key) > MAX_KEY:
        cursor.error(f"{column}.person[0].uuid", _too_long(key, MAX_KEY))
        return None
    name = clean_name(text_of(person.get("name"))) or clean_name(
        " ".join(text_of(person.get(k)) for k in ("given_name", "surname"))
    )
    if not name:
        cursor.error(f"{column}.person[0].name", _("feltet er tomt"))
    elif len(name) > MAX_NAME:
        cursor.error(f"{column}.person[0].name", _too_long(name, MAX_NAME))
    email = _person_email(person)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            cursor.error(f"{column}.person[0].email", _("ugyldig e-mailadresse %(value)r") % {"value": email})
            email = ""
    return PersonRecord(key, name, email, cursor.where.at(cursor.where.row, f"{column}.person[0]"))


def _os2mo_people(
    unit: dict[str, Any],
    unit_key: str,
    cursor: _JsonCursor,
    levels: Mapping[str, str],
    acc: _PeopleAccumulator,
) -> None:
    by_person: dict[str, EngagementRecord] = {}
    for j, engagement in enumerate(unit.get("engagements") or []):
        column = f"engagements[{j}]"
        if not isinstance(engagement, dict):
            cursor.error(column, _("forventede et objekt"))
            continue
        person = _os2mo_person(engagement, column, cursor)
        if person is None:
            continue
        acc.person(person, f"{column}.person[0].name", f"{column}.person[0].email")
        key = strip_invisible(text_of(engagement.get("uuid"))) or f"{person.key}@{unit_key}"
        if "is_primary" in engagement:
            is_primary = bool(engagement.get("is_primary"))
        elif isinstance(engagement.get("primary"), dict):
            is_primary = text_of(_get(engagement, "primary", "user_key")) in ("primary", "explicitly-primary")
        else:
            is_primary = True
        start, end = _validity(engagement)
        titles = _class_names(engagement.get("job_function"))
        record = EngagementRecord(
            key,
            person.key,
            unit_key,
            clean_name(titles[0])[:MAX_NAME] if titles else "",
            False,
            None,
            is_primary,
            cursor.date(start, f"{column}.validity.from"),
            cursor.date(end, f"{column}.validity.to"),
            cursor.where.at(cursor.where.row, column),
        )
        acc.engagements.append(record)
        by_person.setdefault(person.key, record)
    for j, manager in enumerate(unit.get("managers") or []):
        column = f"managers[{j}]"
        if not isinstance(manager, dict):
            cursor.error(column, _("forventede et objekt"))
            continue
        person = _os2mo_person(manager, column, cursor)
        if person is None:
            continue
        acc.person(person, f"{column}.person[0].name", f"{column}.person[0].email")
        level = None
        names = _class_names(manager.get("manager_level"))
        if names:
            level = next((levels[_fold(n)] for n in names if _fold(n) in levels), None)
            if level is None:
                cursor.error(
                    f"{column}.manager_level.name",
                    _("ukendt ledelsesniveau %(value)r: brug 1–5, niveauets nøgle eller navn")
                    % {"value": names[0]},
                )
        engagement = by_person.get(person.key)
        if engagement is not None:
            # The manager is also employed in the unit: one engagement, marked as leading it.
            engagement.is_leader, engagement.level = True, level
            continue
        start, end = _validity(manager)
        titles = _class_names(manager.get("manager_type"))
        acc.engagements.append(
            EngagementRecord(
                strip_invisible(text_of(manager.get("uuid"))) or f"{person.key}@{unit_key}",
                person.key,
                unit_key,
                clean_name(titles[0])[:MAX_NAME] if titles else "",
                True,
                level,
                True,
                cursor.date(start, f"{column}.validity.from"),
                cursor.date(end, f"{column}.validity.to"),
                cursor.where.at(cursor.where.row, column),
            )
        )


# --------------------------------------------------------------------------- reading


def detect_format(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = data[:64].lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith((b"{", b"[")):
        return "os2mo"
    return "csv"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_org(
    units_file: SourceFile,
    people_file: SourceFile | None = None,
    *,
    fmt: str = "auto",
    levels: Sequence[LevelInfo] = (),
    today: dt.date | None = None,
    progress: ProgressFactory | None = None,
    limits: Limits | None = None,
) -> ParsedOrg:
    """Parse and check the files. `errors` lists every problem; records are complete only without errors.

    With `limits`, a file past them is refused while it is read (see `Limits`)."""
    progress = progress or _no_progress
    limits = limits or Limits()
    max_rows = limits.max_rows
    today = today or dt.date.today()
    aliases = level_aliases(levels)
    parsed = ParsedOrg()
    errors = parsed.errors
    acc = _PeopleAccumulator(errors)
    people_given = False

    def format_of(source: SourceFile) -> str | None:
        if source.data.startswith(_OLE_MAGIC):
            errors.append(
                ImportIssue(
                    Location(source.name),
                    _("det gamle Excel-format (.xls) kan ikke læses: gem filen som .xlsx eller CSV"),
                )
            )
            return None
        chosen = detect_format(source.data) if fmt == "auto" else fmt
        parsed.formats.append(chosen)
        return chosen

    def read_table(table: Table | None, reader: Callable[[Table, ProgressBar], None], label: str) -> None:
        if table is None:
            return
        bar = progress(label, len(table.rows))
        reader(table, bar)
        bar.close()

    units_format = format_of(units_file)
    if units_format == "os2mo":
        parsed.units, people_given = read_os2mo(units_file, aliases, errors, acc, today, progress, max_rows)
        parsed.unit_columns = ("uuid", "parent.uuid")
        if people_file is not None:
            errors.append(
                ImportIssue(
                    Location(people_file.name),
                    _("en OS2mo-eksport har selv ledere og ansættelser; angiv ingen personfil"),
                )
            )
            people_file = None
    elif units_format == "xlsx":
        units_table, people_table = read_xlsx(
            units_file, errors, max_rows=max_rows, max_unpacked_bytes=limits.max_unpacked_bytes
        )
        read_table(units_table, lambda t, bar: units_from_table(t, parsed, bar), _("Læser enheder"))
        if people_table is not None:
            people_given = True
            read_table(
                people_table, lambda t, bar: people_from_table(t, aliases, acc, bar), _("Læser personer")
            )
            if people_file is not None:
                errors.append(
                    ImportIssue(
                        Location(people_file.name),
                        _("projektmappen har allerede et personark; angiv ikke også en personfil"),
                    )
                )
                people_file = None
    elif units_format == "csv":
        read_table(
            read_csv(units_file, errors, max_rows=max_rows),
            lambda t, bar: units_from_table(t, parsed, bar),
            _("Læser enheder"),
        )

    if people_file is not None:
        people_given = True
        people_format = format_of(people_file)
        table: Table | None = None
        if people_format == "csv":
            table = read_csv(people_file, errors, max_rows=max_rows)
        elif people_format == "xlsx":
            units_sheet, people_sheet = read_xlsx(
                people_file, errors, max_rows=max_rows, max_unpacked_bytes=limits.max_unpacked_bytes
            )
            table = people_sheet or units_sheet
        elif people_format == "os2mo":
            errors.append(
                ImportIssue(
                    Location(people_file.name), _("personfilen skal være CSV eller XLSX, ikke OS2mo-JSON")
                )
            )
        read_table(table, lambda t, bar: people_from_table(t, aliases, acc, bar), _("Læser personer"))

    if not parsed.units and not any(str(e.where.file) == units_file.name for e in errors):
        errors.append(ImportIssue(Location(units_file.name), _("filen indeholder ingen enheder")))
    errors.extend(check_tree(parsed.units, *parsed.unit_columns))
    if people_given:
        parsed.persons = list(acc.persons.values())
        parsed.engagements = acc.engagements
        errors.extend(check_engagements(acc.engagements, {u.key for u in parsed.units}, acc.unit_column))
    # Report in reading order: the units file first, then row by row.
    rank = {units_file.name: 0, **({people_file.name: 1} if people_file else {})}
    errors.sort(key=lambda e: (rank.get(e.where.file, 2), e.where.sheet or "", e.where.row or 0))
    return parsed


# --------------------------------------------------------------------------- checks


def check_tree(
    units: Sequence[UnitRecord], key_column: str = "enhed_id", parent_column: str = "overordnet_id"
) -> list[ImportIssue]:
    """Duplicate keys, missing parents, cycles and too deep trees."""
    issues: list[ImportIssue] = []
    by_key: dict[str, UnitRecord] = {}
    for unit in units:
        first = by_key.get(unit.key)
        if first is not None:
            issues.append(
                ImportIssue(
                    unit.where.at(unit.where.row, key_column),
                    _("enhed_id %(key)r står der to gange (først i %(first)s)")
                    % {"key": unit.key, "first": _row_label(first.where)},
                )
            )
            continue
        by_key[unit.key] = unit
    for unit in units:
        if unit.parent_key and unit.parent_key not in by_key:
            issues.append(
                ImportIssue(
                    unit.where.at(unit.where.row, parent_column),
                    _("den overordnede enhed %(key)r findes ikke i filen") % {"key": unit.parent_key},
                )
            )
    # Cycles: walk up from each unit; a walk that meets itself has found a cycle.
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    has_cycle = False
    for start in by_key.values():
        walk: list[str] = []
        key: str | None = start.key
        while key is not None and key in by_key and state.get(key) is None:
            state[key] = 1
            walk.append(key)
            key = by_key[key].parent_key
        if key is not None and state.get(key) == 1:
            has_cycle = True
            cycle = walk[walk.index(key) :]
            first = min((by_key[k] for k in cycle), key=lambda u: u.where.row or 0)
            issues.append(
                ImportIssue(
                    first.where.at(first.where.row, parent_column),
                    _("enhederne danner en ring: %(cycle)s") % {"cycle": " → ".join([*cycle, cycle[0]])},
                )
            )
        for k in walk:
            state[k] = 2
    if has_cycle:
        return issues  # depths are meaningless in a ring
    depths: dict[str, int] = {}
    for unit in by_key.values():
        chain: list[str] = []
        key = unit.key
        while key is not None and key in by_key and key not in depths and len(chain) <= len(by_key):
            chain.append(key)
            key = by_key[key].parent_key
        base = depths.get(key, -1) if key is not None else -1
        for offset, k in enumerate(reversed(chain), start=1):
            depths[k] = base + offset
        if depths.get(unit.key, 0) > MAX_DEPTH:
            issues.append(
                ImportIssue(
                    unit.where.at(unit.where.row, parent_column),
                    _("træet er for dybt her (højst %(n)s niveauer)") % {"n": MAX_DEPTH + 1},
                )
            )
    return issues


def check_engagements(
    engagements: Sequence[EngagementRecord], unit_keys: set[str], unit_column: str = "enhed_id"
) -> list[ImportIssue]:
    issues: list[ImportIssue] = []
    seen: dict[str, EngagementRecord] = {}
    for engagement in engagements:
        if len(engagement.key) > MAX_KEY:
            # PERSON_ID@UNIT_ID (the default key) can pass the column's length with both keys within it.
            issues.append(
                ImportIssue(
                    engagement.where.at(engagement.where.row, engagement.where.column or "ansættelse_id"),
                    _(
                        "ansættelsens nøgle %(key)r har %(len)s tegn, men højst %(n)s er tilladt; "
                        "giv rækken et kortere ansættelse_id"
                    )
                    % {"key": engagement.key[:40] + "…", "len": len(engagement.key), "n": MAX_KEY},
                )
            )
        if engagement.unit_key not in unit_keys:
            issues.append(
                ImportIssue(
                    engagement.where.at(engagement.where.row, engagement.where.column or unit_column),
                    _("enheden %(key)r findes ikke i enhedsfilen") % {"key": engagement.unit_key},
                )
            )
        first = seen.get(engagement.key)
        if first is not None:
            issues.append(
                ImportIssue(
                    engagement.where.at(engagement.where.row, engagement.where.column or "person_id"),
                    _(
                        "ansættelsen %(key)r står der to gange (først i %(first)s); "
                        "giv rækkerne hver sit ansættelse_id"
                    )
                    % {"key": engagement.key, "first": _row_label(first.where)},
                )
            )
        else:
            seen[engagement.key] = engagement
    return issues


# --------------------------------------------------------------------------- the database as plain data


class UnitState(NamedTuple):
    id: int
    key: str
    parent_id: int | None
    path: str
    depth: int
    name: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None


class PersonState(NamedTuple):
    id: int
    key: str
    name: str
    email: str


class EngagementState(NamedTuple):
    id: int
    key: str | None
    person_id: int
    unit_id: int
    title: str
    is_leader: bool
    is_primary: bool
    level_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass
class Snapshot:
    units: list[UnitState]
    persons: list[PersonState]
    engagements: list[EngagementState]
    levels: list[LevelInfo]


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Change:
    """One object that changes, with its fields as [old, new] (JSON-safe values)."""

    entity: str  # unit | person | engagement
    action: str  # added | changed | closed
    key: str
    label: str
    fields: dict[str, list[Any]]


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    closed: int = 0


@dataclass
class Summary:
    units: Counts = field(default_factory=Counts)
    moved: int = 0
    persons: Counts = field(default_factory=Counts)
    engagements: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, int]:
        out = {"units_moved": self.moved}
        for name in ("units", "persons", "engagements"):
            counts: Counts = getattr(self, name)
            out |= {
                f"{name}_added": counts.added,
                f"{name}_changed": counts.changed,
                f"{name}_closed": counts.closed,
            }
        return out

    @property
    def total(self) -> int:
        return sum(v for k, v in self.as_dict().items() if k != "units_moved")


@dataclass
class Impact:
    """What an import does to what exists, for the preview's warning (never part of the fingerprint)."""

    open_units: int = 0  # units open before the import
    open_engagements: int = 0  # engagements open before the import
    leaders_removed: int = 0  # leader engagements that close or stop leading
    kept_in_closing_units: int = 0  # without people data: open engagements left in units that close
    people_synced: bool = False  # the input has people (a people file, sheet or OS2mo engagements)

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "open_units": self.open_units,
            "open_engagements": self.open_engagements,
            "leaders_removed": self.leaders_removed,
            "kept_in_closing_units": self.kept_in_closing_units,
            "people_synced": self.people_synced,
        }


# An import that closes more than this share of the open units or engagements needs a typed
# confirmation on the upload page (the number it closes).
CONFIRM_SHARE = 0.1


def typed_confirmation(summary: Summary, impact: Impact) -> tuple[str, int] | None:
    """("units", n) or ("engagements", n): the number HR must type to confirm an import that
    closes more than a tenth of the open units or engagements; None when a click is enough.
    The units are asked for when any close, else the engagements."""
    units, engagements = summary.units.closed, summary.engagements.closed
    if units > CONFIRM_SHARE * impact.open_units or engagements > CONFIRM_SHARE * impact.open_engagements:
        return ("units", units) if units else ("engagements", engagements)
    return None


@dataclass
class Plan:
    close_on: dt.date
    snapshot: Snapshot
    # Problems only the database reveals (e.g. an end date before the stored start date).
    errors: list[ImportIssue] = field(default_factory=list)
    unit_adds: list[UnitRecord] = field(default_factory=list)
    unit_updates: list[tuple[UnitState, UnitRecord, dict[str, list[Any]]]] = field(default_factory=list)
    unit_closes: list[UnitState] = field(default_factory=list)
    unit_parent_keys: dict[str, str | None] = field(default_factory=dict)  # every unit in the file
    person_adds: list[PersonRecord] = field(default_factory=list)
    person_updates: list[tuple[PersonState, PersonRecord, dict[str, list[Any]]]] = field(default_factory=list)
    engagement_adds: list[EngagementRecord] = field(default_factory=list)
    engagement_updates: list[tuple[EngagementState, EngagementRecord, dict[str, list[Any]]]] = field(
        default_factory=list
    )
    engagement_closes: list[EngagementState] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    impact: Impact = field(default_factory=Impact)
    # Labels for the preview and the audit log.
    unit_names: dict[int, str] = field(default_factory=dict)
    unit_keys: dict[int, str] = field(default_factory=dict)
    person_names: dict[int, str] = field(default_factory=dict)
    person_keys: dict[int, str] = field(default_factory=dict)
    level_keys: dict[int, str] = field(default_factory=dict)
    new_person_names: dict[str, str] = field(default_factory=dict)
    new_unit_names: dict[str, str] = field(default_factory=dict)
    _fingerprint: str = ""

    def closed_valid_to(self, valid_from: dt.date) -> dt.date:
        return max(self.close_on, valid_from)

    def iter_changes(self) -> Iterator[Change]:
        """Every change, in a fixed order (the fingerprint depends on it)."""
        for unit in self.unit_adds:
            yield Change("unit", "added", unit.key, unit.name, _unit_fields(unit))
        for state, unit, fields in self.unit_updates:
            yield Change("unit", "changed", state.key, unit.name, fields)
        for state in self.unit_closes:
            new_to = self.closed_valid_to(state.valid_from)
            yield Change(
                "unit", "closed", state.key, state.name, {"valid_to": [_iso(state.valid_to), _iso(new_to)]}
            )
        for person in self.person_adds:
            yield Change(
                "person",
                "added",
                person.key,
                person.name,
                {"name": [None, person.name], "email": [None, person.email]},
            )
        for pstate, person, fields in self.person_updates:
            yield Change("person", "changed", pstate.key, person.name, fields)
        for engagement in self.engagement_adds:
            yield Change(
                "engagement",
                "added",
                engagement.key,
                self._engagement_label(engagement),
                _engagement_fields(engagement),
            )
        for _state, engagement, fields in self.engagement_updates:
            yield Change("engagement", "changed", engagement.key, self._engagement_label(engagement), fields)
        for estate in self.engagement_closes:
            label = (
                f"{self.person_names.get(estate.person_id, '?')} – {self.unit_names.get(estate.unit_id, '?')}"
            )
            new_to = self.closed_valid_to(estate.valid_from)
            yield Change(
                "engagement",
                "closed",
                estate.key or f"#{estate.id}",
                label,
                {"valid_to": [_iso(estate.valid_to), _iso(new_to)]},
            )

    def _engagement_label(self, engagement: EngagementRecord) -> str:
        person = self.new_person_names.get(engagement.person_key, engagement.person_key)
        unit = self.new_unit_names.get(engagement.unit_key, engagement.unit_key)
        return f"{person} – {unit}"

    def fingerprint(self) -> str:
        if self._fingerprint:
            return self._fingerprint
        digest = hashlib.sha256()
        for change in self.iter_changes():
            digest.update(
                json.dumps(
                    [change.entity, change.action, change.key, change.fields], sort_keys=True, default=str
                ).encode()
            )
            digest.update(b"\n")
        self._fingerprint = digest.hexdigest()
        return self._fingerprint


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _unit_fields(unit: UnitRecord) -> dict[str, list[Any]]:
    return {
        "name": [None, unit.name],
        "kind": [None, unit.kind],
        "parent": [None, unit.parent_key],
        "valid_from": [None, _iso(unit.valid_from or DEFAULT_VALID_FROM)],
        "valid_to": [None, _iso(unit.valid_to)],
    }


def _engagement_fields(engagement: EngagementRecord) -> dict[str, list[Any]]:
    return {
        "person": [None, engagement.person_key],
        "unit": [None, engagement.unit_key],
        "title": [None, engagement.title],
        "is_leader": [None, engagement.is_leader],
        "level": [None, engagement.level],
        "is_primary": [None, engagement.is_primary],
        "valid_from": [None, _iso(engagement.valid_from or DEFAULT_VALID_FROM)],
        "valid_to": [None, _iso(engagement.valid_to)],
    }


def _diff(pairs: Iterable[tuple[str, Any, Any]]) -> dict[str, list[Any]]:
    return {name: [old, new] for name, old, new in pairs if old != new}


def _is_open(valid_to: dt.date | None, close_on: dt.date) -> bool:
    return valid_to is None or valid_to > close_on


def plan_import(parsed: ParsedOrg, snapshot: Snapshot, *, today: dt.date | None = None) -> Plan:
    """What the import changes. `parsed` must be free of errors.

    Units and engagements in the database but not in the file are closed the day before
    `today` (never deleted). Without people data, people and engagements are left alone, also
    the engagements in units that close (`impact.kept_in_closing_units` counts them).
    """
    if parsed.errors:
        raise ValueError("plan_import needs a file without errors")
    today = today or dt.date.today()
    plan = Plan(close_on=today - dt.timedelta(days=1), snapshot=snapshot)
    summary = plan.summary
    plan.unit_names = {u.id: u.name for u in snapshot.units}
    plan.unit_keys = {u.id: u.key for u in snapshot.units}
    plan.level_keys = {lv.id: lv.key for lv in snapshot.levels}
    plan.new_unit_names = {u.key: u.name for u in parsed.units}

    # Units
    units_by_key = {u.key: u for u in snapshot.units}
    in_file: set[str] = set()
    for unit in parsed.units:
        in_file.add(unit.key)
        plan.unit_parent_keys[unit.key] = unit.parent_key
        state = units_by_key.get(unit.key)
        if state is None:
            plan.unit_adds.append(unit)
            continue
        old_parent = plan.unit_keys.get(state.parent_id) if state.parent_id else None
        fields = _diff(
            [
                ("name", state.name, unit.name),
                ("kind", state.kind, unit.kind),
                ("parent", old_parent, unit.parent_key),
                ("valid_from", _iso(state.valid_from), _iso(unit.valid_from or state.valid_from)),
                ("valid_to", _iso(state.valid_to), _iso(unit.valid_to)),
            ]
        )
        _check_stored_period(plan, unit, state.valid_from)
        if fields:
            plan.unit_updates.append((state, unit, fields))
            if "parent" in fields:
                summary.moved += 1
    closing_units: set[int] = set()
    for state in sorted(snapshot.units, key=lambda u: u.path):
        if state.key not in in_file and _is_open(state.valid_to, plan.close_on):
            plan.unit_closes.append(state)
            closing_units.add(state.id)
    summary.units = Counts(len(plan.unit_adds), len(plan.unit_updates), len(plan.unit_closes))

    # People
    open_before: set[int] = set()
    for existing in snapshot.engagements:
        if _is_open(existing.valid_to, plan.close_on):
            open_before.add(existing.person_id)
    persons_by_key = {p.key: p for p in snapshot.persons}
    plan.person_names = {p.id: p.name for p in snapshot.persons}
    plan.person_keys = {p.id: p.key for p in snapshot.persons}
    open_after_keys: set[str] = set()
    file_engagement_keys: set[str] = set()
    if parsed.persons is not None and parsed.engagements is not None:
        for person in parsed.persons:
            plan.new_person_names[person.key] = person.name
            pstate = persons_by_key.get(person.key)
            if pstate is None:
                plan.person_adds.append(person)
                continue
            fields = _diff([("name", pstate.name, person.name), ("email", pstate.email or "", person.email)])
            if fields:
                plan.person_updates.append((pstate, person, fields))
        engagements_by_key = {e.key: e for e in snapshot.engagements if e.key}
        for engagement in parsed.engagements:
            file_engagement_keys.add(engagement.key)
            if _is_open(engagement.valid_to, plan.close_on):
                open_after_keys.add(engagement.person_key)
            estate = engagements_by_key.get(engagement.key)
            if estate is None:
                plan.engagement_adds.append(engagement)
                continue
            old_level = plan.level_keys.get(estate.level_id) if estate.level_id else None
            fields = _diff(
                [
                    ("person", plan.person_keys.get(estate.person_id), engagement.person_key),
                    ("unit", plan.unit_keys.get(estate.unit_id), engagement.unit_key),
                    ("title", estate.title, engagement.title),
                    ("is_leader", estate.is_leader, engagement.is_leader),
                    ("level", old_level, engagement.level),
                    ("is_primary", estate.is_primary, engagement.is_primary),
                    ("valid_from", _iso(estate.valid_from), _iso(engagement.valid_from or estate.valid_from)),
                    ("valid_to", _iso(estate.valid_to), _iso(engagement.valid_to)),
                ]
            )
            _check_stored_period(plan, engagement, estate.valid_from)
            if fields:
                plan.engagement_updates.append((estate, engagement, fields))
        for estate in snapshot.engagements:
            if not _is_open(estate.valid_to, plan.close_on):
                continue
            if estate.key is None or estate.key not in file_engagement_keys:
                plan.engagement_closes.append(estate)
    plan.engagement_closes.sort(key=lambda e: e.id)

    # Who is left without any open engagement ("closed" people; the person rows stay).
    closing_ids = {e.id for e in plan.engagement_closes}
    updated_ids = {e.id for e, _r, _f in plan.engagement_updates}
    still_open = {
        e.person_id
        for e in snapshot.engagements
        if _is_open(e.valid_to, plan.close_on) and e.id not in closing_ids and e.id not in updated_ids
    }
    still_open_keys = {plan.person_keys[p] for p in still_open if p in plan.person_keys} | open_after_keys
    persons_closed = sum(1 for p in open_before if plan.person_keys.get(p) not in still_open_keys)
    summary.persons = Counts(len(plan.person_adds), len(plan.person_updates), persons_closed)
    summary.engagements = Counts(
        len(plan.engagement_adds), len(plan.engagement_updates), len(plan.engagement_closes)
    )
    open_engagements = [e for e in snapshot.engagements if _is_open(e.valid_to, plan.close_on)]
    plan.impact = Impact(
        open_units=sum(1 for u in snapshot.units if _is_open(u.valid_to, plan.close_on)),
        open_engagements=len(open_engagements),
        leaders_removed=sum(1 for e in plan.engagement_closes if e.is_leader)
        + sum(1 for e, r, _f in plan.engagement_updates if e.is_leader and not r.is_leader),
        kept_in_closing_units=0
        if parsed.persons is not None
        else sum(1 for e in open_engagements if e.unit_id in closing_units),
        people_synced=parsed.persons is not None,
    )
    return plan


def _check_stored_period(plan: Plan, record: UnitRecord | EngagementRecord, stored_from: dt.date) -> None:
    """A blank start date keeps the stored one; the end date must not lie before it."""
    if record.valid_from is None and record.valid_to is not None and record.valid_to < stored_from:
        plan.errors.append(
            ImportIssue(
                record.where.at(record.where.row, record.where.column or "gyldig_til"),
                _("slutdatoen %(to)s ligger før den gemte startdato %(from)s")
                % {"to": long_date(record.valid_to), "from": long_date(stored_from)},
            )
        )


def compute_paths(parents: Mapping[int, int | None]) -> dict[int, tuple[str, int]]:
    """Materialized path and depth of every unit from `id → parent id` (ids must form a forest)."""
    result: dict[int, tuple[str, int]] = {}
    for start in parents:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in result:
            chain.append(node)
            node = parents.get(node)
            if len(chain) > len(parents):
                raise ValueError("the parent map has a cycle")
        prefix, depth = result[node] if node is not None else ("", -1)
        for unit_id in reversed(chain):
            depth += 1
            prefix = prefix + path_segment(unit_id)
            result[unit_id] = (prefix, depth)
    return result
