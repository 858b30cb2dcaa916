"""The organisation import as an upload page for HR: upload → preview → confirm.

What is applied is exactly what was previewed: the uploaded bytes are kept server-side
in a temporary directory named by a random token held in the session, with their
SHA-256 and the plan's fingerprint. Confirming reads the same bytes back, makes the
plan again inside the import's transaction and applies it only when it is still the
previewed one; if the database changed in between, the new plan is shown for a new
confirmation instead.

Bounded input: each file may be at most KERNE_IMPORT_MAX_BYTES, counted while the upload
streams in (`kerne.uploads.LimitedUpload`), and at most KERNE_IMPORT_MAX_ROWS rows, counted while it is
read. Uploads larger than KERNE_IMPORT_BACKGROUND_BYTES are previewed and applied by a
background task (kerne.organisation.tasks) while the progress page polls its status.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kerne import uploads
from kerne.accounts.access import hr_required
from kerne.i18n import long_date
from kerne.organisation import import_jobs
from kerne.organisation.models import PipelineLevel, UnitKind
from kerne.organisation.tasks import org_import_job

SESSION_KEY = "org_import"  # the previewed import, waiting for the confirm
JOB_KEY = "org_import_job"  # a preview or apply running in the background

FORMAT_CHOICES = [
    ("auto", gettext_lazy("Genkend formatet ud fra filen (anbefalet)")),
    ("csv", gettext_lazy("CSV (fra Excel: semikolon eller komma)")),
    ("xlsx", gettext_lazy("Excel-projektmappe (XLSX)")),
    ("os2mo", gettext_lazy("OS2mo-eksport (JSON)")),
]

FIELD_LABELS = {
    "name": gettext_lazy("Navn"),
    "kind": gettext_lazy("Type"),
    "parent": gettext_lazy("Overordnet enhed"),
    "valid_from": gettext_lazy("Gyldig fra"),
    "valid_to": gettext_lazy("Gyldig til"),
    "email": gettext_lazy("E-mail"),
    "person": gettext_lazy("Person"),
    "unit": gettext_lazy("Enhed"),
    "title": gettext_lazy("Stilling"),
    "is_leader": gettext_lazy("Leder"),
    "level": gettext_lazy("Ledelsesniveau"),
    "is_primary": gettext_lazy("Primær ansættelse"),
}
ENTITY_LABELS = {
    "unit": gettext_lazy("Enhed"),
    "person": gettext_lazy("Person"),
    "engagement": gettext_lazy("Ansættelse"),
}
ACTION_LABELS = {
    "added": gettext_lazy("Tilføjes"),
    "changed": gettext_lazy("Ændres"),
    "closed": gettext_lazy("Lukkes"),
}


class ImportForm(forms.Form):
    units_file = forms.FileField(
        label=gettext_lazy("Enhedsfil"),
        help_text=gettext_lazy(
            "CSV eller XLSX med kolonnerne enhed_id, overordnet_id, navn og type – "
            "eller en OS2mo-eksport (JSON). En XLSX-projektmappe kan også have et ark med personer."
        ),
    )
    people_file = forms.FileField(
        label=gettext_lazy("Personfil (valgfri)"),
        required=False,
        help_text=gettext_lazy(
            "CSV eller XLSX med kolonnerne person_id, navn og enhed_id "
            "(og gerne e-mail, stilling, leder, niveau). "
            "Uden personfil bliver personer og ansættelser ikke ændret."
        ),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Filformat"), choices=FORMAT_CHOICES, initial="auto", widget=forms.RadioSelect
    )


# --------------------------------------------------------------------------- uploads


def _too_large_message(names: list[str]) -> str:
    return uploads.too_large_message(names, import_jobs.max_upload_bytes())


def _discard(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        import_jobs.discard(str(pending.get("token", "")))


def _remember(request: HttpRequest, pending: dict[str, Any]) -> None:
    old = request.session.get(SESSION_KEY)
    if old and old.get("token") != pending["token"]:
        import_jobs.discard(str(old.get("token", "")))
    request.session[SESSION_KEY] = pending


# --------------------------------------------------------------------------- display


def _display(field: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if field == "kind":
        return str(UnitKind(value).label) if value in UnitKind.values else str(value)
    if field == "level":
        return str(PipelineLevel.Key(value).label) if value in PipelineLevel.Key.values else str(value)
    if field in ("valid_from", "valid_to"):
        try:
            return long_date(dt.date.fromisoformat(value))
        except ValueError:
            return str(value)
    return str(value)


def _rows(preview: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "entity": ENTITY_LABELS.get(c["entity"], c["entity"]),
            "action": c["action"],
            "action_label": ACTION_LABELS.get(c["action"], c["action"]),
            "key": c["key"],
            "label": c["label"],
            "fields": [
                {
                    "label": FIELD_LABELS.get(name, name),
                    "old": _display(name, old_new[0]),
                    "new": _display(name, old_new[1]),
                    "is_new": c["action"] == "added",
                }
                for name, old_new in c["fields"].items()
            ],
        }
        for c in preview
    ]


def _summary_table(counts: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "label": label,
            "added": counts[f"{name}_added"],
            "changed": counts[f"{name}_changed"],
            "closed": counts[f"{name}_closed"],
        }
        for name, label in (
            ("units", _("Enheder")),
            ("persons", _("Personer")),
            ("engagements", _("Ansættelser")),
        )
    ]


# --------------------------------------------------------------------------- views


def _render_upload(
    request: HttpRequest,
    form: ImportForm,
    *,
    errors: list[dict[str, Any]] | None = None,
    error_count: int = 0,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "organisation/import/upload.html",
        {
            "form": form,
            "errors": errors,
            "error_count": error_count or len(errors or []),
            "refused": refused,
            "pending": request.session.get(SESSION_KEY),
            "job": request.session.get(JOB_KEY),
            "max_bytes": import_jobs.max_upload_bytes(),
            "max_rows": formats.number_format(import_jobs.upload_limits().max_rows or 0, force_grouping=True),
        },
        status=status,
    )


def _start_job(request: HttpRequest, kind: str, token: str, job: dict[str, Any]) -> HttpResponse:
    """Queue a preview or an apply; the progress page polls it."""
    import_jobs.write_status(token, {"kind": kind, "state": "queued"})
    request.session[JOB_KEY] = {"kind": kind, "token": token, **job}
    user_id = request.user.pk if request.user.is_authenticated else None
    org_import_job.enqueue(kind, token, user_id, job, get_language() or settings.LANGUAGE_CODE)
    return redirect("org_import:progress")


def _finish(request: HttpRequest, kind: str, token: str, outcome: dict[str, Any]) -> HttpResponse:
    """The page after a preview or an apply, whether it ran in the request or in the background."""
    result = outcome.get("outcome")
    if result == "errors":
        import_jobs.discard(token)
        if kind == "apply":
            request.session.pop(SESSION_KEY, None)
        return _render_upload(
            request,
            ImportForm(),
            errors=outcome["errors"],
            error_count=outcome["error_count"],
            status=400,
        )
    if result == "preview":
        _remember(request, outcome["pending"])
        return redirect("org_import:preview")
    if result == "stale":
        import_jobs.unlock_apply(token)
        _remember(request, outcome["pending"])
        messages.warning(
            request,
            _(
                "Organisationen er ændret, siden du så forhåndsvisningen. Se de ændringer, "
                "importen nu vil lave, og bekræft igen."
            ),
        )
        return redirect("org_import:preview")
    if result == "applied":
        _discard(request)
        if outcome["total"]:
            messages.success(request, _("Importen er gennemført.") + " " + " ".join(outcome["lines"]))
        else:
            messages.info(request, _("Intet at ændre: organisationen svarer allerede til filerne."))
        return redirect("org_import:upload")
    # The stored files are gone or were altered.
    import_jobs.discard(token)
    if kind == "apply":
        request.session.pop(SESSION_KEY, None)
    messages.error(request, _("De uploadede filer findes ikke længere. Upload dem igen."))
    return redirect("org_import:upload")


@csrf_exempt  # checked by csrf_protect below, after the size limit is installed
@hr_required
def upload(request: HttpRequest) -> HttpResponse:
    # Django reads the body when the CSRF check first touches request.POST: the size limit
    # must be in place before that.
    uploads.limit_uploads(request, import_jobs.max_upload_bytes())
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    job = request.session.get(JOB_KEY)
    if job and job["kind"] == "apply":
        messages.info(request, _("En import er i gang. Vent, til den er færdig."))
        return redirect("org_import:progress")
    if request.method != "POST":
        return _render_upload(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    too_large = uploads.too_large(request)
    if too_large:
        return _render_upload(request, ImportForm(), refused=_too_large_message(too_large), status=413)
    if not form.is_valid():
        return _render_upload(request, form, status=400)
    files = [form.cleaned_data["units_file"]]
    if form.cleaned_data.get("people_file"):
        files.append(form.cleaned_data["people_file"])
    token, stored = import_jobs.store((Path(u.name).name, u.chunks()) for u in files)
    fmt = form.cleaned_data["format"]
    request.session.pop(JOB_KEY, None)
    if sum(f["size"] for f in stored) > import_jobs.background_bytes():
        return _start_job(request, "preview", token, {"files": stored, "format": fmt})
    outcome = import_jobs.run_preview(actor=request.user, token=token, files=stored, fmt=fmt)
    return _finish(request, "preview", token, outcome)


@hr_required
def progress(request: HttpRequest) -> HttpResponse:
    """A background preview or apply: its progress, then (when done) the page that follows it."""
    job = request.session.get(JOB_KEY)
    if not job:
        return redirect("org_import:preview" if request.session.get(SESSION_KEY) else "org_import:upload")
    status = import_jobs.read_status(job["token"]) or {"state": "gone"}
    if status["state"] == "done":
        request.session.pop(JOB_KEY, None)
        return _finish(request, job["kind"], job["token"], status["outcome"])
    if status["state"] in ("failed", "gone"):
        request.session.pop(JOB_KEY, None)
        import_jobs.discard(job["token"])
        if job["kind"] == "apply":
            request.session.pop(SESSION_KEY, None)
        messages.error(
            request,
            _("Importen kunne ikke gennemføres på grund af en fejl på serveren. Intet er ændret. Prøv igen.")
            if status["state"] == "failed"
            else _("De uploadede filer findes ikke længere. Upload dem igen."),
        )
        return redirect("org_import:upload")
    context = {"job": job, "status": _status_view(status)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "organisation/import/_progress.html", context)
    return render(request, "organisation/import/progress.html", context)


@hr_required
def status(request: HttpRequest) -> HttpResponse:
    """The progress block, polled by htmx. When the job is over, the browser is sent to the
    progress page, which shows what follows."""
    job = request.session.get(JOB_KEY)
    current = import_jobs.read_status(job["token"]) if job else None
    if job and current is not None and current["state"] in ("queued", "running"):
        return render(
            request, "organisation/import/_progress.html", {"job": job, "status": _status_view(current)}
        )
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("org_import:progress")
    response = HttpResponse()
    response["HX-Redirect"] = reverse("org_import:progress")
    return response


def _status_view(status: dict[str, Any]) -> dict[str, Any]:
    total = status.get("total")
    done = status.get("done") or 0
    waited = time.time() - float(status.get("updated") or time.time())
    return {
        "state": status["state"],
        "stage": status.get("stage") or "",
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else None,
        "waiting_long": status["state"] == "queued" and waited > 30,
    }


def _share(part: int, whole: int) -> str:
    return str(round(100 * part / whole)) if whole else "0"


def _warnings(counts: dict[str, int], impact: dict[str, Any]) -> list[str]:
    """The destructive changes of a previewed import, in words, for the warning at the top."""
    lines = []
    units, engagements = counts["units_closed"], counts["engagements_closed"]
    if units:
        lines.append(
            _("%(n)s af %(of)s åbne enheder lukkes (%(share)s %%).")
            % {"n": units, "of": impact["open_units"], "share": _share(units, impact["open_units"])}
        )
    if engagements:
        lines.append(
            _("%(n)s af %(of)s åbne ansættelser afsluttes (%(share)s %%).")
            % {
                "n": engagements,
                "of": impact["open_engagements"],
                "share": _share(engagements, impact["open_engagements"]),
            }
        )
    if impact["leaders_removed"]:
        lines.append(
            ngettext(
                "%(n)s leder mister sin lederrolle.",
                "%(n)s ledere mister deres lederrolle.",
                impact["leaders_removed"],
            )
            % {"n": impact["leaders_removed"]}
        )
    if counts["persons_closed"]:
        lines.append(
            ngettext(
                "%(n)s person står uden ansættelse bagefter.",
                "%(n)s personer står uden ansættelse bagefter.",
                counts["persons_closed"],
            )
            % {"n": counts["persons_closed"]}
        )
    if impact["kept_in_closing_units"]:
        lines.append(
            ngettext(
                "%(n)s ansættelse ligger i en enhed, der lukkes. Uden personfil bliver den ikke "
                "ændret: den er stadig åben bagefter.",
                "%(n)s ansættelser ligger i enheder, der lukkes. Uden personfil bliver de ikke "
                "ændret: de er stadig åbne bagefter.",
                impact["kept_in_closing_units"],
            )
            % {"n": impact["kept_in_closing_units"]}
        )
    return lines


def _confirm_label(confirm: list[Any]) -> str:
    if confirm[0] == "units":
        return _("Skriv antallet af enheder, der lukkes")
    return _("Skriv antallet af ansættelser, der afsluttes")


def _preview_page(request: HttpRequest, *, confirm_error: str = "", status: int = 200) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    context: dict[str, Any] = {"pending": pending}
    if pending:
        counts = pending["summary"]
        impact = pending.get("impact") or {}
        confirm = pending.get("confirm")
        total = sum(v for k, v in counts.items() if k != "units_moved")
        context |= {
            "summary": _summary_table(counts),
            "moved": counts["units_moved"],
            "total": total,
            "rows": _rows(pending["preview"]),
            "shown": len(pending["preview"]),
            "file_names": [f["name"] for f in pending["files"]],
            "warnings": _warnings(counts, impact) if impact else [],
            "people_synced": impact.get("people_synced", True),
            "confirm": {"what": confirm[0], "label": _confirm_label(confirm)} if confirm else None,
            "confirm_error": confirm_error,
        }
    return render(request, "organisation/import/preview.html", context, status=status)


@hr_required
def preview(request: HttpRequest) -> HttpResponse:
    return _preview_page(request)


def _typed_number(value: str) -> str:
    """What HR typed, without the spaces and thousands separators one may type (5.099, 5 099)."""
    return "".join(c for c in value if c not in " .,\xa0")


@hr_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("fingerprint") != pending["fingerprint"]:
        messages.error(request, _("Der er ingen forhåndsvist import at bekræfte. Upload filerne igen."))
        return redirect("org_import:upload")
    needed = pending.get("confirm")
    if needed and _typed_number(request.POST.get("confirm_count", "")) != str(needed[1]):
        return _preview_page(
            request,
            confirm_error=(
                _("Skriv antallet af enheder, der lukkes (%(n)s), for at bekræfte importen.")
                if needed[0] == "units"
                else _("Skriv antallet af ansættelser, der afsluttes (%(n)s), for at bekræfte importen.")
            )
            % {"n": needed[1]},
            status=400,
        )
    token = pending["token"]
    if not import_jobs.lock_apply(token):
        messages.info(request, _("Importen er allerede bekræftet og bliver gennemført."))
        return redirect("org_import:progress" if request.session.get(JOB_KEY) else "org_import:upload")
    job = {key: pending[key] for key in ("token", "files", "format", "fingerprint")}
    if sum(int(f.get("size", 0)) for f in pending["files"]) > import_jobs.background_bytes():
        return _start_job(request, "apply", token, job)
    outcome = import_jobs.run_apply(actor=request.user, pending=job)
    return _finish(request, "apply", token, outcome)


@hr_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    job = request.session.pop(JOB_KEY, None)
    if job and job["kind"] == "preview":
        import_jobs.discard(job["token"])
    _discard(request)
    messages.info(request, _("Importen er annulleret. Intet er ændret."))
    return redirect("org_import:upload")
