"""In a real browser (issue 10, point 6): the pages work under the Content-Security-Policy with no
violation, nothing is requested from another host, and /api/docs shows Kerne's own Swagger UI."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest

from kerne.goals import demo
from kerne.goals.models import Indicator, Rollout
from tests.access import build_world
from tests.browser import login

pytestmark = pytest.mark.browser

# Collected in the page before any of its own scripts run (Playwright's init scripts are not
# subject to the page's policy).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_pages_and_api_docs_under_the_policy(browser_page, live_server):
    build_world()
    demo.build(seed=3, stdout=io.StringIO())
    page = browser_page
    own_host = urlsplit(live_server.url).hostname
    foreign: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).hostname != own_host else None)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)

    login(page, live_server.url, "executive")
    indicator = Indicator.objects.get(code="forsoergelse-fuldtid")
    rollout = Rollout.objects.get(title_da="Ledelsesgrundlaget drøftet i alle enheder")
    for path in (
        "/",
        "/maal/",
        f"/maal/indikatorer/{indicator.pk}/",
        f"/maal/udrulninger/{rollout.pk}/",
        "/organisation/",
        "/ledelsesgrundlag/",
        "/api/docs",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        if path == "/api/docs":
            page.wait_for_selector(".swagger-ui .info .title")
            assert "Kerne API" in page.locator(".swagger-ui .info .title").inner_text()
            assert page.locator(".opblock").count() > 5  # the operations, read from /api/schema
        violations = page.evaluate("window.__violations")
        assert not violations, f"{path}: {violations}"
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not console, console
