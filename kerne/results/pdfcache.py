"""Rendered unit-report PDFs, kept in the cache every worker shares (issue 10, point 11).

Rendering a report's PDF (the trend chart through vl-convert, then WeasyPrint) takes seconds;
the same report is downloaded by many leaders before their dialogue meetings. So a PDF is kept,
keyed on **what it contains**, never on who asked:

- the key is a SHA-256 of the report exactly as the viewer may see it (the selectors have
  already applied access and anonymity: hidden numbers are None, comparisons and sub-units are
  the viewer's), of the trend points shown beside it, of the language, and of the templates and
  this module's version. Two viewers who may see the same share one PDF; a viewer who may see
  less (a parent comparison, a sub-unit's link) gets a different key, so a cached PDF can never
  show anyone more than their own report holds;
- the cache is consulted only after the view has fetched the viewer's report, so every access
  rule (release, withdrawal, the unit's subtree) is checked on every request as before;
- comments are hashed in sorted order (they are shuffled for every page view, DESIGN §3.5): a
  cached PDF keeps the random order of its first rendering, still unrelated to time or unit.

The PDF holds aggregated, already suppressed numbers and the comments that the report shows,
never a person or a response; entries expire after PDF_CACHE_SECONDS.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.db import DatabaseError

from kerne.cache import SHARED

logger = logging.getLogger(__name__)

PDF_CACHE_VERSION = 1
PDF_CACHE_SECONDS = 24 * 3600
TEMPLATES = ("unit_pdf.html", "_unit_body.html", "_anonymity_note.html")


@cache
def _templates_digest() -> str:
    """The PDF's templates as deployed: a changed layout never serves an old PDF."""
    folder = Path(__file__).resolve().parent / "templates" / "results"
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def report_digest(report: Any, trend: Sequence[Any], *, language: str, round_id: int, round_name: str) -> str:
    """SHA-256 of everything the PDF shows (see the module docstring)."""
    data = _plain(report)
    data["comments"] = sorted((c["question"], c["text"]) for c in data.get("comments") or [])
    payload = {
        "version": PDF_CACHE_VERSION,
        "templates": _templates_digest(),
        "language": language,
        "round": [round_id, round_name],
        "report": data,
        "trend": _plain(list(trend)),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cached_pdf(digest: str, render: Callable[[], bytes]) -> bytes:
    """The PDF for `digest` from the shared cache, or rendered now (and kept)."""
    key = f"kerne:results:pdf:{digest}"
    shared = caches[SHARED]
    try:
        data = shared.get(key)
    except DatabaseError:  # no cache table (yet): render as before
        logger.warning("results PDF cache unavailable; rendering without it", exc_info=True)
        return render()
    if isinstance(data, bytes):
        return data
    data = render()
    try:
        shared.set(key, data, PDF_CACHE_SECONDS)
    except DatabaseError:
        logger.warning("results PDF cache unavailable; PDF not kept", exc_info=True)
    return data
