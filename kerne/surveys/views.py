"""HR pages for survey rounds: create, preview, 360 raters, launch, live rates, remind,
close, paper codes and open-survey links (mounted at /maalinger/, namespace "surveys").

Every round page is for HR/organisation consultants and administrators (`hr_required`):
they run rounds for the whole tree. The exception is "Mine målinger" (`my_surveys`,
`my_survey_answer`, `login_required`): any logged-in employee's own invitations, through
the selectors, never anyone else's. Results are not here (the results app shows them, with
their own anonymity rules); the only numbers here are response rates, read from the
results' one disclosure decision as selectors.response_rates says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kerne.accounts.access import hr_required, login_required
from kerne.i18n import localized
from kerne.organisation.models import Person
from kerne.organisation.selectors import person_of
from kerne.results import selectors as results_selectors
from kerne.surveys import selectors, services, submission
from kerne.surveys.models import Evaluation, Invitation, OpenLink, RaterGroup, Round
from kerne.surveys.round_forms import (
    RATER_GROUP_CHOICES,
    LeaderChoiceForm,
    OpenLinkUnitsForm,
    PaperCodeForm,
    RoundForm,
)
from kerne.surveys.tasks import answer_url
from kerne.surveys.tokens import format_paper_code


def _round(request: HttpRequest, pk: int) -> Round:
    return selectors.round_visible_or_404(request.user, pk)


def _qr_svg(url: str, title: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, title=title, dark="#000", light="#fff")


def open_link_url(link: OpenLink) -> str:
    return settings.KERNE_BASE_URL.rstrip("/") + reverse("answer:open", kwargs={"slug": link.slug})


def _form_errors(form: RoundForm, error: services.RoundError) -> None:
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


@hr_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = selectors.rounds_visible_to(request.user).annotate(
        invited=Count("invitations", distinct=True),
    )
    return render(request, "surveys/rounds/list.html", {"rounds": rounds})


@hr_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(actor=request.user, **data)
        except services.RoundError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Målingen er oprettet som kladde."))
            return redirect("surveys:round_detail", pk=round_.pk)
    return render(request, "surveys/rounds/form.html", {"form": form, "round": None})


@hr_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if round_.status != Round.Status.DRAFT:
        messages.error(request, _("Kun en kladde kan redigeres; målingen er sat i gang."))
        return redirect("surveys:round_detail", pk=pk)
    form = RoundForm(request.POST) if request.method == "POST" else RoundForm.for_round(round_)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(actor=request.user, round=round_, **form.cleaned_data)
        except services.RoundError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Ændringerne er gemt."))
            return redirect("surveys:round_detail", pk=pk)
    return render(request, "surveys/rounds/form.html", {"form": form, "round": round_})


@hr_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    context = {
        "round": round_,
        "is_360": selectors.is_360(round_),
        "evaluations": round_.evaluations.annotate(raters=Count("invitations")).order_by("leader_name"),
        "open_links": round_.open_links.select_related("unit").order_by("unit__path"),
        "invited": round_.invitations.count(),
        "preview": services.launch_preview(round_) if round_.status == Round.Status.DRAFT else None,
        # Its results, and their release once it has closed (/resultater/<id>/).
        "results_page": results_selectors.has_results_page(request.user, round_),
    }
    return render(request, "surveys/rounds/detail.html", context)


@dataclass(frozen=True)
class _PreviewLeader:
    leader_name: str


@hr_required
@csrf_exempt  # the preview's form (the real answer form, which has no CSRF field) changes nothing
@require_http_methods(["GET", "POST"])
def round_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer page exactly as a respondent sees it (the answer engineer's template and
    questionnaire), in a chosen language and rater group. Nothing can be sent: a POST
    here only shows the page again with a note."""
    from kerne.surveys.submission import COMMENT_LIMIT
    from kerne.surveys.views_answer import LANGUAGE_PARAM, build_questionnaire

    round_ = _round(request, pk)
    languages = round_.languages or ["da"]
    language = request.GET.get("sprog") or languages[0]
    if language not in languages:
        language = languages[0]
    is_360 = selectors.is_360(round_)
    is_citizen = round_.mode == Round.Mode.OPEN_LINK
    rater_group = request.GET.get("gruppe") or ""
    if is_360 and rater_group not in dict(RATER_GROUP_CHOICES):
        rater_group = RaterGroup.EMPLOYEE.value
    elif not is_360:
        rater_group = RaterGroup.CITIZEN.value if is_citizen else RaterGroup.EMPLOYEE.value
    instrument = round_.instrument
    first = round_.evaluations.order_by("leader_name").first()
    names = {"da": "Dansk", "en": "English"}

    def link(code: str, group: str) -> str:
        return f"{request.path}?sprog={code}" + (f"&gruppe={group}" if is_360 else "")

    context = {
        "round": round_,
        "answer_language": language,
        "instrument_name": localized(instrument, "name", language),
        "instrument_description": localized(instrument, "description", language),
        "rater_group": rater_group,
        "is_360": is_360,
        "evaluation": _PreviewLeader(first.leader_name if first else _("Lederens navn")),
        "unit_name": round_.target_unit.name,
        "questionnaire": build_questionnaire(instrument, rater_group=rater_group, language=language),
        "nonce": "",
        "languages": [
            (code, names.get(code, code), link(code, rater_group)) for code in languages if code != language
        ],
        "language_param": LANGUAGE_PARAM,
        "comment_limit": COMMENT_LIMIT,
        "closes_on": timezone.localtime(round_.closes_at).date(),
        "is_citizen": is_citizen,
        "preview_groups": [(value, label, link(language, value)) for value, label in RATER_GROUP_CHOICES]
        if is_360
        else [],
        "preview_posted": request.method == "POST",
        "preview_back": reverse("surveys:round_detail", args=[round_.pk]),
    }
    with translation.override(language):
        return render(request, "surveys/rounds/preview.html", context)


# ------------------------------------------------------------------------------ 360


@hr_required
@require_http_methods(["GET", "POST"])
def round_evaluations(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if not selectors.is_360(round_):
        raise Http404
    chosen = {e.leader_id for e in round_.evaluations.all()}
    candidates = services.leaders_in_target(round_)
    choices = [(str(p.pk), f"{p.name} – {u.name}") for p, u in candidates if p.pk not in chosen]
    form = LeaderChoiceForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        people = Person.objects.in_bulk([int(pk) for pk in form.cleaned_data["leaders"]])
        try:
            added = services.evaluations_add(actor=request.user, round=round_, leaders=people.values())
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            messages.success(
                request, _("%(n)d ledere er tilføjet med foreslåede bedømmere.") % {"n": len(added)}
            )
            return redirect("surveys:round_evaluations", pk=pk)
    evaluations = (
        round_.evaluations.select_related("unit")
        .annotate(
            raters=Count("invitations"),
            employees=Count("invitations", filter=Q(invitations__rater_group=RaterGroup.EMPLOYEE)),
            peers=Count("invitations", filter=Q(invitations__rater_group=RaterGroup.PEER)),
            managers=Count("invitations", filter=Q(invitations__rater_group=RaterGroup.MANAGER)),
        )
        .order_by("unit__path", "leader_name")
    )
    context = {
        "round": round_,
        "form": form,
        "evaluations": evaluations,
        "editable": round_.status == "draft",
    }
    return render(request, "surveys/rounds/evaluations.html", context)


@hr_required
@require_http_methods(["GET", "POST"])
def evaluation_detail(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponseBase:
    round_ = _round(request, pk)
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("unit", "leader"), pk=evaluation_pk, round=round_
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "remove_evaluation":
                services.evaluation_remove(actor=request.user, evaluation=evaluation)
                messages.success(
                    request, _("%(name)s er fjernet fra målingen.") % {"name": evaluation.leader_name}
                )
                return redirect("surveys:round_evaluations", pk=pk)
            if action in ("change", "remove"):
                invitation = get_object_or_404(
                    Invitation, pk=request.POST.get("invitation"), evaluation=evaluation
                )
                if action == "remove":
                    services.evaluation_rater_remove(actor=request.user, invitation=invitation)
                else:
                    services.evaluation_rater_change(
                        actor=request.user,
                        invitation=invitation,
                        rater_group=request.POST.get("rater_group", ""),
                    )
            elif action == "add":
                person = get_object_or_404(Person, pk=request.POST.get("person"))
                services.evaluation_rater_add(
                    actor=request.user,
                    evaluation=evaluation,
                    person=person,
                    rater_group=request.POST.get("rater_group", ""),
                )
            else:
                messages.error(request, _("Ukendt handling."))
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            if action in ("add", "change", "remove"):
                messages.success(request, _("Bedømmerne er opdateret."))
        return redirect(request.get_full_path())
    raters = evaluation.invitations.select_related("person", "person__user").order_by("person__name")
    order: dict[str, int] = {
        RaterGroup.SELF: 0,
        RaterGroup.MANAGER: 1,
        RaterGroup.PEER: 2,
        RaterGroup.EMPLOYEE: 3,
    }
    grouped = sorted(raters, key=lambda i: (order.get(i.rater_group, 9), i.person.name if i.person else ""))
    query = request.GET.get("q", "").strip()
    found: list[Person] = []
    if query and len(query) >= 2:
        taken = {i.person_id for i in raters}
        found = [
            p for p in Person.objects.filter(name__icontains=query).order_by("name")[:25] if p.pk not in taken
        ]
    context = {
        "round": round_,
        "evaluation": evaluation,
        "raters": grouped,
        "group_choices": RATER_GROUP_CHOICES,
        "query": query,
        "found": found,
        "editable": round_.status == Round.Status.DRAFT,
    }
    return render(request, "surveys/rounds/evaluation.html", context)


# ------------------------------------------------------------------ launch and after


@hr_required
@require_http_methods(["GET", "POST"])
def round_launch(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if request.method == "POST" and round_.status == Round.Status.DRAFT:
        try:
            summary = services.round_launch(actor=request.user, round=round_)
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Målingen er sat i gang: %(n)d invitationer, %(e)d sendes som e-mail.")
                % {"n": summary.invitations, "e": summary.to_email},
            )
            return redirect("surveys:round_rates", pk=pk)
    preview = services.launch_preview(round_) if round_.status == Round.Status.DRAFT else None
    return render(request, "surveys/rounds/launch.html", {"round": round_, "preview": preview})


@hr_required
@require_http_methods(["GET", "POST"])
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if request.method == "POST":
        try:
            count = services.round_remind(actor=request.user, round=round_)
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)d påmindelser sendes.") % {"n": count})
            return redirect("surveys:round_rates", pk=pk)
    # Past its closing time a round takes no reminders, and its invitations no longer say who
    # answered (sealing.forget_respondents): counting "not answered yet" would count everyone.
    can_remind = round_.status == Round.Status.OPEN and round_.closes_at > timezone.now()
    recipients = services.reminder_recipients(round_).count() if can_remind else 0
    return render(
        request,
        "surveys/rounds/remind.html",
        {"round": round_, "recipients": recipients, "can_remind": can_remind},
    )


@hr_required
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if request.method == "POST":
        try:
            services.round_close(actor=request.user, round=round_)
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("Målingen er lukket."))
            return redirect("surveys:round_detail", pk=pk)
    return render(request, "surveys/rounds/close.html", {"round": round_})


@hr_required
def round_rates(request: HttpRequest, pk: int) -> HttpResponse:
    """Response rates, as the results count them (selectors.response_rates). While the round
    is open the numbers change once per live bucket of KERNE_LIVE_REFRESH_SECONDS (the
    results' cache, kerne.results.rollup.live_bucket); htmx polls the same URL about
    once a minute for the table alone, so a new bucket shows without a reload."""
    from kerne.results.rollup import live_bucket

    round_ = _round(request, pk)
    seconds = max(1, int(settings.KERNE_LIVE_REFRESH_SECONDS))
    next_update = dt.datetime.fromtimestamp((live_bucket() + 1) * seconds, tz=dt.UTC)
    context = {
        "round": round_,
        "table": selectors.response_rates(round_),
        "next_update": timezone.localtime(next_update),
        "refresh_minutes": max(1, seconds // 60),
        # Poll once a minute (or once a bucket, when buckets are shorter): a new bucket shows
        # soon after it begins, and most polls are answered from the results' cache.
        "poll_seconds": min(60, seconds),
        "polling": round_.status == Round.Status.OPEN,
    }
    if getattr(request, "htmx", False):
        return render(request, "surveys/rounds/_rates.html", context)
    return render(request, "surveys/rounds/rates.html", context)


@hr_required
@require_http_methods(["GET", "POST"])
def paper_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: choose a unit. POST: issue fresh codes and show the print sheet (once)."""
    round_ = _round(request, pk)
    form = PaperCodeForm(request.POST or None, round=round_, initial={"unit": round_.target_unit})
    if request.method == "POST" and form.is_valid():
        try:
            slips = services.paper_codes_issue(
                actor=request.user,
                round=round_,
                unit=form.cleaned_data["unit"],
                include_emailed=form.cleaned_data["include_emailed"] == "1",
            )
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            rows = [
                {
                    "slip": slip,
                    "printed": format_paper_code(slip.code),
                    "qr": _qr_svg(answer_url(slip.code), _("QR-kode til besvarelsen")),
                    "group": RaterGroup(slip.rater_group).label,
                }
                for slip in slips
            ]
            response = render(
                request,
                "surveys/rounds/paper_sheet.html",
                {
                    "round": round_,
                    "unit": form.cleaned_data["unit"],
                    "rows": rows,
                    "code_url": settings.KERNE_BASE_URL.rstrip("/") + reverse("answer:code"),
                },
            )
            response["Cache-Control"] = "no-store"  # the codes are shown once and never cached
            return response
    return render(request, "surveys/rounds/paper_codes.html", {"round": round_, "form": form})


@hr_required
@require_http_methods(["GET", "POST"])
def open_links(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if round_.mode != Round.Mode.OPEN_LINK:
        raise Http404
    links = list(round_.open_links.select_related("unit").order_by("unit__path"))
    form = OpenLinkUnitsForm(
        request.POST or None, round=round_, initial={"units": [link.unit for link in links]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.open_links_set(actor=request.user, round=round_, units=form.cleaned_data["units"])
        except services.RoundError as error:
            for message in error.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("Enhederne med åbent link er gemt."))
            return redirect("surveys:open_links", pk=pk)
    rows = [
        {"link": link, "url": open_link_url(link), "qr": _qr_svg(open_link_url(link), link.unit.name)}
        for link in links
    ]
    context = {"round": round_, "rows": rows, "form": form, "editable": round_.status != Round.Status.CLOSED}
    return render(request, "surveys/rounds/open_links.html", context)


@hr_required
def open_link_poster(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    link = get_object_or_404(OpenLink.objects.select_related("unit"), pk=link_pk, round=round_)
    url = open_link_url(link)
    language = (round_.languages or ["da"])[0]
    context = {
        "round": round_,
        "link": link,
        "url": url,
        "qr": segno.make(url, error="q").svg_inline(scale=8, title=_("QR-kode til spørgeskemaet")),
        "instrument_name": localized(round_.instrument, "name", language),
    }
    return render(request, "surveys/rounds/poster.html", context)


# ------------------------------------------------------------------ an employee's own


@dataclass(frozen=True)
class _MyInvitation:
    pk: int
    round_name: str
    instrument_name: str
    leader_name: str  # 360: the leader evaluated, else ""
    rater_group: str  # 360: the rater group's label, else ""
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str  # "answered" | "waiting" | "not_open_yet" | "closed"

    @property
    def can_answer(self) -> bool:
        return self.status == "waiting"


def _my_status(invitation: Invitation, now: dt.datetime) -> str:
    """The round's state first: a closed round's invitation says nothing about who answered
    (sealing.forget_respondents; a round closed by its date forgets at the next
    `kerne seal-rounds`, and the page never shows it in between)."""
    state = submission.round_state(invitation.round, now)  # as the answer pages judge it
    if state == submission.CLOSED:
        return "closed"
    if invitation.answered:
        return "answered"
    return "not_open_yet" if state == submission.NOT_OPEN_YET else "waiting"


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    """The logged-in employee's own invitations: open rounds and those closed lately.
    While a round is open, only *that* an invitation was answered, never what (there is no
    way from one to the other); once it has closed, not even that: Kerne forgets it."""
    now = timezone.now()
    labels = dict(RaterGroup.choices)
    rows = [
        _MyInvitation(
            pk=invitation.pk,
            round_name=invitation.round.name,
            instrument_name=localized(invitation.round.instrument, "name"),
            leader_name=invitation.evaluation.leader_name if invitation.evaluation else "",
            rater_group=str(labels.get(invitation.rater_group, "")) if invitation.evaluation else "",
            opens_at=invitation.round.opens_at,
            closes_at=invitation.round.closes_at,
            status=_my_status(invitation, now),
        )
        for invitation in selectors.invitations_of(request.user, now)
    ]
    # Those waiting for an answer first, the soonest to close on top; then the rest.
    order = {"waiting": 0, "not_open_yet": 1}
    rows.sort(key=lambda row: (order.get(row.status, 2), row.closes_at))
    context = {
        "has_person": person_of(request.user) is not None,
        "rows": rows,
        "any_waiting": any(row.can_answer for row in rows),
        "recent_days": selectors.RECENTLY_CLOSED_DAYS,
    }
    return render(request, "surveys/mine.html", context)


@login_required
@require_POST
def my_survey_answer(request: HttpRequest, invitation_pk: int) -> HttpResponseRedirect:
    """The "Svar nu" button: a fresh token for the user's own waiting invitation, and on to
    the answer page with it. Another person's invitation, an answered one or one in a
    round that does not take answers is a 404, the same as one that does not exist."""
    invitation = selectors.own_invitation_to_answer_or_404(request.user, invitation_pk)
    try:
        token = services.invitation_fresh_token(invitation=invitation)
    except services.RoundError as error:  # answered or closed a moment ago
        raise Http404 from error
    response = HttpResponseRedirect(reverse("answer:token", kwargs={"token": token}), status=303)
    response["Cache-Control"] = "no-store"  # the address holds the new token
    return response
