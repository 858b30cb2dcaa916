"""Pages of the goals app (mounted at /maal/). Thin: forms validate, services write, selectors read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kerne import uploads
from kerne.accounts.access import login_required, whole_tree_required
from kerne.goals import charts, coverage, diagram, importers, numbers, selectors, services, survey
from kerne.goals.forms import (
    ChainLinkForm,
    ChainNodeForm,
    EffectGoalForm,
    ImportForm,
    IndicatorForm,
    InterventionForm,
    LiftForm,
    MeasurementForm,
    OverrideForm,
    PartnerForm,
    RelinkForm,
    RolloutForm,
    RolloutStateForm,
    ThemeForm,
    UnitGoalForm,
    VisionForm,
)
from kerne.goals.models import (
    ChainLink,
    ChainNode,
    Evidence,
    GoalLink,
    Indicator,
    Measurement,
    MeasurementHistory,
    Partner,
    RolloutState,
    StatusOverride,
    Theme,
    Vision,
)
from kerne.goals.overview import goal_owner_units, goal_tree
from kerne.goals.periods import period_label
from kerne.goals.series import SeriesReader, empty_reason, plan_of, statuses_for
from kerne.goals.status import REASONS as STATUS_REASONS
from kerne.goals.status import STATUS_LABELS, Status, classify, planned_value
from kerne.i18n import localized
from kerne.organisation import import_jobs
from kerne.organisation.models import Unit

# --- helpers ---------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, intro: str = "", **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, "intro": intro, **extra}
    return render(request, "goals/form.html", context)


def _fields(form: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The cleaned model fields of a ModelForm, without its many-to-many and extra fields."""
    model_fields = {f.name for f in form._meta.model._meta.concrete_fields}
    return {k: v for k, v in form.cleaned_data.items() if k in model_fields and k not in exclude}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- goal tree and my goals ------------------------------------------------------------------------


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    within = None
    if request.GET.get("unit"):
        within = selectors.goal_unit_or_404(request.user, request.GET["unit"])
    context = {
        "tree": goal_tree(request.user, within),
        "filter_units": goal_owner_units(request.user),
        "can_edit_strategy": selectors.can_edit_strategy(request.user),
        "led_units": selectors.led_units(request.user),
    }
    return render(request, "goals/tree.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """ "My unit's goals": for each unit the user leads, its goals and what they contribute to."""
    sections = [(unit, goal_tree(request.user, unit)) for unit in selectors.led_units(request.user)]
    return render(request, "goals/mine.html", {"sections": sections})


# --- vision, themes, effect goals ------------------------------------------------------------------


@whole_tree_required
def vision_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_edit_strategy(request.user))
    form = VisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.vision_save(actor=request.user, vision=None, fields=_fields(form))
        messages.success(request, _("Visionen er gemt."))
        return redirect("goals:tree")
    return _form_page(request, form, _("Ny vision"), reverse("goals:tree"))


@whole_tree_required
def vision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(selectors.can_edit_strategy(request.user))
    vision = selectors.visions(request.user).filter(pk=pk).first()
    if vision is None:
        raise PermissionDenied
    form = VisionForm(request.POST or None, instance=Vision.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.vision_save(actor=request.user, vision=vision, fields=_fields(form))
        messages.success(request, _("Visionen er gemt."))
        return redirect("goals:tree")
    themes = list(vision.themes.all())
    return _form_page(request, form, _("Rediger vision"), reverse("goals:tree"), vision=vision, themes=themes)


@whole_tree_required
def theme_create(request: HttpRequest, vision_pk: int) -> HttpResponse:
    vision = selectors.visions(request.user).filter(pk=vision_pk).first()
    if vision is None:
        raise PermissionDenied
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.theme_save(actor=request.user, theme=None, vision=vision, fields=_fields(form))
        messages.success(request, _("Temaet er gemt."))
        return redirect("goals:vision_edit", pk=vision.pk)
    return _form_page(request, form, _("Nyt tema"), reverse("goals:vision_edit", args=[vision.pk]))


@whole_tree_required
def theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    theme = Theme.objects.select_related("vision").filter(pk=pk).first()
    if theme is None:
        raise PermissionDenied
    form = ThemeForm(request.POST or None, instance=Theme.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.theme_save(actor=request.user, theme=theme, vision=theme.vision, fields=_fields(form))
        messages.success(request, _("Temaet er gemt."))
        return redirect("goals:vision_edit", pk=theme.vision_id)
    return _form_page(request, form, _("Rediger tema"), reverse("goals:vision_edit", args=[theme.vision_id]))


@login_required
def effect_goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.effect_goal_or_404(request.user, pk)
    within = None
    if request.GET.get("unit"):
        within = selectors.goal_unit_or_404(request.user, request.GET["unit"])
    tree_ = goal_tree(request.user, within)
    node = next((n for v in tree_.visions for n in v.effect_goals if n.goal.pk == goal.pk), None)
    context = {
        "goal": goal,
        "node": node,
        "interventions": selectors.interventions(request.user).filter(effect_goals=goal),
        "can_edit": selectors.can_edit_strategy(request.user),
        "led_units": selectors.led_units(request.user),
    }
    return render(request, "goals/effect_goal.html", context)


def _effect_goal_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    _require(selectors.can_edit_strategy(request.user))
    goal = selectors.effect_goal_or_404(request.user, pk) if pk else None
    form = EffectGoalForm(request.POST or None, instance=goal, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.effect_goal_save(
            actor=request.user,
            goal=selectors.effect_goal_or_404(request.user, pk) if pk else None,
            fields=_fields(form),
            themes=list(form.cleaned_data["themes"]),
            principles=list(form.cleaned_data["principles"]),
            indicators=list(form.cleaned_data["indicators"]),
        )
        messages.success(request, _("Effektmålet er gemt."))
        return redirect("goals:effect_goal_detail", pk=saved.pk)
    title = _("Rediger effektmål") if goal else _("Nyt effektmål")
    back = reverse("goals:effect_goal_detail", args=[goal.pk]) if goal else reverse("goals:tree")
    return _form_page(request, form, title, back)


@whole_tree_required
def effect_goal_create(request: HttpRequest) -> HttpResponse:
    return _effect_goal_form(request, None)


@whole_tree_required
def effect_goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _effect_goal_form(request, pk)


# --- unit goals ------------------------------------------------------------------------------------


@login_required
def unit_goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.unit_goal_or_404(request.user, pk)
    indicators = list(goal.indicators.all())
    statuses = statuses_for([(i, goal.unit) for i in indicators], user=request.user)
    links = list(
        GoalLink.objects.filter(unit_goal=goal).select_related("effect_goal").order_by("-valid_from")
    )
    context = {
        "goal": goal,
        "rows": [(i, statuses[(i.pk, goal.unit.pk)]) for i in indicators],
        "open_links": [link for link in links if link.valid_to is None],
        "closed_links": [link for link in links if link.valid_to is not None],
        "events": goal.events.all()[:100],
        "ancestors": list(goal.unit.ancestors()),
        "can_edit": selectors.can_edit_unit(request.user, goal.unit),
    }
    return render(request, "goals/unit_goal.html", context)


@login_required
def unit_goal_create(request: HttpRequest) -> HttpResponse:
    unit_pk = request.GET.get("unit") or request.POST.get("unit")
    if unit_pk:
        unit = selectors.goal_unit_or_404(request.user, unit_pk)
    else:  # the user's own unit: the first they lead, or the top of the tree for whole-tree roles
        led = selectors.led_units(request.user)
        top = selectors.editable_units(request.user).order_by("depth", "path").first()
        if not led and top is None:
            raise PermissionDenied
        unit = led[0] if led else top  # type: ignore[assignment]
    _require(selectors.can_edit_unit(request.user, unit))
    form = UnitGoalForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        goal = services.unit_goal_create(
            actor=request.user,
            unit=unit,
            fields=_fields(form),
            effect_goals=list(form.cleaned_data["effect_goals"]),
            indicators=list(form.cleaned_data["indicators"]),
        )
        messages.success(request, _("Enhedsmålet er gemt."))
        return redirect("goals:unit_goal_detail", pk=goal.pk)
    return _form_page(
        request,
        form,
        _("Nyt enhedsmål for %(unit)s") % {"unit": unit.name},
        reverse("goals:mine"),
        hidden={"unit": unit.pk},
    )


@login_required
def unit_goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.unit_goal_or_404(request.user, pk)
    _require(selectors.can_edit_unit(request.user, goal.unit))
    form = UnitGoalForm(request.POST or None, instance=goal, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        services.unit_goal_update(
            actor=request.user,
            goal=selectors.unit_goal_or_404(request.user, pk),
            fields=_fields(form),
            indicators=list(form.cleaned_data["indicators"]),
        )
        messages.success(request, _("Enhedsmålet er gemt."))
        return redirect("goals:unit_goal_detail", pk=goal.pk)
    return _form_page(request, form, _("Rediger enhedsmål"), reverse("goals:unit_goal_detail", args=[pk]))


@login_required
def unit_goal_relink(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.unit_goal_or_404(request.user, pk)
    _require(selectors.can_edit_unit(request.user, goal.unit))
    current = [link.effect_goal for link in services.current_links(goal)]
    form = RelinkForm(request.POST or None, user=request.user, initial={"effect_goals": current})
    if request.method == "POST" and form.is_valid():
        services.unit_goal_relink(
            actor=request.user,
            goal=goal,
            effect_goals=list(form.cleaned_data["effect_goals"]),
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Tilknytningen er gemt; den tidligere er bevaret i historikken."))
        return redirect("goals:unit_goal_detail", pk=goal.pk)
    return _form_page(
        request,
        form,
        _("Knyt »%(goal)s« til effektmål") % {"goal": goal.title_da},
        reverse("goals:unit_goal_detail", args=[pk]),
        intro=_("Tidligere tilknytninger bevares i målets historik."),
    )


@login_required
def unit_goal_lift(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.unit_goal_or_404(request.user, pk)
    _require(selectors.can_edit_unit(request.user, goal.unit))
    form = LiftForm(request.POST or None, user=request.user, goal=goal)
    if request.method == "POST" and form.is_valid():
        services.unit_goal_lift(
            actor=request.user,
            goal=goal,
            to_unit=form.cleaned_data["to_unit"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Målet er løftet; flytningen står i historikken."))
        return redirect("goals:unit_goal_detail", pk=goal.pk)
    return _form_page(
        request,
        form,
        _("Løft »%(goal)s« til en enhed højere oppe") % {"goal": goal.title_da},
        reverse("goals:unit_goal_detail", args=[pk]),
        intro=_("Et mål kan løftes til en enhed over den, det hører til, når det gælder flere enheder."),
    )


# --- interventions and effect chains ---------------------------------------------------------------


@login_required
def intervention_list(request: HttpRequest) -> HttpResponse:
    interventions = selectors.interventions(request.user).prefetch_related("effect_goals")
    page = Paginator(interventions, 50).get_page(request.GET.get("page"))
    can_create = selectors.can_edit_strategy(request.user) or bool(selectors.led_units(request.user))
    return render(request, "goals/intervention_list.html", {"page": page, "can_create": can_create})


def _chain_parts(intervention: Any) -> tuple[list[ChainNode], list[ChainLink]]:
    nodes = list(ChainNode.objects.filter(intervention=intervention).select_related("indicator"))
    links = list(ChainLink.objects.filter(intervention=intervention).select_related("source", "target"))
    return nodes, links


def _evidence_label(key: str) -> str:
    return str(Evidence(key).label)


@login_required
def intervention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = selectors.intervention_or_404(request.user, pk)
    nodes, links = _chain_parts(intervention)
    title = localized(intervention, "title")
    boxes = [diagram.Box("intervention", 0, title)]
    boxes += [
        diagram.Box(f"node-{n.pk}", 1 if n.kind == ChainNode.Kind.RESULT else 2, localized(n, "text"))
        for n in nodes
    ]
    arrows = [
        diagram.Arrow(
            number,
            f"node-{link.source_id}" if link.source_id else "intervention",
            f"node-{link.target_id}",
            link.evidence,
        )
        for number, link in enumerate(links, start=1)
    ]
    svg = diagram.render(
        boxes,
        arrows,
        [_("Indsats"), _("Resultater"), _("Effekter")],
        _("Forandringsteori for %(title)s. Beskrevet som tekst under diagrammet.") % {"title": title},
    )
    context = {
        "intervention": intervention,
        "svg": svg,
        "links": list(enumerate(links, start=1)),
        "nodes": nodes,
        "partners": intervention.partners.all(),
        "rollouts": intervention.rollouts.all(),
        "can_edit": selectors.can_edit_intervention(request.user, intervention),
    }
    return render(request, "goals/intervention.html", context)


def _intervention_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    intervention = selectors.intervention_or_404(request.user, pk) if pk else None
    if intervention is not None:
        _require(selectors.can_edit_intervention(request.user, intervention))
    form = InterventionForm(request.POST or None, instance=intervention, user=request.user)
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner_unit"]
        _require(selectors.can_edit_strategy(request.user) or selectors.can_edit_unit(request.user, owner))
        saved = services.intervention_save(
            actor=request.user,
            intervention=selectors.intervention_or_404(request.user, pk) if pk else None,
            fields=_fields(form),
            effect_goals=list(form.cleaned_data["effect_goals"]),
        )
        messages.success(request, _("Indsatsen er gemt."))
        return redirect("goals:chain_edit" if pk is None else "goals:intervention_detail", pk=saved.pk)
    title = _("Rediger indsats") if intervention else _("Ny indsats")
    back = reverse("goals:intervention_detail", args=[pk]) if pk else reverse("goals:intervention_list")
    return _form_page(request, form, title, back)


@login_required
def intervention_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_edit_strategy(request.user) or bool(selectors.led_units(request.user)))
    return _intervention_form(request, None)


@login_required
def intervention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _intervention_form(request, pk)


CHAIN_ROWS: dict[str, tuple[Any, Any, str]] = {
    "node": (ChainNode, ChainNodeForm, "nodes"),
    "link": (ChainLink, ChainLinkForm, "links"),
    "partner": (Partner, PartnerForm, "partners"),
}


def _row_form(kind: str, intervention: Any, user: Any, data: Any = None, instance: Any = None) -> Any:
    _model, form_class, _section = CHAIN_ROWS[kind]
    prefix = f"{kind}-{instance.pk if instance else 'new'}"
    kwargs: dict[str, Any] = {"prefix": prefix, "instance": instance}
    if kind == "node":
        kwargs["user"] = user
    if kind == "link":
        kwargs["intervention"] = intervention
    return form_class(data, **kwargs)


def _chain_context(intervention: Any, user: Any, bound: Any = None) -> dict[str, Any]:
    """Forms for every row of the chain page; `bound` replaces one form (with its errors)."""
    sections: dict[str, list[Any]] = {}
    for kind, (model, _form, section) in CHAIN_ROWS.items():
        rows = [
            _row_form(kind, intervention, user, instance=obj)
            for obj in model.objects.filter(intervention=intervention)
        ]
        rows.append(_row_form(kind, intervention, user))
        if bound is not None:
            rows = [bound if form.prefix == bound.prefix else form for form in rows]
        sections[section] = rows
    return {"intervention": intervention, **sections}


@login_required
def chain_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The whole theory of change of an intervention on one page; each row saves on its own (htmx)."""
    intervention = selectors.intervention_or_404(request.user, pk)
    _require(selectors.can_edit_intervention(request.user, intervention))
    bound = None
    section = ""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in CHAIN_ROWS:
            raise PermissionDenied
        model, _form, section = CHAIN_ROWS[kind]
        row_pk = request.POST.get("row", "")
        instance = (
            model.objects.filter(intervention=intervention, pk=row_pk).first() if row_pk.isdigit() else None
        )
        if request.POST.get("delete") and instance is not None:
            services.chain_row_delete(actor=request.user, row=instance)
        else:
            form = _row_form(kind, intervention, request.user, request.POST, instance)
            if form.is_valid():
                save: Any = {
                    "node": services.chain_node_save,
                    "link": services.chain_link_save,
                    "partner": services.partner_save,
                }[kind]
                save(actor=request.user, intervention=intervention, **{kind: instance}, fields=_fields(form))
            else:
                bound = form
        if not request.htmx and bound is None:  # type: ignore[attr-defined]
            return redirect(f"{reverse('goals:chain_edit', args=[pk])}#{section}")
    context = _chain_context(intervention, request.user, bound)
    if request.htmx and section:  # type: ignore[attr-defined]
        # Links depend on nodes: a node change redraws the links too.
        return render(request, "goals/_chain_sections.html", {**context, "only": section})
    return render(request, "goals/chain_edit.html", context)


# --- indicators --------------------------------------------------------------------------------------


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = selectors.indicators(request.user).order_by("name_da")
    page = Paginator(indicators, 50).get_page(request.GET.get("page"))
    # A survey indicator whose owner's results the viewer may not see: status for their own unit.
    shown = {i.pk: survey.default_unit(i, i.owner_unit, request.user) for i in page.object_list}
    units = {i.pk: shown[i.pk] or i.owner_unit for i in page.object_list}
    statuses = statuses_for([(i, units[i.pk]) for i in page.object_list], user=request.user)
    rows = [(i, statuses[(i.pk, units[i.pk].pk)], shown[i.pk]) for i in page.object_list]
    can_create = selectors.can_edit_strategy(request.user) or bool(selectors.led_units(request.user))
    context = {
        "page": page,
        "rows": rows,
        "can_create": can_create,
        "can_import": selectors.measurement_units(request.user).exists(),
    }
    return render(request, "goals/indicator_list.html", context)


def _unit_choices(user: Any, unit: Unit) -> dict[str, Any]:
    """Where to look next on an indicator page: the chain above, and the units just below."""
    above = [u for u in unit.ancestors() if selectors.can_see_goals_of(user, u)]
    below = [u for u in unit.children.active().order_by("name")[:200] if selectors.can_see_goals_of(user, u)]
    return {"above": above, "below": below}


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_or_404(request.user, pk)
    unit = indicator.owner_unit
    shown_instead_of = None
    if request.GET.get("unit"):
        unit = selectors.goal_unit_or_404(request.user, request.GET["unit"])
    elif not selectors.can_see_goals_of(request.user, unit):
        unit = selectors.led_units(request.user)[0] if selectors.led_units(request.user) else unit
        if not selectors.can_see_goals_of(request.user, unit):
            raise PermissionDenied
    elif (own_unit := survey.default_unit(indicator, unit, request.user)) is not None:
        shown_instead_of, unit = unit, own_unit  # survey results the viewer may not see: their own unit's
    reader = SeriesReader([(indicator, unit)], request.user)
    series = reader.series(indicator, unit)
    survey_reason = ""
    if indicator.is_survey:
        survey_reason = survey.missing_reason(indicator, unit, request.user, series)
    plan = plan_of(indicator)
    status = statuses_for([(indicator, unit)], user=request.user)[(indicator.pk, unit.pk)]
    table = []
    for period, value in sorted(series.items()):
        planned = planned_value(plan, period)
        point_status = None
        if value.value is not None and planned is not None:
            point_status = classify(plan, value.value, planned)[0]
        table.append(
            {
                "period": period,
                "label": period_label(period, indicator.frequency),
                "value": value,
                "planned": planned,
                "status": point_status,
                "status_label": STATUS_LABELS[point_status] if point_status else "",
            }
        )
    milestones = [(m.date, float(m.value)) for m in indicator.milestones.all() if numbers.usable(m.value)]
    measured = [(p, v.value) for p, v in sorted(series.items()) if v.value is not None]
    chart_svg = ""
    if measured or plan.is_complete():
        spec = charts.spec(
            title=localized(indicator, "name"),
            unit_of_measure=indicator.unit_of_measure,
            measured=measured,
            plan=plan,
            milestones=milestones,
        )
        chart_svg = charts.svg(spec, (translation.get_language() or "da")[:2])
    own = (
        Measurement.objects.filter(indicator=indicator, unit=unit)
        .select_related("entered_by")
        .order_by("-period")
    )
    history = MeasurementHistory.objects.filter(measurement__in=own).select_related(
        "measurement", "replaced_by"
    )
    overrides = StatusOverride.objects.filter(indicator=indicator, unit=unit).order_by("-at", "-pk")[:10]
    context = {
        "indicator": indicator,
        "unit": unit,
        "status": status,
        "status_reason": STATUS_REASONS.get(status.computed.reason, ""),
        "survey_reason": survey_reason,
        "shown_instead_of": shown_instead_of,
        "table": table,
        "chart_svg": chart_svg,
        "milestones": indicator.milestones.all(),
        "own": own[:60],
        "history": history[:60],
        "overrides": overrides,
        "empty": empty_reason(indicator) if not series else None,
        "can_edit": selectors.can_edit_indicator(request.user, indicator),
        "can_measure": selectors.can_record_measurements(request.user, unit)
        and indicator.source in (Indicator.Source.MANUAL, Indicator.Source.IMPORTED),
        "can_override": selectors.can_override_status(request.user, unit),
        "tolerance_pct": plan.tolerance * 100,
        "off_track_pct": plan.off_track_threshold * 100,
        **_unit_choices(request.user, unit),
    }
    return render(request, "goals/indicator.html", context)


def _indicator_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    indicator = selectors.indicator_or_404(request.user, pk) if pk else None
    if indicator is not None:
        _require(selectors.can_edit_indicator(request.user, indicator))
    form = IndicatorForm(request.POST or None, instance=indicator, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.indicator_save(
            actor=request.user,
            indicator=selectors.indicator_or_404(request.user, pk) if pk else None,
            fields=_fields(form),
            milestones=form.cleaned_data["milestones"],
        )
        messages.success(request, _("Indikatoren er gemt."))
        return redirect("goals:indicator_detail", pk=saved.pk)
    title = _("Rediger indikator") if indicator else _("Ny indikator")
    back = reverse("goals:indicator_detail", args=[pk]) if pk else reverse("goals:indicator_list")
    return _form_page(request, form, title, back)


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_edit_strategy(request.user) or bool(selectors.led_units(request.user)))
    return _indicator_form(request, None)


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _indicator_form(request, pk)


@login_required
def measurement_enter(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_or_404(request.user, pk)
    if indicator.source in (Indicator.Source.COMPUTED, Indicator.Source.SURVEY):
        raise PermissionDenied
    _require(selectors.measurement_units(request.user).exists())
    initial: dict[str, Any] = {"period": dt.date.today().isoformat()}
    if request.GET.get("unit", "").isdigit():
        initial["unit"] = int(request.GET["unit"])
    form = MeasurementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        _require(selectors.can_record_measurements(request.user, unit))
        _m, outcome = services.measurement_record(
            actor=request.user,
            indicator=indicator,
            unit=unit,
            period=form.cleaned_data["period"],
            value=form.cleaned_data["value"],
            weight=form.cleaned_data["weight"],
            comment=form.cleaned_data["comment"],
        )
        text = {
            services.CREATED: _("Målingen er gemt."),
            services.CORRECTED: _("Målingen er rettet; den tidligere værdi er gemt i historikken."),
            services.UNCHANGED: _("Målingen var allerede registreret med samme værdi."),
        }[outcome]
        messages.success(request, text)
        return redirect(f"{reverse('goals:indicator_detail', args=[pk])}?unit={unit.pk}")
    return _form_page(
        request,
        form,
        _("Registrér måling: %(name)s") % {"name": localized(indicator, "name")},
        reverse("goals:indicator_detail", args=[pk]),
        intro=_(
            "Én værdi pr. enhed og periode. Findes der allerede en værdi, rettes den, og den gamle gemmes."
        ),
    )


@login_required
def status_override(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_or_404(request.user, pk)
    unit = selectors.goal_unit_or_404(
        request.user, request.GET.get("unit") or request.POST.get("unit") or indicator.owner_unit_id
    )
    _require(selectors.can_override_status(request.user, unit))
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.status_override_set(
            actor=request.user,
            indicator=indicator,
            unit=unit,
            status=form.cleaned_data["status"] or None,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Status er gemt med begrundelse."))
        return redirect(f"{reverse('goals:indicator_detail', args=[pk])}?unit={unit.pk}")
    return _form_page(
        request,
        form,
        _("Tilsidesæt status: %(name)s, %(unit)s")
        % {"name": localized(indicator, "name"), "unit": unit.name},
        f"{reverse('goals:indicator_detail', args=[pk])}?unit={unit.pk}",
        intro=_("Som leder kan du sætte en anden status end den beregnede, når du begrunder det."),
        hidden={"unit": unit.pk},
    )


@csrf_exempt  # checked by csrf_protect below, after the size limit is installed
@login_required
def measurement_import(request: HttpRequest) -> HttpResponse:
    """Bounded like the organisation import (kerne/uploads.py): the file may be at most
    KERNE_IMPORT_MAX_BYTES, counted while the upload streams in, and an XLSX may unpack to at
    most KERNE_IMPORT_MAX_UNPACKED_BYTES; rows stop at importers.MAX_ROWS while the file is read."""
    _require(selectors.measurement_units(request.user).exists())
    uploads.limit_uploads(request, import_jobs.max_upload_bytes())
    return _measurement_import(request)


@csrf_protect
def _measurement_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[importers.RowError] = []
    refused = uploads.too_large(request)
    if refused:
        errors = [
            importers.RowError(0, "", uploads.too_large_message(refused, import_jobs.max_upload_bytes()))
        ]
        context = {"form": ImportForm(), "errors": errors, **_import_limits()}
        return render(request, "goals/import.html", context, status=413)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        visible = set(selectors.indicators(request.user).values_list("pk", flat=True))
        try:
            inputs = importers.parse_file(
                upload.read(),
                upload.name,
                may_edit=lambda unit: selectors.can_record_measurements(request.user, unit),
                may_use=lambda indicator: indicator.pk in visible,
                max_unpacked_bytes=import_jobs.upload_limits().max_unpacked_bytes,
            )
        except importers.ImportFileError as exc:
            errors = exc.errors
        else:
            counts = services.measurements_import(actor=request.user, rows=inputs)
            messages.success(
                request,
                _("Importeret: %(created)s nye, %(corrected)s rettede, %(unchanged)s uændrede målinger.")
                % counts,
            )
            return redirect("goals:measurement_import")
    return render(request, "goals/import.html", {"form": form, "errors": errors, **_import_limits()})


def _import_limits() -> dict[str, Any]:
    rows = formats.number_format(importers.MAX_ROWS, force_grouping=True)
    return {"max_bytes": import_jobs.max_upload_bytes(), "max_rows": rows}


# --- roll-outs ---------------------------------------------------------------------------------------


@login_required
def rollout_list(request: HttpRequest) -> HttpResponse:
    rollouts = selectors.rollouts(request.user)
    page = Paginator(rollouts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "goals/rollout_list.html",
        {"page": page, "can_create": selectors.can_edit_strategy(request.user), "today": dt.date.today()},
    )


def _rollout_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    _require(selectors.can_edit_strategy(request.user))
    rollout = selectors.rollout_or_404(request.user, pk) if pk else None
    form = RolloutForm(request.POST or None, instance=rollout, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.rollout_save(
            actor=request.user,
            rollout=selectors.rollout_or_404(request.user, pk) if pk else None,
            fields=_fields(form),
        )
        messages.success(request, _("Udrulningen er gemt."))
        return redirect("goals:rollout_detail", pk=saved.pk)
    title = _("Rediger udrulning") if rollout else _("Ny udrulning")
    back = reverse("goals:rollout_detail", args=[pk]) if pk else reverse("goals:rollout_list")
    return _form_page(request, form, title, back)


@whole_tree_required
def rollout_create(request: HttpRequest) -> HttpResponse:
    return _rollout_form(request, None)


@whole_tree_required
def rollout_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rollout_form(request, pk)


UNIT_LIST_LIMIT = 200


@login_required
def rollout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rollout = selectors.rollout_or_404(request.user, pk)
    roots = selectors.rollout_scope(request.user, rollout)
    today = dt.date.today()
    branch_root = roots[0] if len(roots) == 1 else None
    if branch_root is not None:
        depth_rows, branch_rows = coverage.summary(rollout, branch_root, today)
    else:
        depth_rows, branch_rows = coverage.by_depth(rollout, roots, today), []
    totals = coverage.total(depth_rows)
    overdue = coverage.overdue(rollout, roots, today)
    # Past the deadline every unit not started is overdue: the count is already in the totals.
    overdue_count = totals.not_started if rollout.is_overdue(today) else 0
    states = RolloutState.objects.filter(rollout=rollout, unit=OuterRef("pk"))
    units = (
        coverage.scope_units(roots, today)
        .annotate(
            state=Subquery(states.values("state")[:1]),
            note=Subquery(states.values("note")[:1]),
            reason=Subquery(states.values("reason")[:1]),
        )
        .order_by("path")
    )
    editable = selectors.editable_units(request.user)
    my_units = (
        units.filter(pk__in=editable.values("pk"))[:UNIT_LIST_LIMIT]
        if not selectors.can_edit_strategy(request.user)
        else []
    )
    state_labels = dict(RolloutState.State.choices)
    context = {
        "rollout": rollout,
        "roots": roots,
        "depth_rows": depth_rows,
        "total": totals,
        "branch_root": branch_root,
        "branch_rows": branch_rows,
        "overdue_count": overdue_count,
        "overdue": overdue.order_by("path")[:UNIT_LIST_LIMIT],
        "my_units": my_units,
        "state_labels": state_labels,
        "is_overdue": rollout.is_overdue(today),
        "can_edit": selectors.can_edit_strategy(request.user),
        "limit": UNIT_LIST_LIMIT,
    }
    return render(request, "goals/rollout.html", context)


@login_required
def rollout_state(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    rollout = selectors.rollout_or_404(request.user, pk)
    unit = selectors.rollout_unit_or_404(request.user, rollout, unit_pk)
    current = selectors.rollout_state_of(rollout, unit)
    can_edit = selectors.can_edit_unit(request.user, unit)
    form = RolloutStateForm(
        request.POST or None, instance=current or RolloutState(rollout=rollout, unit=unit)
    )
    if request.method == "POST":
        _require(can_edit)
        if form.is_valid():
            services.rollout_state_set(
                actor=request.user,
                rollout=rollout,
                unit=unit,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Status for %(unit)s er gemt.") % {"unit": unit.name})
            return redirect("goals:rollout_detail", pk=rollout.pk)
    context = {"rollout": rollout, "unit": unit, "current": current, "form": form, "can_edit": can_edit}
    return render(request, "goals/rollout_state.html", context)


@whole_tree_required
@require_POST
def rollout_remind(request: HttpRequest, pk: int) -> HttpResponse:
    rollout = selectors.rollout_or_404(request.user, pk)
    _require(selectors.can_edit_strategy(request.user))
    services.rollout_remind(actor=request.user, rollout=rollout)
    messages.success(request, _("Påmindelser sendes nu til lederne af de enheder, der ikke er startet."))
    return redirect("goals:rollout_detail", pk=rollout.pk)


STATUS_CSS = {s.value: s.value for s in Status}
