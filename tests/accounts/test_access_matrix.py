"""Every role against every URL (DESIGN §3: "a test checks every role against every endpoint")."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import DENIED, LOGIN, NOT_ALLOWED, OK, REDIRECT, ROLES, Case, build_world

# Django's own URLs (admin, language switch) keep Django's rules; the API is checked
# by its own matrix in tests/test_api_access.py.
SKIPPED_NAMESPACES = ("admin", "api")
SKIPPED_NAMES = {"set_language"}


def _named_urls(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            names |= _named_urls(pattern.url_patterns, f"{prefix}{ns}:" if ns else prefix)
        elif pattern.name and pattern.name not in SKIPPED_NAMES:
            names.add(prefix + pattern.name)
    return names


def _all_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            access = importlib.import_module(f"tests.{module.name}.access")
        except ModuleNotFoundError:
            continue
        cases.update(access.ACCESS)
    return cases


CASES = _all_cases()


def test_every_named_url_is_in_the_matrix():
    missing = _named_urls(get_resolver().url_patterns) - set(CASES)
    assert not missing, f"URLs without an access case: {sorted(missing)}"


def _outcome(status: int, location: str) -> str:
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303):
        return LOGIN if "/konto/login/" in location else REDIRECT
    if status in (403, 404):
        return DENIED
    if status == 405:
        return NOT_ALLOWED
    return f"status {status}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_role_access(name: str) -> None:
    case = CASES[name]
    assert set(case.expect) == set(ROLES), f"{name}: the case must name every role"
    world = build_world()
    url = reverse(name, kwargs=case.kwargs(world)) + case.query
    mismatches = []
    for role in ROLES:
        client = Client()
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        got = _outcome(response.status_code, response.get("Location", ""))
        if got != case.expect[role]:
            mismatches.append(f"{role}: expected {case.expect[role]}, got {got}")
    assert not mismatches, f"{url}: " + "; ".join(mismatches)


def test_outcome_vocabulary():
    assert _outcome(200, "") == OK and _outcome(302, "/konto/login/?next=/") == LOGIN
    assert _outcome(404, "") == DENIED and _outcome(302, "/x/") == REDIRECT
