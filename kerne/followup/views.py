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
from kerne.followup.forms import (
    ActionForm,
    AnswerForm,
    DeadlineForm,
    HideForm,
    MeetingForm,
    NoteForm,
    ProposalForm,
    StatusForm,
)
from kerne.followup.links import link_code, link_label
from kerne.followup.models import Action, MeetingCase, Proposal
from kerne.followup.questions import GENERAL
from kerne.organisation.selectors import person_of
from kerne.results import exports


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _status_label(status: str) -> str:
    return str(Action.Status(status).label) if status in Action.Status.values else status


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
        "actions": case.actions.select_related("unit", "owner"),
        "today": timezone.localdate(),
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


# --- actions ---------------------------------------------------------------------------------------


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    """The actions the user may see: their unit's (employees), their subtree's (leaders), all (HR)."""
    query = selectors.actions(request.user)
    show = request.GET.get("vis", "aabne")
    if show == "aabne":
        query = query.filter(status__in=[Action.Status.PLANNED, Action.Status.UNDERWAY])
    elif show == "mine":
        person = person_of(request.user)
        query = query.filter(owner=person) if person else query.none()
    page = Paginator(query.order_by("deadline", "pk"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "today": timezone.localdate(),
        "can_create": bool(selectors.action_units(request.user, levels=0)),
    }
    return render(request, "followup/action_list.html", context)


@login_required
def action_create(request: HttpRequest) -> HttpResponse:
    case = None
    case_pk = request.GET.get("case") or request.POST.get("case")
    if case_pk and str(case_pk).isdigit():
        case = selectors.case_or_404(request.user, int(case_pk))
        _require(selectors.can_record_meeting(request.user, case))
        units = [case.unit]
    else:
        units = selectors.action_units(request.user)
    _require(bool(units))
    form = ActionForm(request.POST or None, user=request.user, units=units, unit=case.unit if case else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _require(selectors.can_create_action(request.user, data["unit"]))
        action = services.action_create(
            actor=request.user,
            unit=data["unit"],
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            deadline=data["deadline"],
            case=case,
            links=data["links"],
        )
        messages.success(request, _("Handlingen er oprettet."))
        return redirect("followup:case" if case else "followup:action", pk=case.pk if case else action.pk)
    back = reverse("followup:case", args=[case.pk]) if case else reverse("followup:actions")
    context = {"form": form, "case": case, "back_url": back, "hidden": {"case": case.pk} if case else {}}
    return render(request, "followup/action_form.html", context)


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_or_404(request.user, pk)
    can_edit = selectors.can_edit_action(request.user, action)
    context = {
        "action": action,
        "links": [(link, link_label(link)) for link in action.links.select_related("round")],
        "notes": action.notes.all(),
        "history": [
            (c, _status_label(c.from_status), _status_label(c.to_status)) for c in action.status_changes.all()
        ],
        "can_edit": can_edit,
        "status_form": StatusForm(initial={"status": action.status}) if can_edit else None,
        "note_form": NoteForm() if can_edit else None,
        "today": timezone.localdate(),
    }
    return render(request, "followup/action.html", context)


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_or_404(request.user, pk)
    _require(selectors.can_edit_action(request.user, action))
    initial = {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "deadline": action.deadline,
        "links": [link_code(link) for link in action.links.all()],
    }
    form = ActionForm(
        request.POST or None, user=request.user, units=[action.unit], action=action, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.action_update(
            actor=request.user,
            action=action,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            deadline=data["deadline"],
        )
        services.action_links_set(actor=request.user, action=action, targets=data["links"])
        messages.success(request, _("Handlingen er gemt."))
        return redirect("followup:action", pk=action.pk)
    back = reverse("followup:action", args=[action.pk])
    return render(request, "followup/action_form.html", {"form": form, "action": action, "back_url": back})


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_or_404(request.user, pk)
    _require(selectors.can_edit_action(request.user, action))
    form = StatusForm(request.POST)
    if form.is_valid():
        services.action_status_set(
            actor=request.user,
            action=action,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Status er ændret."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("followup:action", pk=action.pk)


@login_required
@require_POST
def action_note(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_or_404(request.user, pk)
    _require(selectors.can_edit_action(request.user, action))
    form = NoteForm(request.POST)
    if form.is_valid():
        services.action_note_add(
            actor=request.user, action=action, text=form.cleaned_data["text"], on=form.cleaned_data["on"]
        )
        messages.success(request, _("Notatet er gemt."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("followup:action", pk=action.pk)


# --- improvement proposals -------------------------------------------------------------------------


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    query = selectors.proposals(request.user)
    show = request.GET.get("vis", "alle")
    if show == "ubesvarede":
        query = query.filter(status=Proposal.Status.OPEN, hidden=False)
    page = Paginator(query.order_by("-created_on", "pk"), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "proposal": p,
            "text": p.what if not p.hidden or selectors.can_see_hidden_text(request.user, p) else "",
            "escalated": selectors.escalated(p, today),
            "age": p.age_days(today),
        }
        for p in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "show": show,
        "can_post": bool(selectors.proposal_units(request.user)),
        "escalation_days": selectors.PROPOSAL_ESCALATION_DAYS,
    }
    return render(request, "followup/proposal_list.html", context)


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    units = selectors.proposal_units(request.user)
    person = person_of(request.user)
    _require(bool(units) and person is not None)
    assert person is not None
    form = ProposalForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposal = services.proposal_post(
            author=person,
            unit=data["unit"],
            what=data["what"],
            why=data["why"],
            effect=data["effect"],
            signed=data["signed"],
        )
        messages.success(request, _("Tak for dit forslag. Din leder svarer på det her."))
        return redirect("followup:proposal", pk=proposal.pk)
    back = reverse("followup:proposals")
    return render(request, "followup/proposal_form.html", {"form": form, "back_url": back})


@login_required
def proposal_detail(request: HttpRequest, pk: str) -> HttpResponse:
    proposal = selectors.proposal_or_404(request.user, pk)
    can_answer = selectors.can_answer(request.user, proposal)
    context = {
        "proposal": proposal,
        "show_text": not proposal.hidden or selectors.can_see_hidden_text(request.user, proposal),
        "can_answer": can_answer,
        "can_hide": selectors.can_hide(request.user, proposal),
        "can_support": selectors.can_support(request.user, proposal),
        "supported": selectors.has_supported(request.user, proposal),
        "events": proposal.events.all(),
        "age": proposal.age_days(),
        "escalated": selectors.escalated(proposal),
        "hide_form": HideForm(),
    }
    return render(request, "followup/proposal.html", context)


@login_required
def proposal_answer(request: HttpRequest, pk: str) -> HttpResponse:
    proposal = selectors.proposal_or_404(request.user, pk)
    _require(selectors.can_answer(request.user, proposal))
    form = AnswerForm(request.POST or None, unit=proposal.unit, initial={"action_title": proposal.what[:200]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_answer(
                actor=request.user,
                proposal=proposal,
                decision=data["decision"],
                text=data["text"],
                parked_until=data["parked_until"],
                action_title=data["action_title"],
                action_owner=data["action_owner"],
                action_deadline=data["action_deadline"],
            )
        except services.FollowupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Dit svar er gemt og vises for enheden."))
            return redirect("followup:proposal", pk=proposal.pk)
    back = reverse("followup:proposal", args=[proposal.pk])
    return render(
        request, "followup/proposal_answer.html", {"form": form, "proposal": proposal, "back_url": back}
    )


@login_required
@require_POST
def proposal_hide(request: HttpRequest, pk: str) -> HttpResponse:
    proposal = selectors.proposal_or_404(request.user, pk)
    _require(selectors.can_hide(request.user, proposal))
    form = HideForm(request.POST)
    if form.is_valid():
        services.proposal_hide(actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
        messages.success(request, _("Forslaget er skjult."))
    else:
        messages.error(request, _("Skriv hvorfor forslaget skjules."))
    return redirect("followup:proposal", pk=proposal.pk)


@login_required
@require_POST
def proposal_support(request: HttpRequest, pk: str) -> HttpResponse:
    proposal = selectors.proposal_or_404(request.user, pk)
    person = person_of(request.user)
    _require(person is not None and selectors.can_support(request.user, proposal))
    assert person is not None
    services.proposal_support(person=person, proposal=proposal, support=request.POST.get("support") != "0")
    return redirect("followup:proposal", pk=proposal.pk)
