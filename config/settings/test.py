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
# the `celery_worker` fixture (testsupport/), which switches eager mode off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# A fixed key for the tests only (production sets SUSHI_SECRET_KEY in the environment).
SUSHI_SECRET_KEY = env("SUSHI_SECRET_KEY", default="dGVzdC1vbmx5LXN1c2hpLWtleS0zMi1ieXRlcy0wMDA=")
SUSHI_TIMEOUT = env.float("SUSHI_TIMEOUT", default=2)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The suite must pass on any day: `PORTAL_TEST_NOW=2026-12-24T10:00 make test` runs it with
# the clock set to that moment (Helsinki time; it ticks on from there). Set here rather
# than in a fixture so that the processes a test starts (a Celery worker, a server) share it.
if env("PORTAL_TEST_NOW", default=""):
    from datetime import datetime as _datetime
    from zoneinfo import ZoneInfo as _ZoneInfo

    import time_machine as _time_machine

    _time_machine.travel(
        _datetime.fromisoformat(env("PORTAL_TEST_NOW")).replace(tzinfo=_ZoneInfo("Europe/Helsinki")), tick=True
    ).start()
