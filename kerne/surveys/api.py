"""JSON API for survey rounds and instruments (mounted at /api/surveys/).

Rule for every endpoint: HR/organisation consultants and administrators only (the same
as the HR round pages); others get 403. Response rates come from the same selector as
the pages, which reads the results' one disclosure decision (the results' counts on the
round's frozen tree, in the same coarse live steps): a hidden count is `null`, never a number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kerne.accounts.roles import is_hr
from kerne.organisation.selectors import visible_unit_or_404
from kerne.surveys import selectors, services
from kerne.surveys.instruments import InstrumentError, export_instrument, load_instrument_file
from kerne.surveys.models import Instrument, Round

router = Router(tags=["surveys"])


def _require_hr(request: HttpRequest) -> None:
    if not is_hr(request.user):
        raise HttpError(403, "Only HR and administrators may use the survey API.")


class RoundIn(Schema):
    name: str
    instrument_id: int
    target_unit_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    cut_off_date: dt.date
    k: int = 5
    comment_k: int | None = None
    languages: list[str] = ["da", "en"]
    mode: Literal["invited", "open_link"] = "invited"


class RoundOut(Schema):
    id: int
    name: str
    status: str
    mode: str
    instrument_id: int
    instrument_key: str
    target_unit_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    cut_off_date: dt.date
    k: int
    comment_k: int
    languages: list[str]
    released: bool


class Errors(Schema):
    errors: dict[str, str]


class InstrumentErrors(Schema):
    errors: list[str]


class LaunchOut(Schema):
    round: RoundOut
    invitations: int
    emails: int
    without_email: int
    open_links: int


class RateOut(Schema):
    key: str
    label: str
    depth: int
    kind: str
    invited: int | None  # None for open surveys (no invitations)
    answered: int | None  # None: hidden to protect anonymity
    rate: float | None


class StatusOut(Schema):
    round: RoundOut
    k: int
    counts_are_responses: bool
    hidden: int
    total: RateOut | None
    groups: list[RateOut]


class InstrumentIn(Schema):
    format: Literal["yaml", "json"] = "yaml"
    content: str


class InstrumentOut(Schema):
    id: int
    key: str
    version: int
    kind: str
    name_da: str
    name_en: str
    items: int
    shipped: bool


def _round_out(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "name": round_.name,
        "status": round_.status,
        "mode": round_.mode,
        "instrument_id": round_.instrument_id,
        "instrument_key": round_.instrument.key,
        "target_unit_id": round_.target_unit_id,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "cut_off_date": round_.cut_off_date,
        "k": round_.k,
        "comment_k": round_.comment_k,
        "languages": round_.languages,
        "released": round_.released,
    }


def _rate_out(row: selectors.RateRow, counts_are_responses: bool) -> dict[str, Any]:
    rate = None
    if not counts_are_responses and row.answered is not None and row.invited:
        rate = round(row.answered / row.invited, 4)
    return {
        "key": row.key,
        "label": row.label,
        "depth": row.depth,
        "kind": row.kind,
        "invited": None if counts_are_responses else row.invited,
        "answered": row.answered,
        "rate": rate,
    }


def _instrument_out(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.pk,
        "key": instrument.key,
        "version": instrument.version,
        "kind": instrument.kind,
        "name_da": instrument.name_da,
        "name_en": instrument.name_en,
        "items": instrument.items.count(),
        "shipped": instrument.shipped,
    }


@router.get("/rounds", response=list[RoundOut], summary="All rounds (HR)")
def rounds_list(request: HttpRequest) -> list[dict[str, Any]]:
    _require_hr(request)
    return [_round_out(r) for r in selectors.rounds_visible_to(request.user)]


@router.post("/rounds", response={201: RoundOut, 400: Errors}, summary="Create a round as a draft (HR)")
def rounds_create(request: HttpRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    _require_hr(request)
    instrument = Instrument.objects.filter(pk=payload.instrument_id).first()
    if instrument is None:
        return Status(400, {"errors": {"instrument_id": "No instrument with this id."}})
    try:
        unit = visible_unit_or_404(request.user, payload.target_unit_id)
    except Http404:
        return Status(400, {"errors": {"target_unit_id": "No unit with this id."}})
    try:
        round_ = services.round_create(
            actor=request.user,
            name=payload.name,
            instrument=instrument,
            target_unit=unit,
            opens_at=payload.opens_at,
            closes_at=payload.closes_at,
            cut_off_date=payload.cut_off_date,
            k=payload.k,
            comment_k=payload.comment_k,
            languages=payload.languages,
            mode=payload.mode,
        )
    except services.RoundError as error:
        return Status(400, {"errors": {k: str(v) for k, v in error.errors.items()}})
    return Status(201, _round_out(round_))


@router.get("/rounds/{round_id}", response=RoundOut, summary="One round (HR)")
def rounds_get(request: HttpRequest, round_id: int) -> dict[str, Any]:
    _require_hr(request)
    return _round_out(selectors.round_visible_or_404(request.user, round_id))


@router.post(
    "/rounds/{round_id}/launch",
    response={200: LaunchOut, 400: Errors},
    summary="Launch a draft round: invitations or open links, e-mails (HR)",
)
def rounds_launch(request: HttpRequest, round_id: int) -> Status[dict[str, Any]]:
    _require_hr(request)
    round_ = selectors.round_visible_or_404(request.user, round_id)
    try:
        summary = services.round_launch(actor=request.user, round=round_)
    except services.RoundError as error:
        return Status(400, {"errors": {k: str(v) for k, v in error.errors.items()}})
    round_.refresh_from_db()
    return Status(
        200,
        {
            "round": _round_out(round_),
            "invitations": summary.invitations,
            "emails": summary.to_email,
            "without_email": summary.without_email,
            "open_links": summary.open_links,
        },
    )


@router.get(
    "/rounds/{round_id}/status",
    response=StatusOut,
    summary="Response rates per unit (or evaluation and rater group), suppressed below k (HR)",
)
def rounds_status(request: HttpRequest, round_id: int) -> dict[str, Any]:
    _require_hr(request)
    round_ = selectors.round_visible_or_404(request.user, round_id)
    table = selectors.response_rates(round_)
    responses = table.counts_are_responses
    return {
        "round": _round_out(round_),
        "k": table.k,
        "counts_are_responses": responses,
        "hidden": table.hidden,
        "total": _rate_out(table.total, responses) if table.total else None,
        "groups": [_rate_out(row, responses) for row in table.rows],
    }


@router.get("/instruments", response=list[InstrumentOut], summary="All instruments (HR)")
def instruments_list(request: HttpRequest) -> list[dict[str, Any]]:
    _require_hr(request)
    return [_instrument_out(i) for i in Instrument.objects.all()]


@router.post(
    "/instruments/import",
    response={201: InstrumentOut, 400: InstrumentErrors},
    summary="Import an instrument from YAML or JSON text (HR); errors name the line",
)
def instruments_import(request: HttpRequest, payload: InstrumentIn) -> Status[dict[str, Any]]:
    _require_hr(request)
    # Always a text with a newline: load_instrument_file would read a short one-line
    # string that names an existing .yaml/.json file from disk.
    content = payload.content if payload.content.endswith("\n") else payload.content + "\n"
    try:
        instrument = load_instrument_file(content, format=payload.format, actor=request.user)
    except InstrumentError as error:
        return Status(400, {"errors": error.errors})
    return Status(201, _instrument_out(instrument))


@router.get("/instruments/{instrument_id}/export", summary="Export an instrument as YAML or JSON (HR)")
def instruments_export(
    request: HttpRequest, instrument_id: int, format: Literal["yaml", "json"] = "yaml"
) -> HttpResponse:
    _require_hr(request)
    instrument = Instrument.objects.filter(pk=instrument_id).first()
    if instrument is None:
        raise HttpError(404, "No instrument with this id.")
    content_type = "application/json" if format == "json" else "application/yaml"
    response = HttpResponse(
        export_instrument(instrument, format=format), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{instrument.key}-v{instrument.version}.{format}"'
    )
    return response
