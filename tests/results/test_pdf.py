"""The unit report's PDF (issue 10, point 11): nothing printed runs into the next column (the
distribution bar was 35 mm in a narrower column and covered the comparison: "▼ −34,8" printed
as "▼ −▮4,8"), and a rendered PDF is kept, keyed on what it shows, so the next download of the
same report is not rendered again, and no viewer is ever given a PDF with more than their own
report holds."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from pypdf import PdfReader

from kerne.results import exports, views
from kerne.results.services import round_release, round_withdraw_release

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def _walk(box: Any):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


@pytest.mark.parametrize("language", ["da", "en"])
def test_nothing_in_the_pdf_runs_into_the_next_column(world, language):
    from weasyprint import HTML

    request = RequestFactory().get("/")
    request.user = world.users["hr"]
    with translation.override(language):
        context = views._unit_report_context(request, world.extra["round"], world.dept_a1)
        html = render_to_string("results/unit_pdf.html", context, request=request)
        document = HTML(string=html, base_url="http://testserver/").render()
    bars = overflowing = 0
    for page in document.pages:
        for cell in (b for b in _walk(page._page_box) if type(b).__name__ == "TableCellBox"):
            right = cell.position_x + cell.margin_width()
            for box in _walk(cell):
                if box is cell or not hasattr(box, "margin_width"):
                    continue
                element = getattr(box, "element", None)
                if element is not None and element.get("class") == "dist":
                    bars += 1
                if box.position_x + box.margin_width() > right + 0.5:
                    overflowing += 1
    assert bars >= 3  # the dimensions' and the items' distribution bars were laid out
    assert overflowing == 0


def _pdf(client: Client, world, unit) -> bytes:
    response = client.get(f"/resultater/{world.extra['round'].pk}/enhed/{unit.pk}/rapport.pdf")
    assert response.status_code == 200, response.status_code
    return response.content


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _client(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.fixture
def renders(monkeypatch):
    calls: list[int] = []
    original = exports.pdf

    def counting(html: str, base_url: str) -> bytes:
        calls.append(1)
        return original(html, base_url)

    monkeypatch.setattr(exports, "pdf", counting)
    return calls


def test_the_same_report_is_rendered_once(world, renders):
    hr = _client(world, "hr")
    first = _pdf(hr, world, world.dept_a1)
    assert _pdf(hr, world, world.dept_a1) == first
    assert len(renders) == 1
    # Another viewer who may see exactly the same report shares it (the executive board).
    assert _pdf(_client(world, "executive"), world, world.dept_a1) == first
    assert len(renders) == 1
    # Another language is another PDF.
    hr.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _pdf(hr, world, world.dept_a1)
    assert len(renders) == 2 and english != first


def test_a_viewer_who_may_see_less_gets_their_own_pdf(world, renders):
    round_ = world.extra["round"]
    round_release(actor=world.users["hr"], round=round_)
    # HR's report of Afdeling A1 compares it with its parent, Center A; the department's
    # employee may not see Center A, so their report (and PDF) has no such comparison.
    hr_pdf = _pdf(_client(world, "hr"), world, world.dept_a1)
    employee_pdf = _pdf(_client(world, "employee"), world, world.dept_a1)
    assert len(renders) == 2
    assert "Center A" in _text(hr_pdf) and "Center A" not in _text(employee_pdf)
    # HR's PDF in the cache first, the employee's afterwards: the employee still gets their own.
    caches["shared"].clear()
    _pdf(_client(world, "hr"), world, world.dept_a1)
    assert "Center A" not in _text(_pdf(_client(world, "employee"), world, world.dept_a1))
    # And what the employee got from the cache is what a fresh rendering for them holds.
    cached = _pdf(_client(world, "employee"), world, world.dept_a1)
    caches["shared"].clear()
    assert _text(_pdf(_client(world, "employee"), world, world.dept_a1)) == _text(cached)


def test_the_cache_never_bypasses_access(world, renders):
    round_ = world.extra["round"]
    round_release(actor=world.users["hr"], round=round_)
    leader = _client(world, "leader")
    _pdf(leader, world, world.dept_a1)
    round_withdraw_release(actor=world.users["hr"], round=round_)
    url = f"/resultater/{round_.pk}/enhed/{world.dept_a1.pk}/rapport.pdf"
    assert leader.get(url).status_code == 404
    assert _client(world, "other_leader").get(url).status_code == 404
