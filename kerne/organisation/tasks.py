"""Background work of the organisation app (django-tasks): large imports from the upload page.

The task gets the upload's token, the stored files' names and hashes, and (for the confirm)
the previewed plan's fingerprint; never file contents. It reads the files from
KERNE_IMPORT_DIR, so the worker (`kerne db_worker`) must see the same directory as the web
server. Progress and outcome go to the upload's status.json, which the page polls
(kerne.organisation.import_jobs).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import translation
from django_tasks import task

from kerne.organisation import import_jobs


@task()
def org_import_job(kind: str, token: str, user_id: int | None, job: dict[str, Any], language: str) -> str:
    """Preview (`kind="preview"`) or apply (`kind="apply"`) an uploaded import; returns the outcome."""
    actor = User.objects.filter(pk=user_id).first() if user_id is not None else None
    with translation.override(language):
        outcome = import_jobs.run_job(kind=kind, token=token, actor=actor, job=job)
    return str(outcome["outcome"])
