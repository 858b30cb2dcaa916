"""Public answer pages (namespace `answer`, mounted at /svar/).

- `/svar/<token>/`: a personal invitation, reached by the link in an e-mail or a paper
  code (the code is the token). No login: the token is the key.
- `/svar/aaben/<slug>/`: an open survey for citizens and businesses, per unit. Its form
  carries a nonce the server signed for the round (submission.new_nonce); a form not issued
  here, or left open too long, comes back with its answers and a fresh nonce.
- `/svar/kode/`: type a paper code (with or without dashes or spaces, any case).
- `/svar/tak/`: the receipt, shown only after the answer was committed.

Progress is kept only in the respondent's browser (static/surveys/answer.js); the
server sees the answers once, when they are submitted. The pages work without
JavaScript. They are never cached (shared devices) and send no referrer (the token is
in the address).

The token and open-link POSTs are CSRF-exempt on purpose: the secret in the address is
what authorises a personal answer, a cross-site page cannot know it, and a respondent
whose browser refuses cookies must still be able to answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kerne.accounts.access import public
from kerne.client_ip import client_ip
from kerne.i18n import localized, long_date
from kerne.surveys import submission
from kerne.surveys.models import Evaluation, Instrument, RaterGroup, Round
from kerne.surveys.scales import get_scale
from kerne.surveys.tokens import is_paper_code, normalize_code

ANSWER_PREFIX = "q-"
COMMENT_PREFIX = "c-"
LANGUAGE_PARAM = "sprog"
OPEN_COOKIE_PREFIX = "kerne_svaret_"


# --- Building the page -------------------------------------------------------------------


@dataclass
class Question:
    key: str
    number: int
    text: str
    optional: bool
    choices: list[tuple[str, str]]
    selected: str = ""
    errors: list[str] = field(default_factory=list)
    unanswered: bool = False  # nothing was submitted for it

    @property
    def field_name(self) -> str:
        return ANSWER_PREFIX + self.key


@dataclass
class Section:
    title: str
    questions: list[Question]


@dataclass
class FreeText:
    key: str
    text: str
    value: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def field_name(self) -> str:
        return COMMENT_PREFIX + self.key


@dataclass
class Questionnaire:
    sections: list[Section]
    free_texts: list[FreeText]
    general_errors: list[str]

    @property
    def total(self) -> int:
        return sum(len(s.questions) for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(1 for s in self.sections for q in s.questions if q.selected)

    @property
    def missing(self) -> list[Question]:
        """Questions left without an answer that need one (listed together in the summary)."""
        return [q for s in self.sections for q in s.questions if q.errors and q.unanswered]

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in page order, missing answers excepted."""
        links = [
            (f"#{q.field_name}", f"{q.number}. {e}")
            for s in self.sections
            for q in s.questions
            if not q.unanswered
            for e in q.errors
        ]
        links += [(f"#{f.field_name}", e) for f in self.free_texts for e in f.errors]
        return links


def build_questionnaire(
    instrument: Instrument,
    *,
    rater_group: str,
    language: str,
    answers: dict[str, str] | None = None,
    comments: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Questionnaire:
    """The items in order, worded for the rater group and language, with posted values."""
    answers, comments, errors = answers or {}, comments or {}, errors or {}
    sections: list[Section] = []
    number = 0
    items_by_dimension: dict[int, list[Any]] = {}
    for item in instrument.items.order_by("position"):
        items_by_dimension.setdefault(item.dimension_id, []).append(item)
    for dimension in instrument.dimensions.order_by("position"):
        questions = []
        for item in items_by_dimension.get(dimension.pk, []):
            number += 1
            wording = (item.wordings or {}).get(rater_group) or {}
            text = wording.get(language) or (
                localized(item, "text", language) if not wording else wording.get("da", item.text_da)
            )
            selected = str(answers.get(item.key, ""))
            questions.append(
                Question(
                    key=item.key,
                    number=number,
                    text=text,
                    optional=item.optional,
                    choices=[(str(v), label) for v, label in get_scale(item.scale).choices(language)],
                    selected=selected if selected in {"0", "1", "2", "3", "4", "5"} else "",
                    errors=errors.get(item.key, []),
                    unanswered=not str(answers.get(item.key, "")).strip(),
                )
            )
        sections.append(Section(localized(dimension, "name", language), questions))
    free_texts = [
        FreeText(q.key, localized(q, "text", language), comments.get(q.key, ""), errors.get(q.key, []))
        for q in instrument.free_text_questions.order_by("position")
    ]
    return Questionnaire(sections, free_texts, errors.get(submission.GENERAL, []))


FORM_URLENCODED = "application/x-www-form-urlencoded"


@functools.lru_cache(maxsize=128)
def blank_questions(instrument_id: int, rater_group: str, language: str) -> tuple[Questionnaire, str]:
    """The questions of a form nobody has filled in yet, and their HTML.

    Every respondent in a rater group sees the same blank questions in their language, and
    only open rounds show a form, whose instrument is frozen (a change makes a new version
    with a new id), so they are built and rendered once per process: 40 questions with six
    options each are most of the answer page's rendering time. A form sent back with
    answers or errors is rendered in full. Read-only: the same objects serve every request.
    """
    instrument = Instrument.objects.get(pk=instrument_id)
    questionnaire = build_questionnaire(instrument, rater_group=rater_group, language=language)
    with translation.override(language):
        html = render_to_string("surveys/answer/_questions.html", {"questionnaire": questionnaire})
    return questionnaire, mark_safe(html)  # rendered by our template, autoescaped there


def posted_form(request: HttpRequest) -> dict[str, str]:
    """The fields of a submitted answer form; for a repeated field the last value, as
    `request.POST.get` gives it.

    The answer form is url-encoded. Parsed straight into a dict, its 40-odd fields cost a
    third of what building `request.POST` costs, which counts on every answer of a survey
    rush (bench/rush). The limits are Django's own: DATA_UPLOAD_MAX_MEMORY_SIZE by reading
    `request.body`, DATA_UPLOAD_MAX_NUMBER_FIELDS here. Other encodings use request.POST.
    """
    if request.content_type != FORM_URLENCODED:
        return {key: str(request.POST.get(key, "")) for key in request.POST}
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        text = request.body.decode(encoding)
    except UnicodeDecodeError:  # as QueryDict does for misbehaving user agents
        text = request.body.decode("iso-8859-1")
    try:
        return dict(
            parse_qsl(
                text,
                keep_blank_values=True,
                encoding=encoding,
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        )
    except ValueError as error:  # more fields than allowed: a 400, as for request.POST
        raise TooManyFieldsSent(
            "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
        ) from error


def posted_answers(posted: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Answers (item key → value) and comments (question key → text) from a form post.

    Every `q-`/`c-` field is passed on, so a forged key reaches validation and is refused.
    """
    answers = {k[len(ANSWER_PREFIX) :]: v for k, v in posted.items() if k.startswith(ANSWER_PREFIX)}
    comments = {k[len(COMMENT_PREFIX) :]: v for k, v in posted.items() if k.startswith(COMMENT_PREFIX)}
    return answers, comments


def choose_language(request: HttpRequest, round: Round, posted: Mapping[str, str]) -> str:
    """The requested language if the round offers it, else the browser's, else the round's first."""
    offered = [code for code in (round.languages or []) if code in dict(settings.LANGUAGES)] or [
        settings.LANGUAGE_CODE
    ]
    for candidate in (
        posted.get(LANGUAGE_PARAM),
        request.GET.get(LANGUAGE_PARAM),
        (translation.get_language() or "")[:2],
    ):
        if candidate and candidate in offered:
            return str(candidate)
    return str(offered[0])


def _language_links(request: HttpRequest, round: Round, language: str) -> list[tuple[str, str, str]]:
    """(code, name in its own language, href) for the round's other languages."""
    names = {"da": "Dansk", "en": "English"}
    return [
        (code, names.get(code, code), f"{request.path}?{urlencode({LANGUAGE_PARAM: code})}")
        for code in (round.languages or [])
        if code != language and code in dict(settings.LANGUAGES)
    ]


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, language: str, status: int = 200
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, {"answer_language": language, **context}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _message(
    request: HttpRequest,
    *,
    language: str,
    title: Callable[[], str],
    lines: Callable[[], list[str]],
    status: int,
    round: Round | None = None,
    done: bool = False,
) -> HttpResponse:
    with translation.override(language):
        context = {"title": title(), "lines": lines(), "round": round, "done": done}
    links = _language_links(request, round, language) if round is not None else []
    return _page(
        request,
        "surveys/answer/message.html",
        {**context, "languages": links},
        language=language,
        status=status,
    )


def _unavailable(request: HttpRequest, reason: str, round: Round | None, language: str) -> HttpResponse:
    if reason == submission.NOT_OPEN_YET and round is not None:
        opens = round.opens_at

        def not_yet_lines() -> list[str]:
            if round.status == Round.Status.OPEN and opens > timezone.now():
                when = timezone.localtime(opens)
                return [
                    _("Målingen åbner %(date)s kl. %(time)s. Brug det samme link igen, når den er åbnet.")
                    % {"date": long_date(when), "time": when.strftime("%H:%M")}
                ]
            return [_("Målingen er ikke åbnet endnu. Brug det samme link igen, når den er åbnet.")]

        return _message(
            request,
            language=language,
            title=lambda: _("Målingen er ikke åbnet endnu"),
            lines=not_yet_lines,
            status=403,
            round=round,
        )
    if reason == submission.CLOSED:
        return _message(
            request,
            language=language,
            title=lambda: _("Målingen er lukket"),
            lines=lambda: [_("Der kan ikke længere svares på denne måling. Tak for din interesse.")],
            status=410,
            round=round,
        )
    return _message(
        request,
        language=language,
        title=lambda: _("Linket virker ikke"),
        lines=lambda: [
            _("Vi kan ikke finde en måling til dette link eller denne kode."),
            _("Tjek, at du har kopieret hele linket, eller skriv koden fra dit papirbrev igen."),
        ],
        status=404,
    )


def _already_answered(request: HttpRequest, round: Round, language: str, *, open_link: bool) -> HttpResponse:
    def lines() -> list[str]:
        if open_link:
            return [
                _("Der er allerede sendt et svar fra denne browser. Tak for det!"),
                _("Dit svar er gemt. Du behøver ikke gøre mere."),
            ]
        return [
            _("Der er allerede svaret med dette link, og svaret er gemt. Tak for det!"),
            _("Du behøver ikke gøre mere. Et link kan kun bruges én gang."),
        ]

    return _message(
        request,
        language=language,
        title=lambda: _("Du har allerede svaret"),
        lines=lines,
        status=200,
        round=round,
        done=True,
    )


def _form_page(
    request: HttpRequest,
    *,
    round: Round,
    language: str,
    rater_group: str,
    unit_name: str,
    evaluation: Evaluation | None,
    answers: dict[str, str],
    comments: dict[str, str],
    errors: dict[str, list[str]],
    nonce: str = "",
    status: int = 200,
) -> HttpResponse:
    instrument = round.instrument
    questions_html = ""
    if answers or comments or errors:
        questionnaire = build_questionnaire(
            instrument,
            rater_group=rater_group,
            language=language,
            answers=answers,
            comments=comments,
            errors=errors,
        )
    else:
        questionnaire, questions_html = blank_questions(instrument.pk, rater_group, language)
    context = {
        "round": round,
        "instrument_name": localized(instrument, "name", language),
        "instrument_description": localized(instrument, "description", language),
        "rater_group": rater_group,
        "is_360": evaluation is not None,
        "evaluation": evaluation,
        "unit_name": unit_name,
        "questionnaire": questionnaire,
        "questions_html": questions_html,
        "nonce": nonce,
        "languages": _language_links(request, round, language),
        "language_param": LANGUAGE_PARAM,
        "comment_limit": submission.COMMENT_LIMIT,
        "closes_on": timezone.localtime(round.closes_at).date(),
        "is_citizen": rater_group == RaterGroup.CITIZEN,
    }
    return _page(request, "surveys/answer/form.html", context, language=language, status=status)


def _receipt_redirect(language: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(_receipt_url(get_script_prefix(), language), status=303)


@functools.lru_cache(maxsize=16)
def _receipt_url(script_prefix: str, language: str) -> str:
    """Where every stored answer is sent: the same few addresses, built once."""
    return f"{reverse('answer:receipt')}?{urlencode({LANGUAGE_PARAM: language})}"


# --- Views ------------------------------------------------------------------------------


@public
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def answer_token(request: HttpRequest, token: str) -> HttpResponse:
    """Answer a personal invitation (e-mailed link or paper code)."""
    invitation = submission.find_invitation(token)
    if invitation is None:
        return _unavailable(request, submission.UNKNOWN, None, choose_language_default(request))
    round = invitation.round
    posted = posted_form(request) if request.method == "POST" else {}
    language = choose_language(request, round, posted)
    state = submission.round_state(round, timezone.now())
    if state != "open":
        return _unavailable(request, state, round, language)
    if invitation.answered:
        return _already_answered(request, round, language, open_link=False)
    answers: dict[str, str] = {}
    comments: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        answers, comments = posted_answers(posted)
        result = submission.response_submit(
            token=token, answers=answers, comments=comments, language=language, invitation=invitation
        )
        if result.stored:
            return _receipt_redirect(language)
        if result.already_answered:
            return _already_answered(request, round, language, open_link=False)
        if result.unavailable:
            return _unavailable(request, result.reason, round, language)
        errors, status = result.errors, 400
    return _form_page(
        request,
        round=round,
        language=language,
        rater_group=invitation.rater_group,
        # The unit the answer is stored on and counts for: pooled into a larger unit when the
        # respondent's own had fewer than k invitations (kerne/surveys/pooling.py).
        unit_name=(
            invitation.evaluation.unit.name
            if invitation.evaluation
            else (invitation.response_unit or invitation.unit).name
        ),
        evaluation=invitation.evaluation,
        answers=answers,
        comments=comments,
        errors=errors,
        status=status,
    )


def choose_language_default(request: HttpRequest) -> str:
    """Language for pages without a round: the requested or browser language, else Danish."""
    offered = dict(settings.LANGUAGES)
    for candidate in (request.GET.get(LANGUAGE_PARAM), (translation.get_language() or "")[:2]):
        if candidate in offered:
            return candidate
    return settings.LANGUAGE_CODE


def _open_cookie(round: Round) -> str:
    return f"{OPEN_COOKIE_PREFIX}{round.pk}"


def _mark_answered(response: HttpResponse, request: HttpRequest, round: Round, slug: str) -> HttpResponse:
    max_age = max(int((round.closes_at - timezone.now()).total_seconds()), 0) + 86_400
    response.set_cookie(
        _open_cookie(round),
        "1",
        max_age=max_age,
        path=reverse("answer:open", kwargs={"slug": slug}),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


@public
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def answer_open(request: HttpRequest, slug: str) -> HttpResponse:
    """An open survey for citizens and businesses: no login, one answer per browser."""
    link = submission.find_open_link(slug)
    if link is None:
        return _unavailable(request, submission.UNKNOWN, None, choose_language_default(request))
    round = link.round
    posted = posted_form(request) if request.method == "POST" else {}
    language = choose_language(request, round, posted)
    state = submission.round_state(round, timezone.now())
    if state != "open":
        return _unavailable(request, state, round, language)
    if request.COOKIES.get(_open_cookie(round)):
        return _already_answered(request, round, language, open_link=True)
    answers: dict[str, str] = {}
    comments: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    nonce = ""
    status = 200
    if request.method == "POST":
        if submission.open_rate_limited(client_ip(request)):
            return _message(
                request,
                language=language,
                title=lambda: _("Vent lidt, før du sender igen"),
                lines=lambda: [
                    _("Der er sendt mange svar fra din internetforbindelse på kort tid."),
                    _("Prøv igen om 10 minutter. Dine svar er stadig gemt i din browser."),
                ],
                status=429,
                round=round,
            )
        answers, comments = posted_answers(posted)
        nonce = posted.get("nonce", "")
        result = submission.open_response_submit(
            slug=slug, nonce=nonce, answers=answers, comments=comments, language=language
        )
        if result.stored:
            return _mark_answered(_receipt_redirect(language), request, round, slug)
        if result.already_answered:
            return _mark_answered(
                _already_answered(request, round, language, open_link=True), request, round, slug
            )
        if result.unavailable:
            return _unavailable(request, result.reason, round, language)
        errors, status = result.errors, 400
        if result.renew_nonce:  # not issued here, for another round, or too old: a fresh form
            nonce = ""
    return _form_page(
        request,
        round=round,
        language=language,
        rater_group=RaterGroup.CITIZEN,
        unit_name=link.unit.name,
        evaluation=None,
        answers=answers,
        comments=comments,
        errors=errors,
        nonce=nonce or submission.new_nonce(round.pk),
        status=status,
    )


@public
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def answer_code(request: HttpRequest) -> HttpResponse:
    """Type the code from a paper invitation; a known code leads to its answer page."""
    language = choose_language_default(request)
    code = ""
    error = ""
    status = 200
    if request.method == "POST":
        language = request.POST.get(LANGUAGE_PARAM, language)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        code = request.POST.get("kode", "")[:100]
        with translation.override(language):
            if not code.strip():
                error = _("Skriv koden fra dit papirbrev.")
            elif not is_paper_code(code):
                error = _(
                    "Koden skal have 26 tegn (bogstaver og tal). Tjek, at du har skrevet den rigtigt. "
                    "Bindestreger og mellemrum betyder ikke noget."
                )
            elif submission.find_invitation(normalize_code(code)) is None:
                error = _("Vi kan ikke finde koden. Tjek, at du har skrevet den rigtigt.")
        if not error:
            target = reverse("answer:token", kwargs={"token": normalize_code(code)})
            return HttpResponseRedirect(f"{target}?{urlencode({LANGUAGE_PARAM: language})}", status=303)
        status = 400
    other = [(c, n) for c, n in (("da", "Dansk"), ("en", "English")) if c != language]
    context = {
        "code": code,
        "error": error,
        "languages": [(c, n, f"{request.path}?{urlencode({LANGUAGE_PARAM: c})}") for c, n in other],
        "language_param": LANGUAGE_PARAM,
    }
    return _page(request, "surveys/answer/code.html", context, language=language, status=status)


@public
@never_cache
def answer_receipt(request: HttpRequest) -> HttpResponse:
    """Thank you: shown only after a redirect from a committed answer (it names no round)."""
    language = choose_language_default(request)
    return _page(request, "surveys/answer/receipt.html", {"today": timezone.localdate()}, language=language)
