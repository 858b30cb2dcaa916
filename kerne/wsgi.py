"""The WSGI application: Django, with a shorter middleware stack for the answer pages.

Respondents answer under /svar/ with a token, a paper code or an open link, never as a
logged-in user. Their requests go through `settings.ANSWER_MIDDLEWARE` instead of
`settings.MIDDLEWARE`: no session, authentication, messages, CSRF (the answer views are
CSRF-exempt, see kerne/surveys/views_answer.py) or login lock. That is a privacy
guarantee as much as a saving: answering never reads or touches a session, so nothing on
the server pairs a logged-in person with the moment an answer arrived. And in the survey
rush (DESIGN §4) the CPU goes to answers rather than to middleware that has nothing to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

ANSWER_PATH_PREFIX = "/svar/"  # kerne/urls.py mounts the answer pages here


def handler_with_middleware(middleware: list[str]) -> WSGIHandler:
    """A Django WSGI handler whose middleware chain is `middleware`.

    Django builds a handler's chain from settings.MIDDLEWARE once, in its constructor;
    the setting is pointed at `middleware` for that moment only.
    """
    full = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        return WSGIHandler()
    finally:
        settings.MIDDLEWARE = full


class KerneApplication:
    """Routes the answer pages to their own handler, everything else to Django's usual one."""

    def __init__(self) -> None:
        django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does
        self.main = WSGIHandler()
        self.answers = handler_with_middleware(list(settings.ANSWER_MIDDLEWARE))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(ANSWER_PATH_PREFIX):
            return self.answers(environ, start_response)
        return self.main(environ, start_response)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
application = KerneApplication()
