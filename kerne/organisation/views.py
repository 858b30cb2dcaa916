"""Pages of the governance chain: the tree, a unit, the pipeline levels and the task register.

Which units a user sees is decided by kerne.organisation.selectors (through browse.py):
HR, the executive board and administrators the whole tree, a leader the subtrees they
lead, an employee their own unit. A unit beside or above the user is a 404.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kerne.accounts.access import hr_required, login_required, public
from kerne.organisation import browse, selectors, services
from kerne.organisation.forms import TaskFilterForm, TaskForm
from kerne.organisation.models import PipelineLevel, Task, UnitKind


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The organisation tree, or the units matching `q`. Under htmx, only the tree region."""
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"q": query}
    if query:
        hits, more = browse.search(request.user, query)
        context.update(hits=hits, more=more, search_limit=browse.SEARCH_LIMIT)
    else:
        context["nodes"] = browse.tree(request.user)
    template = "organisation/_tree_region.html" if _is_htmx(request) else "organisation/tree.html"
    return _vary_on_htmx(render(request, template, context))


@login_required
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The sub-units of a unit as tree lines (fetched by htmx when a unit is opened)."""
    unit = selectors.visible_unit_or_404(request.user, pk)
    nodes = browse.nodes_for(request.user, browse.children_of(request.user, unit))
    return render(request, "organisation/_tree_nodes.html", {"nodes": nodes, "parent": unit})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.visible_unit_or_404(request.user, pk)
    children = browse.nodes_for(request.user, browse.children_of(request.user, unit))
    tasks = browse.unit_tasks(unit)
    context = {
        "unit": unit,
        "is_closed": not unit.is_active(),
        "ancestors": browse.visible_ancestors(request.user, unit),
        "leaders": browse.unit_leaders(unit),
        "children": children,
        "people": browse.people_counts([unit])[unit.pk],
        "tasks_by_level": [
            (level, list(items)) for level, items in groupby(tasks, lambda t: t.pipeline_level)
        ],
    }
    return render(request, "organisation/unit.html", context)


@public
def pipeline(request: HttpRequest) -> HttpResponse:
    """The five Leadership Pipeline levels. Public: they describe roles, not people, and the
    foundation (itself public) builds on them."""
    levels = PipelineLevel.objects.annotate(task_count=Count("tasks"))
    return render(request, "organisation/pipeline.html", {"levels": levels})


def _filtered_tasks(form: TaskFilterForm) -> QuerySet[Task]:
    tasks = Task.objects.select_related("pipeline_level", "principle")
    if not form.is_valid():
        return tasks
    data = form.cleaned_data
    if data["level"]:
        tasks = tasks.filter(pipeline_level=data["level"])
    if data["kind"]:
        tasks = tasks.filter(unit_kind=data["kind"])
    if data["principle"]:
        tasks = tasks.filter(principle=data["principle"])
    if data["q"]:
        q = data["q"]
        tasks = tasks.filter(
            Q(name_da__icontains=q)
            | Q(name_en__icontains=q)
            | Q(description_da__icontains=q)
            | Q(description_en__icontains=q)
        )
    return tasks


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The task register: which level and unit kind owns which task, filtered."""
    form = TaskFilterForm(request.GET or None)
    items = list(_filtered_tasks(form).order_by("-pipeline_level__rank", "unit_kind", "name_da"))
    groups = [(level, list(rows)) for level, rows in groupby(items, lambda t: t.pipeline_level)]
    filtered = form.is_valid() and any(form.cleaned_data.values())
    return render(
        request,
        "organisation/tasks.html",
        {"form": form, "groups": groups, "count": len(items), "filtered": filtered},
    )


@login_required
def level_tasks(request: HttpRequest, key: str) -> HttpResponse:
    """What one pipeline level owns, by unit kind."""
    level = get_object_or_404(PipelineLevel, key=key)
    items = list(level.tasks.select_related("principle").order_by("unit_kind", "name_da"))
    labels = dict(UnitKind.choices)
    order = [k for k, _label in UnitKind.choices]
    items.sort(key=lambda t: (order.index(t.unit_kind), t.name_da))
    groups = [(labels[kind], list(rows)) for kind, rows in groupby(items, lambda t: t.unit_kind)]
    return render(request, "organisation/level_tasks.html", {"level": level, "groups": groups})


def _task_fields(form: TaskForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name_da": data["name_da"],
        "name_en": data["name_en"],
        "description_da": data["description_da"],
        "description_en": data["description_en"],
        "pipeline_level": data["pipeline_level"],
        "unit_kind": data["unit_kind"],
        "principle": data["principle"],
    }


@hr_required
def task_create(request: HttpRequest) -> HttpResponseBase:
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        task = services.task_create(actor=request.user, **_task_fields(form))
        messages.success(request, _("Opgaven “%(name)s” er oprettet.") % {"name": task.name_da})
        return redirect("organisation:tasks")
    return render(request, "organisation/task_form.html", {"form": form, "task": None})


@hr_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    task = get_object_or_404(Task, pk=pk)
    form = TaskForm(request.POST or None, instance=Task.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.task_update(actor=request.user, task=task, **_task_fields(form))
        messages.success(request, _("Opgaven “%(name)s” er gemt.") % {"name": task.name_da})
        return redirect("organisation:tasks")
    return render(request, "organisation/task_form.html", {"form": form, "task": task})


@hr_required
@require_http_methods(["GET", "POST"])
def task_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    task = get_object_or_404(Task, pk=pk)
    if request.method == "POST":
        services.task_delete(actor=request.user, task=task)
        messages.success(request, _("Opgaven “%(name)s” er slettet.") % {"name": task.name_da})
        return redirect("organisation:tasks")
    return render(request, "organisation/task_delete.html", {"task": task})
