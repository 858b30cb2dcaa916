"""Security headers and no third parties (issue 10, point 6): every page of the role × URL matrix
gets the Content-Security-Policy and Permissions-Policy and references no external host; the
API docs are Swagger UI from Kerne's own static files; no template holds an inline script."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.access import OK, ROLES, build_world
from tests.accounts.test_access_matrix import CASES

KERNE = Path(__file__).resolve().parents[1] / "kerne"
# Attributes that load or send something; a host in any of them is a third party.
URL_ATTRIBUTE = re.compile(
    r"""\s(?:src|href|action|formaction|srcset|poster|data|hx-get|hx-post|hx-put|hx-delete|hx-patch|content)"""
    r"""\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)", re.IGNORECASE)
# Roles tried in this order for a page: the first the matrix lets in renders it.
PREFERRED = ("admin", "hr", "executive", "leader", "other_leader", "employee", "anonymous")


def external_hosts(html: str) -> set[str]:
    """Hosts of every absolute or protocol-relative URL in attributes and inline CSS."""
    found: set[str] = set()
    values = [a or b for a, b in URL_ATTRIBUTE.findall(html)] + CSS_URL.findall(html)
    for value in values:
        for part in value.split(","):  # srcset lists several
            url = part.strip().split(" ")[0]
            if url.startswith(("//", "http:", "https:", "ftp:", "ws:", "wss:")):
                host = urlsplit(url).hostname or ""
                if host not in ("testserver", ""):
                    found.add(host)
    return found


def test_external_hosts_are_found():
    html = (
        '<link href="https://cdn.example/x.css"><script src="//cdn2.example/x.js"></script>'
        '<img srcset="/a.png 1x, https://img.example/b.png 2x"><a href="/ok">'
        "<div style=\"background: url('https://css.example/i.png')\">"
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    )
    assert external_hosts(html) == {"cdn.example", "cdn2.example", "img.example", "css.example"}


def check_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval, no third party
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_page_has_the_policies_and_no_third_party(name: str) -> None:
    case = CASES[name]
    role = next((r for r in PREFERRED if case.expect.get(r) == OK), None)
    if role is None:
        pytest.skip(f"{name}: no role may GET it")
    assert role in ROLES
    world = build_world()
    url = reverse(name, kwargs=case.kwargs(world)) + case.query
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert 200 <= response.status_code < 300, f"{url} as {role}: {response.status_code}"
    check_headers(response)
    if "html" in response.get("Content-Type", ""):
        html = b"".join(response.streaming_content) if response.streaming else response.content
        assert not external_hosts(html.decode()), url


@pytest.mark.django_db
def test_api_docs_use_kernes_own_swagger_ui():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    check_headers(response)
    html = response.content.decode()
    assert not external_hosts(html)
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert "ninja/swagger-ui-bundle.js" in assets and "ninja/swagger-ui.css" in assets
    for asset in assets:
        assert finders.find(asset), f"{asset} is not among the static files"
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    assert Client().get("/api/schema").status_code == 200


@pytest.mark.django_db
def test_error_and_answer_pages_have_the_policies():
    check_headers(Client().get("/findes-ikke/"))
    from kerne.wsgi import application

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/svar/kode/", "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(b"")
    started: dict[str, list[tuple[str, str]]] = {}
    body = application(environ, lambda status, headers, exc_info=None: started.update(headers=headers))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    headers = dict(started["headers"])
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]


# Templates of other apps that still carry inline event handlers (print buttons): they are
# blocked by the policy until they use data-print (kerne/static/kerne/kerne.js). The list may only
# shrink.
INLINE_HANDLERS_TO_MOVE: set[str] = set()
# Templates rendered to PDF by WeasyPrint only, never served to a browser.
PDF_TEMPLATES = {"results/templates/results/unit_pdf.html", "followup/templates/followup/guide_pdf.html"}


def test_no_template_has_an_inline_script():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    found, handlers = [], set()
    for path in sorted(KERNE.glob("**/templates/**/*.html")):
        name = str(path.relative_to(KERNE))
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or "javascript:" in text:
            found.append(name)
        if handler.search(text):
            handlers.add(name)
        if name not in PDF_TEMPLATES:
            assert not re.search(r"<style[\s>]", text), f"{name}: a <style> element (move it to a CSS file)"
    assert not found, f"inline scripts: {found}"
    assert handlers <= INLINE_HANDLERS_TO_MOVE, (
        f"inline event handlers: {sorted(handlers - INLINE_HANDLERS_TO_MOVE)}"
    )
