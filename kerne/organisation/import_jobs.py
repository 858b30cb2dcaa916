"""The upload page's files on the server, and the import jobs that run on them.

Each upload gets a folder `KERNE_IMPORT_DIR/<token>/` (token: 32 random hex digits, held only
in the uploader's session):

    0.bin, 1.bin   the uploaded bytes (units file, then the people file), copied chunk by chunk
    status.json    a background job's state and progress (written atomically: tmp + rename)
    apply.lock     created exclusively by the one confirm that applies the upload

A job is a preview (read, check, plan: nothing saved) or an apply (the confirm). Both run
the same functions, `run_preview` and `run_apply`, either inside the request (small files)
or as a django-tasks task (`kerne.organisation.tasks`) while the page polls `status.json`.
Their outcome is a JSON-safe dict, so it crosses the task boundary unchanged. Folders are
removed when the import is confirmed or cancelled, and after a day at the latest.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kerne.accounts.roles import AnyUser
from kerne.organisation.import_service import ImportResult, org_import_run, summary_lines
from kerne.organisation.importers import (
    ImportIssue,
    Limits,
    ProgressBar,
    ProgressFactory,
    SourceFile,
    typed_confirmation,
)

MAX_AGE_SECONDS = 24 * 3600
PREVIEW_ROWS = 100
MAX_ERRORS_SHOWN = 500
PROGRESS_INTERVAL = 0.5  # seconds between two writes of status.json

# Defaults of the settings that bound an upload (docs/import.md, "Limits").
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_UNPACKED_BYTES = 250 * 1024 * 1024
DEFAULT_BACKGROUND_BYTES = 1024 * 1024


# --------------------------------------------------------------------------- limits


def max_upload_bytes() -> int:
    """The largest file the upload page accepts (checked while the upload streams in)."""
    return int(getattr(settings, "KERNE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def background_bytes() -> int:
    """Uploads larger than this (both files together) are read and applied in the background."""
    return int(getattr(settings, "KERNE_IMPORT_BACKGROUND_BYTES", DEFAULT_BACKGROUND_BYTES))


def upload_limits() -> Limits:
    return Limits(
        max_rows=int(getattr(settings, "KERNE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
        max_unpacked_bytes=int(
            getattr(settings, "KERNE_IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
        ),
    )


# --------------------------------------------------------------------------- stored uploads


def import_dir() -> Path:
    return Path(settings.KERNE_IMPORT_DIR)


def _folder(token: str) -> Path | None:
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    return import_dir() / token


def clean_old_uploads() -> None:
    root = import_dir()
    if not root.is_dir():
        return
    limit = time.time() - MAX_AGE_SECONDS
    for entry in root.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < limit:
            shutil.rmtree(entry, ignore_errors=True)


def store(uploads: Iterable[tuple[str, Iterable[bytes]]]) -> tuple[str, list[dict[str, Any]]]:
    """Copy uploaded files (name, chunks) into a new folder; the token and each file's name,
    size and SHA-256. The bytes are never held in memory whole."""
    clean_old_uploads()
    token = secrets.token_hex(16)
    folder = import_dir() / token
    folder.mkdir(parents=True, mode=0o700)
    stored = []
    for index, (name, chunks) in enumerate(uploads):
        digest = hashlib.sha256()
        size = 0
        with open(folder / f"{index}.bin", "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        stored.append({"name": name, "sha256": digest.hexdigest(), "size": size})
    return token, stored


def load(token: str, files: list[dict[str, Any]]) -> list[SourceFile] | None:
    """The stored files, byte for byte; None when they are gone or were altered."""
    folder = _folder(token)
    if folder is None:
        return None
    loaded = []
    for index, info in enumerate(files):
        try:
            data = (folder / f"{index}.bin").read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            return None
        loaded.append(SourceFile(str(info["name"]), data))
    return loaded or None


def discard(token: str) -> None:
    folder = _folder(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def lock_apply(token: str) -> bool:
    """True for the one caller that may apply this upload (a double click or a second tab
    gets False): the lock file is created exclusively."""
    folder = _folder(token)
    if folder is None:
        return False
    try:
        os.close(os.open(folder / "apply.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:
        return False
    return True


def unlock_apply(token: str) -> None:
    folder = _folder(token)
    if folder is not None:
        (folder / "apply.lock").unlink(missing_ok=True)


# --------------------------------------------------------------------------- job status


def read_status(token: str) -> dict[str, Any] | None:
    folder = _folder(token)
    if folder is None:
        return None
    try:
        status = json.loads((folder / "status.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def write_status(token: str, status: dict[str, Any]) -> None:
    """Replace status.json atomically (a poll never reads half a file). A folder removed in the
    meantime (the import was cancelled) is not an error."""
    folder = _folder(token)
    if folder is None:
        return
    tmp = folder / f"status.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps({**status, "updated": time.time()}), "utf-8")
        os.replace(tmp, folder / "status.json")
    except OSError:
        tmp.unlink(missing_ok=True)


class _StatusBar:
    def __init__(self, job: StatusProgress, stage: str, total: int | None) -> None:
        self.job, self.stage, self.total, self.done = job, stage, total, 0
        job.report(stage, 0, total, force=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        self.job.report(self.stage, self.done, self.total)

    def close(self) -> None:
        self.job.report(self.stage, self.done, self.total, force=True)


class StatusProgress:
    """A progress factory (as `org_import_run` takes) that writes the stage and the rows done to
    status.json, at most every PROGRESS_INTERVAL seconds."""

    def __init__(self, token: str, kind: str) -> None:
        self.token, self.kind = token, kind
        self._last = 0.0

    def __call__(self, stage: str, total: int | None) -> ProgressBar:
        return _StatusBar(self, stage, total)

    def report(self, stage: str, done: int, total: int | None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        write_status(
            self.token, {"kind": self.kind, "state": "running", "stage": stage, "done": done, "total": total}
        )


# --------------------------------------------------------------------------- running an import


def issue_dict(issue: ImportIssue) -> dict[str, Any]:
    where = issue.where
    return {
        "where": {"file": where.file, "sheet": where.sheet, "row": where.row, "column": where.column},
        "message": issue.message,
    }


def _errors(issues: list[ImportIssue]) -> dict[str, Any]:
    return {
        "outcome": "errors",
        "errors": [issue_dict(i) for i in issues[:MAX_ERRORS_SHOWN]],
        "error_count": len(issues),
    }


def pending_from(result: ImportResult, token: str, files: list[dict[str, Any]], fmt: str) -> dict[str, Any]:
    """What the session keeps of a preview: enough to show it and to confirm exactly it.

    `confirm` is [what, number] when the import closes so much that HR must type the number
    (importers.typed_confirmation), else None."""
    assert result.summary is not None
    confirm = typed_confirmation(result.summary, result.impact)
    return {
        "token": token,
        "files": files,
        "format": fmt,
        "fingerprint": result.fingerprint,
        "summary": result.summary.as_dict(),
        "impact": result.impact.as_dict(),
        "confirm": list(confirm) if confirm else None,
        "preview": [
            {"entity": c.entity, "action": c.action, "key": c.key, "label": c.label, "fields": c.fields}
            for c in result.preview
        ],
    }


def run_preview(
    *,
    actor: AnyUser | None,
    token: str,
    files: list[dict[str, Any]],
    fmt: str,
    progress: ProgressFactory | None = None,
) -> dict[str, Any]:
    """Read, check and plan the stored files (nothing is saved)."""
    sources = load(token, files)
    if sources is None:
        return {"outcome": "gone"}
    result = org_import_run(
        actor=actor,
        units_file=sources[0],
        people_file=sources[1] if len(sources) > 1 else None,
        fmt=fmt,
        dry_run=True,
        preview_limit=PREVIEW_ROWS,
        progress=progress,
        limits=upload_limits(),
    )
    if result.errors:
        return _errors(result.errors)
    return {"outcome": "preview", "pending": pending_from(result, token, files, fmt)}


def run_apply(
    *, actor: AnyUser | None, pending: dict[str, Any], progress: ProgressFactory | None = None
) -> dict[str, Any]:
    """Apply the previewed files if the plan is still the previewed one (see views_import)."""
    token, files, fmt = pending["token"], pending["files"], pending["format"]
    sources = load(token, files)
    if sources is None:
        return {"outcome": "gone"}
    result = org_import_run(
        actor=actor,
        units_file=sources[0],
        people_file=sources[1] if len(sources) > 1 else None,
        fmt=fmt,
        expected_fingerprint=pending["fingerprint"],
        preview_limit=PREVIEW_ROWS,
        progress=progress,
        limits=upload_limits(),
    )
    if result.errors:
        return _errors(result.errors)
    if result.stale:
        return {"outcome": "stale", "pending": pending_from(result, token, files, fmt)}
    assert result.summary is not None
    return {
        "outcome": "applied",
        "total": result.summary.total,
        "lines": summary_lines(result.summary),
    }


def run_job(*, kind: str, token: str, actor: AnyUser | None, job: dict[str, Any]) -> dict[str, Any]:
    """Run a preview or an apply as a background job, with its progress and outcome in status.json."""
    progress = StatusProgress(token, kind)
    write_status(token, {"kind": kind, "state": "running", "stage": _("Starter"), "done": 0, "total": None})
    try:
        if kind == "preview":
            outcome = run_preview(
                actor=actor, token=token, files=job["files"], fmt=job["format"], progress=progress
            )
        else:
            outcome = run_apply(actor=actor, pending=job, progress=progress)
    except Exception:
        write_status(token, {"kind": kind, "state": "failed"})
        raise
    write_status(token, {"kind": kind, "state": "done", "outcome": outcome})
    return outcome
