"""Results pages (mounted at /resultater/, namespace "results"). Thin: selectors decide what the
viewer may see (access + anonymity), these views only render it or write it out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kerne.accounts.access import hr_required, login_required
from kerne.accounts.roles import is_hr, sees_whole_tree
from kerne.organisation.models import Unit
from kerne.organisation.selectors import can_lead_unit
from kerne.results import charts, exports, pdfcache, selectors, services
from kerne.results.scoring import DIMENSION_BAND_RULE, ITEM_BAND_RULE
from kerne.surveys.models import Evaluation, InstrumentKind, Round


def _round_or_404(user: Any, pk: int) -> Round:
    round_ = Round.objects.select_related("instrument", "target_unit").filter(pk=pk).first()
    if round_ is None or not selectors.may_see_round(user, round_):
        raise Http404
    return round_


def _language() -> str:
    return (translation.get_language() or "da")[:2]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = []
    for round_ in selectors.rounds_with_results(request.user):
        is_360 = round_.instrument.kind == InstrumentKind.LEADERSHIP_360
        rows.append(
            {
                "round": round_,
                "is_360": is_360,
                "units": [] if is_360 else selectors.units_to_open(request.user, round_),
                "evaluations": selectors.evaluations_for_user(request.user, round_) if is_360 else [],
            }
        )
    return render(request, "results/index.html", {"rows": rows, "whole_tree": sees_whole_tree(request.user)})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request.user, pk)
    is_360 = round_.instrument.kind == InstrumentKind.LEADERSHIP_360
    overview = selectors.round_overview(request.user, round_) if not is_360 else None
    units = [] if is_360 else selectors.units_to_open(request.user, round_)
    evaluations = selectors.evaluations_for_user(request.user, round_) if is_360 else []
    if not units and not evaluations and overview is None:
        raise Http404
    return render(
        request,
        "results/round.html",
        {
            "round": round_,
            "is_360": is_360,
            "overview": overview,
            "units": units,
            "evaluations": evaluations,
            "can_release": is_hr(request.user) and round_.status == Round.Status.CLOSED,
            "numbers": selectors.shows_numbers(round_),
            "heatmap_allowed": not is_360 and _heatmap_root(request.user, round_, None) is not None,
        },
    )


WITHDRAW = "traek-tilbage"  # ?handling= on the confirmation page


@hr_required
@require_http_methods(["GET", "POST"])
def round_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release or withdraw a round's results, after a confirmation (a page and a form: no script).

    GET shows what will happen and asks; only a POST that says it was confirmed acts. A POST
    without it (an old form) is sent to the question first."""
    round_ = get_object_or_404(Round, pk=pk)
    withdraw = (request.POST.get("action") or request.GET.get("handling")) in ("withdraw", WITHDRAW)
    if request.method == "GET" or request.POST.get("bekraeft") != "ja":
        if request.method == "POST":
            url = reverse("results:release", args=[round_.pk])
            return redirect(f"{url}?handling={WITHDRAW}" if withdraw else url)
        context = {
            "round": round_,
            "withdraw": withdraw,
            "can_release": round_.status == Round.Status.CLOSED,
        }
        return render(request, "results/release_confirm.html", context)
    try:
        if withdraw:
            services.round_withdraw_release(actor=request.user, round=round_)
            messages.success(request, _("Resultaterne er trukket tilbage fra ledere og medarbejdere."))
        else:
            services.round_release(actor=request.user, round=round_)
            messages.success(request, _("Resultaterne er frigivet til ledere og medarbejdere."))
    except services.ReleaseError as error:
        messages.error(request, str(error))
    return redirect("results:round", pk=round_.pk)


def _unit_report_context(
    request: HttpRequest,
    round_: Round,
    unit: Unit,
    report: Any = None,
    points: list[selectors.TrendPoint] | None = None,
) -> dict[str, Any]:
    if report is None:
        report = selectors.visible_results(request.user, round_, unit)
    if points is None:
        points = selectors.trend(request.user, round_.instrument, unit) if report.numbers else []
    trend_svg = ""
    names = {d.key: d.name for d in report.dimensions}
    trend_rows = []
    if len(points) >= 2:
        chart_points = [
            {"round": p.round_name, "order": i, "dimension": names.get(key, key), "score": value}
            for i, p in enumerate(points)
            for key, value in p.dimensions.items()
            if value is not None
        ]
        if chart_points:
            trend_svg = charts.svg(charts.trend_spec(chart_points), _language())
        trend_rows = [
            {"point": p, "values": [p.dimensions.get(d.key) for d in report.dimensions]} for p in points
        ]
    return {
        "round": round_,
        "unit": unit,
        "report": report,
        "trend_svg": trend_svg,
        "trend_rows": trend_rows,
        "band_rule": DIMENSION_BAND_RULE,
        "item_band_rule": ITEM_BAND_RULE,
        "can_heatmap": can_lead_unit(request.user, unit) and not _is_leaf_report(report),
    }


def _is_leaf_report(report: Any) -> bool:
    return not report.sub_units


@login_required
def unit_report(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    round_ = _round_or_404(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    return render(request, "results/unit.html", _unit_report_context(request, round_, unit))


@login_required
def unit_pdf(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    round_ = _round_or_404(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    # The viewer's own report first (access and anonymity), then the PDF of exactly that report:
    # from the shared cache when someone has had the same one rendered (kerne/results/pdfcache.py).
    report = selectors.visible_results(request.user, round_, unit)
    points = selectors.trend(request.user, round_.instrument, unit) if report.numbers else []
    digest = pdfcache.report_digest(
        report, points, language=_language(), round_id=round_.pk, round_name=round_.name
    )

    def render() -> bytes:
        context = _unit_report_context(request, round_, unit, report, points)
        html = render_to_string("results/unit_pdf.html", context, request=request)
        return exports.pdf(html, request.build_absolute_uri("/"))

    data = pdfcache.cached_pdf(digest, render)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(unit.name)}-{round_.pk}.pdf"'
    return response


@login_required
def unit_csv(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    round_ = _round_or_404(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    report = selectors.visible_results(request.user, round_, unit)
    response = HttpResponse("\ufeff" + exports.unit_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(unit.name)}-{round_.pk}.csv"'
    return response


def _heatmap_root(user: Any, round_: Round, unit_pk: str | None) -> Unit | None:
    """The heatmap's top unit: the one asked for, else the viewer's highest unit.

    Leaders (within what they lead) and the whole tree only; an employee has no heatmap.
    """
    if unit_pk:
        try:
            unit = Unit.objects.filter(pk=int(unit_pk)).first()
        except ValueError:
            return None
        if unit is None or not can_lead_unit(user, unit):
            return None
        return unit
    for unit in selectors.units_to_open(user, round_):
        if can_lead_unit(user, unit):
            return unit
    return None


def _heatmap(request: HttpRequest, pk: int) -> tuple[Round, Any]:
    round_ = _round_or_404(request.user, pk)
    root = _heatmap_root(request.user, round_, request.GET.get("enhed"))
    if root is None:
        raise Http404
    heat = selectors.heatmap(request.user, round_, root, depth=_depth(request))
    if heat is None:
        raise Http404
    return round_, heat


def _depth(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("niveauer", "2")), 6))
    except ValueError:
        return 2


@login_required
def heatmap(request: HttpRequest, pk: int) -> HttpResponse:
    round_, heat = _heatmap(request, pk)
    keys = [key for key, _name in heat.dimensions]
    sort = request.GET.get("sorter", "")
    descending = request.GET.get("retning") != "op"
    rows = list(heat.rows)
    if sort in keys:
        column = keys.index(sort)
        present = [r for r in rows if r.cells[column] is not None]
        missing = [r for r in rows if r.cells[column] is None]
        present.sort(key=lambda r: r.cells[column] or 0.0, reverse=descending)
        rows = present + missing
    elif sort == "navn":
        rows.sort(key=lambda r: r.name, reverse=not descending)
    root = Unit.objects.get(pk=heat.root_unit_id)
    groups = selectors.heatmap_columns(round_.instrument_id, heat.dimensions)
    compact = request.GET.get("kompakt") == "1"
    return render(
        request,
        "results/heatmap.html",
        {
            "round": round_,
            "heat": heat,
            "rows": rows,
            "root": root,
            "groups": groups,
            "grouped": any(group.name for group in groups),
            "columns": [column for group in groups for column in group.columns],
            "sort": sort,
            "descending": descending,
            "sorted_flat": bool(sort),
            "depth": _depth(request),
            "compact": compact,
            # Every link on the page keeps the view: the unit, the levels and compact mode.
            "view_query": f"enhed={root.pk}&niveauer={_depth(request)}" + ("&kompakt=1" if compact else ""),
            "sort_query": (f"&sorter={sort}" + ("" if descending else "&retning=op")) if sort else "",
        },
    )


@login_required
def heatmap_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round_, heat = _heatmap(request, pk)
    root = Unit.objects.get(pk=heat.root_unit_id)
    data = exports.heatmap_xlsx(heat, f"{round_.name} – {root.name}")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="heatmap-{slugify(root.name)}-{round_.pk}.xlsx"'
    return response


@login_required
def evaluation_report(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    evaluation = (
        Evaluation.objects.select_related("round", "round__instrument", "unit")
        .filter(pk=evaluation_pk, round_id=pk)
        .first()
    )
    if evaluation is None:
        raise Http404
    report = selectors.evaluation_report(request.user, evaluation)
    if report is None:
        raise Http404
    return render(request, "results/evaluation.html", {"round": evaluation.round, "report": report})


@login_required
def drivers(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    round_ = _round_or_404(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    report = selectors.visible_results(request.user, round_, unit)
    dimensions = [(d.key, d.name) for d in report.dimensions]
    outcome = request.GET.get("udfald") or (dimensions[0][0] if dimensions else "")
    context: dict[str, Any] = {
        "round": round_,
        "unit": unit,
        "report": report,
        "dimensions": dimensions,
        "outcome": outcome,
        "min_n": selectors.rwa.MIN_RESPONDENTS,
    }
    if outcome and outcome not in dict(dimensions):
        context["error"] = _("Vælg en af dimensionerne på listen.")
    elif outcome:
        try:
            result = selectors.drivers(request.user, round_, unit, outcome)
        except selectors.NotEnoughRespondents:
            result = None
            context["too_few"] = True
        context["result"] = result
        if result is not None and result.rows:
            rows = [
                {"dimension": r.name, "importance": round(100 * r.importance, 1), "score": r.score}
                for r in result.rows
                if r.score is not None
            ]
            context["chart_svg"] = charts.svg(charts.drivers_spec(rows), _language()) if rows else ""
    context["unit_url"] = reverse("results:unit", kwargs={"pk": round_.pk, "unit_pk": unit.pk})
    return render(request, "results/drivers.html", context)
