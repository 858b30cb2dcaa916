from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.browser"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings: pytest.FixtureRequest) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    settings.AXES_ENABLED = False  # type: ignore[attr-defined]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Per-process caches are keyed by primary key; a test database reuses keys after each
    rollback, which a real database never does. The receipt address depends on the URLconf,
    which a test may swap; a test may change a draft instrument it has shown."""
    from kerne.results import rollup
    from kerne.surveys import submission, views_answer

    rollup.clear_memo()
    submission.instrument_rules.cache_clear()
    submission._round_snapshot.cache_clear()
    views_answer._receipt_url.cache_clear()
    views_answer.blank_questions.cache_clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    """A request through the locale middleware leaves its language active in the thread;
    the next test starts from the default language, whatever ran before it."""
    yield
    from django.utils import translation

    translation.deactivate()
