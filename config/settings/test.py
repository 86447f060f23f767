"""Settings for the test suite (pytest --ds=config.settings.test)."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# locmem by default; a test that starts a real worker and SMTP server passes EMAIL_URL.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test process runs tasks in-process whatever REDIS_URL says, so a test behaves the
# same on a laptop and in CI. Tests that need the real thing start a worker on Redis with
# the `celery_worker` fixture (consortium/testing.py), which switches eager mode off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
