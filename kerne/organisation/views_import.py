"""The organisation import as an upload page for HR: upload → preview → confirm.

What is applied is exactly what was previewed: the uploaded bytes are kept server-side
in a temporary directory named by a random token held in the session, with their
SHA-256 and the plan's fingerprint. Confirming reads the same bytes back, makes the
plan again inside the import's transaction and applies it only when it is still the
previewed one; if the database changed in between, the new plan is shown for a new
confirmation instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kerne.accounts.access import hr_required
from kerne.organisation.import_service import ImportResult, org_import_run, summary_lines
from kerne.organisation.importers import SourceFile
from kerne.organisation.models import PipelineLevel, UnitKind

SESSION_KEY = "org_import"
MAX_AGE_SECONDS = 24 * 3600
PREVIEW_ROWS = 100

FORMAT_CHOICES = [
    ("auto", gettext_lazy("Find selv ud af det")),
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


# --------------------------------------------------------------------------- stored uploads


def import_dir() -> Path:
    return Path(settings.KERNE_IMPORT_DIR)


def _clean_old_uploads() -> None:
    root = import_dir()
    if not root.is_dir():
        return
    limit = time.time() - MAX_AGE_SECONDS
    for entry in root.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < limit:
            shutil.rmtree(entry, ignore_errors=True)


def _store(files: list[SourceFile]) -> tuple[str, list[dict[str, str]]]:
    _clean_old_uploads()
    token = secrets.token_hex(16)
    folder = import_dir() / token
    folder.mkdir(parents=True, mode=0o700)
    stored = []
    for index, source in enumerate(files):
        (folder / f"{index}.bin").write_bytes(source.data)
        stored.append({"name": source.name, "sha256": hashlib.sha256(source.data).hexdigest()})
    return token, stored


def _load(pending: dict[str, Any]) -> list[SourceFile] | None:
    """The previewed files, byte for byte; None when they are gone or were altered."""
    token = str(pending.get("token", ""))
    if not token.isalnum():
        return None
    files = []
    for index, info in enumerate(pending.get("files", [])):
        path = import_dir() / token / f"{index}.bin"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            return None
        files.append(SourceFile(info["name"], data))
    return files or None


def _discard(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    token = str((pending or {}).get("token", ""))
    if token.isalnum():
        shutil.rmtree(import_dir() / token, ignore_errors=True)


def _remember(
    request: HttpRequest, result: ImportResult, token: str, files: list[dict[str, str]], fmt: str
) -> None:
    assert result.summary is not None
    request.session[SESSION_KEY] = {
        "token": token,
        "files": files,
        "format": fmt,
        "fingerprint": result.fingerprint,
        "summary": result.summary.as_dict(),
        "preview": [
            {"entity": c.entity, "action": c.action, "key": c.key, "label": c.label, "fields": c.fields}
            for c in result.preview
        ],
    }


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
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
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


def _source(upload: Any) -> SourceFile:
    return SourceFile(Path(upload.name).name, upload.read())


@hr_required
def upload(request: HttpRequest) -> HttpResponse:
    errors = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            files = [_source(form.cleaned_data["units_file"])]
            if form.cleaned_data.get("people_file"):
                files.append(_source(form.cleaned_data["people_file"]))
            fmt = form.cleaned_data["format"]
            result = org_import_run(
                actor=request.user,
                units_file=files[0],
                people_file=files[1] if len(files) > 1 else None,
                fmt=fmt,
                dry_run=True,
                preview_limit=PREVIEW_ROWS,
            )
            if result.errors:
                errors = result.errors
            else:
                _discard(request)
                token, stored = _store(files)
                _remember(request, result, token, stored, fmt)
                return redirect("org_import:preview")
    else:
        form = ImportForm()
    return render(
        request,
        "organisation/import/upload.html",
        {"form": form, "errors": errors, "pending": request.session.get(SESSION_KEY)},
        status=400 if errors else 200,
    )


@hr_required
def preview(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    context: dict[str, Any] = {"pending": pending}
    if pending:
        counts = pending["summary"]
        total = sum(v for k, v in counts.items() if k != "units_moved")
        context |= {
            "summary": _summary_table(counts),
            "moved": counts["units_moved"],
            "total": total,
            "rows": _rows(pending["preview"]),
            "shown": len(pending["preview"]),
            "file_names": [f["name"] for f in pending["files"]],
        }
    return render(request, "organisation/import/preview.html", context)


@hr_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("fingerprint") != pending["fingerprint"]:
        messages.error(request, _("Der er ingen forhåndsvist import at bekræfte. Upload filerne igen."))
        return redirect("org_import:upload")
    files = _load(pending)
    if files is None:
        _discard(request)
        messages.error(request, _("De uploadede filer findes ikke længere. Upload dem igen."))
        return redirect("org_import:upload")
    result = org_import_run(
        actor=request.user,
        units_file=files[0],
        people_file=files[1] if len(files) > 1 else None,
        fmt=pending["format"],
        expected_fingerprint=pending["fingerprint"],
        preview_limit=PREVIEW_ROWS,
    )
    if result.errors:
        _discard(request)
        return render(
            request,
            "organisation/import/upload.html",
            {"form": ImportForm(), "errors": result.errors, "pending": None},
            status=400,
        )
    if result.stale:
        _remember(request, result, pending["token"], pending["files"], pending["format"])
        messages.warning(
            request,
            _(
                "Organisationen er ændret, siden du så forhåndsvisningen. Se de ændringer, "
                "importen nu vil lave, og bekræft igen."
            ),
        )
        return redirect("org_import:preview")
    _discard(request)
    assert result.summary is not None
    if result.summary.total:
        messages.success(
            request, _("Importen er gennemført.") + " " + " ".join(summary_lines(result.summary))
        )
    else:
        messages.info(request, _("Intet at ændre: organisationen svarer allerede til filerne."))
    return redirect("org_import:upload")


@hr_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    _discard(request)
    messages.info(request, _("Importen er annulleret. Intet er ændret."))
    return redirect("org_import:upload")
