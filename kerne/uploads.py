"""Bounded file uploads, shared by every upload page (organisation import, measurement import).

`limit_uploads(request, limit)` installs `LimitedUpload` in front of Django's upload handlers:
each file's bytes are counted while the upload streams in, and a file past `limit` stops the
upload there. Nothing past the limit is stored (the rest of the request body is read and thrown
away, so the client still gets an answer), and `too_large(request)` names the files that were
refused, for a clear message.

The handler must be installed before anything reads the request body, and the CSRF check
reads it (through `request.POST`): a view that limits its uploads is `csrf_exempt` and checks
CSRF itself with `csrf_protect` after calling `limit_uploads`, e.g.

    @csrf_exempt  # checked by csrf_protect below, after the size limit is installed
    @login_required
    def upload(request):
        limit_uploads(request, max_upload_bytes())
        return _upload(request)

    @csrf_protect
    def _upload(request): ...
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

TOO_LARGE_ATTRIBUTE = "_kerne_uploads_too_large"


class LimitedUpload(FileUploadHandler):
    """Counts each file's bytes as the upload streams in and stops at `limit`: nothing past it
    is stored (the rest of the request is read and thrown away), and the view says which file
    was too large (`too_large`). Installed before the request body is read."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            refused = getattr(self.request, TOO_LARGE_ATTRIBUTE, [])
            refused.append(self.file_name or self.field_name)
            setattr(self.request, TOO_LARGE_ATTRIBUTE, refused)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_uploads(request: HttpRequest, limit: int) -> None:
    """Put the size limit in front of the request's upload handlers (POST requests only)."""
    if request.method == "POST":
        request.upload_handlers = [LimitedUpload(request, limit), *request.upload_handlers]


def too_large(request: HttpRequest) -> list[str]:
    """The names of the files the limit refused (empty when every file was within it)."""
    return list(getattr(request, TOO_LARGE_ATTRIBUTE, []))


def too_large_message(names: list[str], limit: int) -> str:
    return _(
        "%(file)s er større end %(limit)s, som er det mest, en import kan være. Intet er importeret."
    ) % {"file": ", ".join(str(n) for n in names), "limit": filesizeformat(limit)}
