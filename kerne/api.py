"""The JSON API (django-ninja) under /api/, with its OpenAPI schema at /api/schema and Swagger UI
at /api/docs (served from Kerne's own static files).

Authentication: `Authorization: Bearer <token>` with a token from accounts.ApiToken
(only its hash is stored). Every endpoint goes through the same selectors and
services as the views, so the access and anonymity rules are the same.
Each app adds its router in `kerne/<app>/api.py`, registered below.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.security import HttpBearer

from kerne.accounts.models import ApiToken, hash_token
from kerne.db import unavailable


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used=timezone.now())
        request.user = api_token.user
        return api_token.user


api = NinjaAPI(
    title="Kerne API",
    version="1",
    description="Kerne's JSON API. Same access and anonymity rules as the web pages.",
    auth=TokenAuth(),
    openapi_url="/schema",
    docs_url="/docs",
    # Swagger UI from django-ninja's own static files ("ninja" is in INSTALLED_APPS), never from a
    # CDN; no online validator badge (validator.swagger.io would see every schema URL).
    docs=Swagger(settings={"validatorUrl": None}),
    urls_namespace="api",
)


@api.exception_handler(DatabaseError)
def database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """The database unavailable: 503 with what to fix in the log (kerne/db/unavailable.py), also
    with DEBUG on, where django-ninja would otherwise answer with a traceback."""
    diagnosis = unavailable.diagnose(exc)
    if diagnosis is None:
        raise exc
    return unavailable.unavailable_response(request, diagnosis, exc)


@api.get("/me", summary="The authenticated user and their roles")
def me(request: HttpRequest) -> dict[str, Any]:
    from kerne.accounts.roles import is_admin, is_executive, is_hr
    from kerne.organisation.selectors import led_units

    user = request.user
    return {
        "username": user.get_username(),
        "hr": is_hr(user),
        "executive": is_executive(user),
        "admin": is_admin(user),
        "leads": [unit.pk for unit in led_units(user)],
    }


from kerne.surveys.api import router as surveys_router  # noqa: E402

api.add_router("/surveys", surveys_router)

from kerne.goals.api import router as goals_router  # noqa: E402

api.add_router("/goals", goals_router)

from kerne.results.api import router as results_router  # noqa: E402

api.add_router("/results", results_router)
