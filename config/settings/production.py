"""Production: every secret and service from the environment, no defaults; HTTPS everywhere."""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

# base.py gives each of these a default that suits a laptop (SQLite, mail printed to the
# console, tasks run in-process); a server started without one would look healthy while
# losing data or mail, so production refuses to start and names every variable missing.
# Checked before base.py reads them, so that an empty value is named too (base.py would
# fail on it with a parser's message that names no variable).
REQUIRED = {
    "SECRET_KEY": "signs sessions and links",
    "ALLOWED_HOSTS": "the host names the portal answers to",
    "DATABASE_URL": "PostgreSQL (else the data would go to a local SQLite file)",
    "EMAIL_URL": "the mail server (else mail would be printed to the console and lost)",
    "REDIS_URL": "the Celery broker and cache (else tasks would run inside web requests)",
}
environ.Env.read_env(Path(__file__).resolve().parent.parent.parent / ".env", overwrite=False)  # as base.py does
_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        "The production settings need these environment variables (or lines in .env): "
        + "; ".join(f"{name}: {REQUIRED[name]}" for name in _missing)
        + ". See docs/deployment.md.")

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES, env  # noqa: E402

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Keep database connections between requests (a new PostgreSQL connection costs more than a
# whole simple page); a health check drops a connection that went away.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
