"""Kerne settings, read from environment variables only (12-factor).

Every variable is listed in README.md. Defaults are safe for the embedded
mode: SQLite under var/, DEBUG off unless asked for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kerne.client_ip import parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/systemd secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(env_str("KERNE_VAR_DIR", str(PROJECT_DIR / "var")))

SECRET_KEY = env_secret("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "kerne-insecure-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
elif not SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "With DEBUG off, Kerne needs SECRET_KEY (or SECRET_KEY_FILE) and ALLOWED_HOSTS."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # django-ninja's templates and its vendored Swagger UI, so /api/docs loads nothing from a CDN.
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "kerne.accounts",
    "kerne.foundation",
    "kerne.organisation",
    "kerne.surveys",
    "kerne.results",
    "kerne.goals",
    "kerne.followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kerne.headers.ContentSecurityPolicyMiddleware",
    "kerne.headers.PermissionsPolicyMiddleware",
    "kerne.db.unavailable.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The answer pages (/svar/) serve respondents, who are nobody to Kerne: kerne/wsgi.py runs
# them through this shorter stack, without session, authentication, messages, CSRF (the
# answer views are exempt) or login lock, so answering never touches a session.
ANSWER_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kerne.headers.ContentSecurityPolicyMiddleware",
    "kerne.headers.PermissionsPolicyMiddleware",
    "kerne.db.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kerne.urls"
WSGI_APPLICATION = "kerne.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kerne.accounts.context_processors.roles",
            ],
            "builtins": ["kerne.templatetags.kerne"],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        config.setdefault("OPTIONS", {})
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["ENGINE"] = "kerne.db.sqlite3"  # reads a bad decimal as NaN (kerne/db/sqlite3)
        if "postgresql" in config["ENGINE"] and env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # The survey submission's fixed statements are prepared once per connection
            # (kerne/surveys/submission.py); Django's own queries bind on the client and are
            # never prepared. Turn off behind a transaction-pooling PgBouncer before 1.21.
            config["OPTIONS"].setdefault("prepare_threshold", 5)
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "kerne.db.sqlite3",  # Django's, reading a bad decimal as NaN
        "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "kerne.sqlite3")),
        # Keep each thread's connection: opening one and running the PRAGMAs below costs
        # about 2 ms, more than the rest of a survey submission's database work.
        "CONN_MAX_AGE": 600,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
            # (busy timeout) instead of failing with "database is locked" mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete: content SQLite frees (an old cell, a deleted row or page) is
            # overwritten with zeros rather than left in the file (docs/anonymity.md).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON; "
                "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
            ),
        },
    }


DATABASES = {"default": _database()}
# SQLite: a submission's claim and response share a commit, which the write-ahead log keeps
# until it is emptied; it is emptied at most this many seconds after a submission
# (kerne/surveys/journal.py, docs/anonymity.md).
KERNE_WAL_WINDOW_SECONDS = max(0, env_int("KERNE_WAL_WINDOW_SECONDS", 2))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login guessing: lock a username+IP pair after this many failures for an hour. The IP is the
# client's, read through the trusted proxies only (kerne/client_ip.py).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kerne.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("LOGIN_RATE_LIMIT", True)

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# kerne/static (Pico CSS, htmx, kerne.css) belongs to no app, so it is listed here.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded organisation files wait here between preview and confirm.
KERNE_IMPORT_DIR = Path(env_str("KERNE_IMPORT_DIR", str(MEDIA_ROOT / "org-import")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("KERNE_TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development e-mail is delivered to files in EMAIL_FILE_PATH, read on the admin's outbox
# page (/konto/udbakke/, DEBUG only), never to a log: an invitation holds a live link.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "outbox")))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kerne@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: the database backend survives restarts; "immediate" runs a task
# in-process right after the transaction commits (tests, tiny installs).
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env_str("TASKS_BACKEND", "database")]
    }
}

# The proxies in front of Kerne whose X-Forwarded-For is believed: empty (none, the default), a
# count ("1": one proxy, Kerne reachable only through it) or addresses and networks
# ("10.0.0.0/8,127.0.0.1"). The login lock-out and the open-survey rate limit key on the
# client address derived through it (kerne/client_ip.py).
KERNE_TRUSTED_PROXIES = env_str("KERNE_TRUSTED_PROXIES")
try:
    parse_trusted_proxies(KERNE_TRUSTED_PROXIES)
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from error

# "default" is each process's own memory: round results are memoised there
# (kerne/results/rollup.py). "shared" is the same for every worker and server: the open-survey
# rate limit counts there, in the database table kerne_cache (`kerne migrate` creates it;
# kerne/cache.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "kerne.cache.SharedDatabaseCache",
        "LOCATION": "kerne_cache",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# Public address used in e-mails and QR codes (links must work outside the request).
KERNE_BASE_URL = env_str("KERNE_BASE_URL", "http://127.0.0.1:8000")
KERNE_MUNICIPALITY = env_str("KERNE_MUNICIPALITY", "Demo Kommune")
# DESIGN §3.3: the anonymity threshold defaults to 5 and can never go below 3.
KERNE_MIN_K = 3
KERNE_DEFAULT_K = max(KERNE_MIN_K, env_int("KERNE_DEFAULT_K", 5))
# While a round runs, its live counts are recomputed at most this often (docs/anonymity.md).
KERNE_LIVE_REFRESH_SECONDS = max(60, env_int("KERNE_LIVE_REFRESH_SECONDS", 1800))

# Content-Security-Policy (kerne/headers.py, django-csp 4): Kerne's own origin only, no inline
# script and no eval, no plugins, never framed. Style attributes are still allowed
# (style-src-attr) for the bar widths some results and rates templates set inline; scripts are
# never inline, and <style> elements are not allowed either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "script-src-attr": [csp.NONE],
        "style-src": [csp.SELF],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],  # Pico CSS draws its icons as data: SVG
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Every powerful browser feature off: Kerne uses none of them (kerne/headers.py).
KERNE_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)

# A login lasts a working day by default, counted from the login (the session is not renewed
# on every request); SESSION_LIFETIME_HOURS sets it (at least 1).
SESSION_COOKIE_AGE = max(1, env_int("SESSION_LIFETIME_HOURS", 8)) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Preloading binds the whole domain to HTTPS in browsers for good: the operator's call.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Every log record is created without answer-link tokens and hashes (kerne/logredact.py).
LOGGING_CONFIG = "kerne.logredact.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Organisation import from the upload page (docs/import.md, "Limits"): the largest file
# (counted while the upload streams in), the most rows per file or sheet (counted while it is
# read), what an XLSX may unpack to, and the upload size above which the preview and the
# import run as a background task with progress on the page.
KERNE_IMPORT_MAX_BYTES = max(1, env_int("KERNE_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
KERNE_IMPORT_MAX_ROWS = max(1, env_int("KERNE_IMPORT_MAX_ROWS", 200_000))
KERNE_IMPORT_MAX_UNPACKED_BYTES = max(1, env_int("KERNE_IMPORT_MAX_UNPACKED_BYTES", 250 * 1024 * 1024))
KERNE_IMPORT_BACKGROUND_BYTES = max(0, env_int("KERNE_IMPORT_BACKGROUND_BYTES", 1024 * 1024))
