"""Pages of the follow-up (mounted at /opfoelgning/, namespace "followup").

Thin: forms validate, services write, selectors read and decide who may see what.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kerne.accounts.access import hr_required, login_required, whole_tree_required
from kerne.accounts.roles import sees_whole_tree
from kerne.followup import selectors, services
from kerne.followup.forms import DeadlineForm, MeetingForm
from kerne.followup.models import MeetingCase
from kerne.followup.questions import GENERAL
from kerne.results import exports


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _case_state(case: MeetingCase) -> str:
    meeting = getattr(case, "meeting", None)
    today = timezone.localdate()
    if meeting is not None:
        return "held" if meeting.held_on <= case.deadline else "held_late"
    return "late" if case.deadline < today else "open"


# --- overview --------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The user's follow-up: meetings to hold; for HR and the executive board, every round's follow-up."""
    mine = [(case, _case_state(case)) for case in selectors.my_cases(request.user)]
    context: dict[str, Any] = {
        "mine": mine,
        "rounds": list(selectors.round_followups(request.user)[:50]),
        "whole_tree": sees_whole_tree(request.user),
    }
    return render(request, "followup/index.html", context)


# --- meeting cases ---------------------------------------------------------------------------------


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_or_404(request.user, pk)
    context = {
        "case": case,
        "state": _case_state(case),
        "meeting": getattr(case, "meeting", None),
        "can_record": selectors.can_record_meeting(request.user, case),
    }
    return render(request, "followup/case.html", context)


def _guide_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    case = selectors.case_or_404(request.user, pk)
    guide = selectors.meeting_guide(request.user, case)
    general = [q.text() for q in GENERAL]
    return {"case": case, "guide": guide, "round": case.followup.round, "general_questions": general}


@login_required
def guide(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "followup/guide.html", _guide_context(request, pk))


@login_required
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    """The guide for a projector: large type, one section per screen."""
    return render(request, "followup/projector.html", _guide_context(request, pk))


@login_required
def guide_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable agenda with the guide (WeasyPrint, as the unit report's PDF)."""
    context = _guide_context(request, pk)
    html = render_to_string("followup/guide_pdf.html", context, request=request)
    data = exports.pdf(html, request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    case = context["case"]
    response["Content-Disposition"] = (
        f'attachment; filename="dialogmoede-{slugify(case.unit.name)}-{case.pk}.pdf"'
    )
    return response


@login_required
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_or_404(request.user, pk)
    _require(selectors.can_record_meeting(request.user, case))
    meeting = getattr(case, "meeting", None)
    initial = (
        {"held_on": meeting.held_on, "participants": meeting.participants, "agreed": meeting.agreed}
        if meeting
        else {"held_on": timezone.localdate()}
    )
    form = MeetingForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.meeting_record(actor=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("Dialogmødet er registreret."))
        return redirect("followup:case", pk=case.pk)
    back_url = reverse("followup:case", args=[case.pk])
    return render(request, "followup/meeting_form.html", {"case": case, "form": form, "back_url": back_url})


# --- a round's follow-up (HR and the executive board) ----------------------------------------------


@whole_tree_required
def round_followup(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.round_followup_or_404(request.user, pk)
    cases = selectors.cases(request.user).filter(followup=followup)
    page = Paginator(cases, 100).get_page(request.GET.get("page"))
    context = {
        "followup": followup,
        "page": page,
        "rows": [(case, _case_state(case)) for case in page.object_list],
        "total": cases.count(),
        "held_in_time": cases.filter(meeting__held_on__lte=followup.deadline).count(),
        "held": cases.filter(meeting__isnull=False).count(),
        "form": DeadlineForm(followup=followup, initial={"deadline": followup.deadline}),
        "can_set_deadline": selectors.can_set_deadline(request.user),
    }
    return render(request, "followup/round.html", context)


@hr_required
@require_POST
def deadline_set(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.round_followup_or_404(request.user, pk)
    form = DeadlineForm(request.POST, followup=followup)
    if form.is_valid():
        services.followup_deadline_set(
            actor=request.user, followup=followup, deadline=form.cleaned_data["deadline"]
        )
        messages.success(request, _("Fristen for dialogmøderne er ændret."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("deadline", [])))
    return redirect("followup:round", pk=followup.pk)
