"""Security headers on every response (issue 10, point 6).

- Content-Security-Policy, by django-csp with the policy in settings.CONTENT_SECURITY_POLICY:
  scripts, styles, images, fonts and connections from Kerne's own origin only (no third party,
  no inline script, no eval), no plugins, no framing (`frame-ancestors 'none'`), forms posting
  only back to Kerne. `ContentSecurityPolicyMiddleware` is django-csp's middleware with the
  policy string built once instead of on every response: the answer pages serve a survey rush
  (DESIGN §4), and building the policy cost about 40 µs a response.
- Permissions-Policy, from settings.KERNE_PERMISSIONS_POLICY: every powerful browser feature
  (camera, microphone, geolocation, payment, USB …) is off; Kerne uses none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Set by django-csp's view decorators (csp_update, csp_replace, csp, csp_exempt with REPORT_ONLY)
# or by a nonce: such a response gets a policy built for it, by django-csp itself.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's CSPMiddleware, building the settings' policy once (per settings object)."""

    _built: tuple[int, str] = (0, "")

    def _policy(self) -> str:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        key = id(config)
        if self._built[0] != key:
            self._built = (key, build_policy())
        return self._built[1]

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        special = (
            getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _PER_RESPONSE)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        )
        if special:
            return super().process_response(request, response)
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        prefixes = tuple((settings.CONTENT_SECURITY_POLICY or {}).get("EXCLUDE_URL_PREFIXES") or ())
        policy = self._policy()
        if (
            policy
            and not debug_page
            and HEADER not in response
            and not getattr(response, "_csp_exempt", False)
            and not (prefixes and request.path_info.startswith(prefixes))
        ):
            response[HEADER] = policy
        if getattr(request, "_csp_nonce", None) is None:
            setattr(request, "csp_nonce", CheckableLazyObject(self._csp_nonce_post_response))  # noqa: B010
        return response


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (settings.KERNE_PERMISSIONS_POLICY) to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        policy = settings.KERNE_PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
