"""Settings shared by every environment. Values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Subclass modules decide whether a default secret is acceptable (only while DEBUG).
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Before the admin: member-facing texts that staff write get an optional Swedish
    # version as a column of their own (title_fi, title_sv), read without a join.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",  # Bootstrap 5 files served from our own static, never a CDN
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "csp",
    "consortium",
    "consortium.eservices",
    "consortium.trainings",
    "procurement",
    "newsletters",
    "louna",
    "louna.ematerials",
    "louna.events",
    "stats",
    "stats.sushi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consortium.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# ---------------------------------------------------------------- web security
# Content Security Policy (django-csp): our own files only, no inline script or style
# anywhere (sizes from data go through static/js/widths.js), no plugins, no framing, forms
# post only to us. Pictures may be data: URLs (Bootstrap's icons in its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "consortium.context_processors.portal",
                "consortium.pagecache.csrf_for_kept_pages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "consortium.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the person's roles with the user (one query a request).
    "consortium.backends.PortalModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 7  # invitations and resets stay valid a week

# Login throttling: five failures per address and user lock them out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Login ignores the case of the address, so the count of failures does too.
AXES_USERNAME_CALLABLE = "consortium.backends.throttled_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# ---------------------------------------------------------------- languages and formats
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's own "sv" formats are Sweden's; Finland-Swedish writes dates as Finns do.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
# Translated model fields (django-modeltranslation): Finnish is the text every member text
# has; Swedish is optional. English readers get the Finnish text (staff write none in
# English). Templates show a field with {% translated obj "title" %}, which marks a
# Finnish fallback with lang="fi" for screen readers.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_LANGUAGES = ("fi", "sv")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fi",)

# ---------------------------------------------------------------- static and media
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ---------------------------------------------------------------- e-mail
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kirjastoportaali <portaali@kirjastot.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------- cache
REDIS_URL = env("REDIS_URL", default="")
def redis_cache(url: str) -> dict:
    """The cache on Redis (also used by tests that start their own Redis)."""
    return {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1}}


# Redis is a helper, never a single point of failure: with Redis down every cache call is a
# miss (django-redis's IGNORE_EXCEPTIONS), logged as one warning line (consortium.logs), and
# short timeouts keep a Redis that hangs from holding the page.
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "consortium.cache"

# Sessions are read on every page: from the cache first (Redis when REDIS_URL is set), the
# database behind it, so a cache restart logs nobody out and a cache that is down is a miss.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# ---------------------------------------------------------------- Celery
# Without REDIS_URL tasks run in-process (eager), so `make run` needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TIMEZONE = TIME_ZONE
# max_retries/interval_*: how long sending a task waits for a broker that is down before
# giving up (kombu's default retries for seconds): the web request must not hang on it, the
# work waits in the database instead (consortium.jobs). Workers reconnect by their own rules.
# visibility_timeout: a task taken by a worker that died before acknowledging it (acks_late)
# goes back to the queue after this many seconds; a restarted worker then runs it again
# (tracked jobs start afresh, consortium.jobs). Longer than any task may run
# (CELERY_TASK_TIME_LIMIT), or a slow task would be handed to a second worker meanwhile.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
                                   "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Every periodic task in one place; apps add their entries here, each with its cron in words.
CELERY_BEAT_SCHEDULE = {
    # Every night at 03:15: forget finished job runs older than 90 days.
    "consortium-prune-job-runs": {
        "task": "consortium.tasks.prune_job_runs",
        "schedule": crontab(hour=3, minute=15),
    },
    # Every 10 minutes: fail job runs left running without progress for JOB_RUN_STALL_AFTER,
    # or queued and never started for JOB_RUN_QUEUED_STALL_AFTER (their worker was stopped).
    "consortium-sweep-stalled-job-runs": {
        "task": "consortium.tasks.sweep_stalled_job_runs",
        "schedule": crontab(minute="*/10"),
    },
    # Every minute: send what waits in the mail outbox (rows queued while the broker was
    # down, retries whose time has come) and take back rows a dead worker left claimed.
    # Every minute: hand to Celery the job runs queued while the broker was down.
    "consortium-hand-over-job-runs": {
        "task": "consortium.tasks.hand_over_job_runs",
        "schedule": crontab(),
    },
    "consortium-outbox-sweep": {
        "task": "consortium.tasks.outbox_sweep",
        "schedule": crontab(),
    },
    # Every day at 08:00: remind libraries that have not answered an open procurement
    # (once a week before the deadline, once a day before, each moved back to the working day
    # before when it falls on a weekend or public holiday; each library once per kind).
    "procurement-opt-in-reminders": {
        "task": "procurement.tasks.send_opt_in_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every Monday at 07:30: tell covered libraries of agreements ending within six months.
    "procurement-agreement-expiry-notices": {
        "task": "procurement.tasks.send_agreement_expiry_notices",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
    },
    # Every day at 08:15: remind evaluators who have not written their experience report when
    # their evaluation group's trial ends within a week (each evaluator once per group).
    "eservices-report-reminders": {
        "task": "consortium.eservices.tasks.send_report_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
    # Every day at 07:00: from NEWSLETTER_ASSEMBLY_DAY on (or the working day before it when
    # that is a weekend or a public holiday), build this month's newsletter draft
    # (once a month: a second run finds the draft already there).
    # Every 10 minutes: a waiting-list offer whose time ran out lapses and the place is
    # offered to the next person waiting; reminders (the day before, and the webinar link
    # an hour before) and feedback requests (the day after) go out when their time comes.
    "trainings-offers-and-reminders": {
        "task": "consortium.trainings.tasks.trainings_tick",
        "schedule": crontab(minute="*/10"),
    },
    "newsletters-assemble-monthly": {
        "task": "newsletters.tasks.newsletters_assemble_monthly",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every minute: start sending approved newsletter issues whose send time has come.
    "newsletters-dispatch-due": {
        "task": "newsletters.tasks.newsletters_dispatch_due",
        "schedule": crontab(),
    },
    # Every minute: put back newsletter deliveries a crashed worker left in flight, restart
    # stalled sending, finish issues with nothing left to send.
    "newsletters-sweep": {
        "task": "newsletters.tasks.newsletters_sweep",
        "schedule": crontab(),
    },
    # At 08:00 on the first day of each month from September to December: remind the Louna
    # coordinator of shared web services still lacking this year's accessibility check.
    "louna-accessibility-check-reminder": {
        "task": "louna.tasks.remind_missing_accessibility_checks",
        "schedule": crontab(hour=8, minute=0, day_of_month=1, month_of_year="9-12"),
    },
    # Every day at 08:00: remind Louna directors who have not answered the programme review,
    # three days and one day before its deadline (each reminder is sent once).
    "louna-programme-review-reminders": {
        "task": "louna.programme_tasks.send_review_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every day at 06:30: from LOUNA_PROGRAMME_REPORT_DATE on, draft last year's
    # implementation reports (one per library however often it runs).
    "louna-programme-implementation-reports": {
        "task": "louna.programme_tasks.draft_implementation_reports",
        "schedule": crontab(hour=6, minute=30),
    },
    # Every year on 15 January at 06:00: compute the Louna municipalities' statistics totals
    # of the previous year and list the service points still lacking figures (skipped once
    # the year is reported).
    "stats-compute-previous-year": {
        "task": "stats.tasks.compute_previous_year",
        "schedule": crontab(hour=6, minute=0, day_of_month=15, month_of_year=1),
    },
    # Every month on the 16th at 05:00 (vendors have closed the previous month by the 15th):
    # harvest last month's COUNTER reports from every active SUSHI account, and once more
    # the months whose usage was not ready last time.
    "stats-sushi-harvest-monthly": {
        "task": "stats.sushi.tasks.harvest_monthly",
        "schedule": crontab(hour=5, minute=0, day_of_month=16),
    },
    # Every 15 minutes: SUSHI harvests whose back-off has passed (report queued, service
    # busy, timeouts), and those a dead worker left claimed once their lease ran out.
    "stats-sushi-harvest-due": {
        "task": "stats.sushi.tasks.harvest_due",
        "schedule": crontab(minute="*/15"),
    },
}
# Seconds a running job run may go without progress (never less than CELERY_TASK_TIME_LIMIT,
# as a job may report nothing until it ends), and a queued one without starting, before the
# sweeper marks it failed.
# The mail outbox (consortium/outbox.py): messages per batch, seconds a claim holds, the
# waits before each retry of a temporary failure, and the attempts before giving up.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_LEASE = env.int("OUTBOX_LEASE", default=300)
OUTBOX_RETRY_DELAYS = (60, 300, 1800, 7200, 21600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
JOB_RUN_STALL_AFTER = env.int("JOB_RUN_STALL_AFTER", default=2 * 60 * 60)
JOB_RUN_QUEUED_STALL_AFTER = env.int("JOB_RUN_QUEUED_STALL_AFTER", default=6 * 60 * 60)
# The day ("MM-DD") from which the yearly implementation reports of last year's Louna
# action programme are drafted.
LOUNA_PROGRAMME_REPORT_DATE = env("LOUNA_PROGRAMME_REPORT_DATE", default="01-15")

# ---------------------------------------------------------------- SUSHI harvesting
# The Fernet key (Fernet.generate_key()) that encrypts the vendors' SUSHI credentials at
# rest. Keep it outside the database and its backups; without it nothing can be harvested.
SUSHI_SECRET_KEY = env("SUSHI_SECRET_KEY", default="")
# Seconds to wait for a vendor's answer; seconds a worker's claim on a harvest holds (the
# sweeper takes back a dead worker's rows after it); the waits before each retry of a
# queued / busy / timed-out report, and the attempts before giving up.
SUSHI_TIMEOUT = env.float("SUSHI_TIMEOUT", default=120)
SUSHI_LEASE = env.int("SUSHI_LEASE", default=15 * 60)
SUSHI_RETRY_DELAYS = (15 * 60, 60 * 60, 4 * 60 * 60, 12 * 60 * 60, 24 * 60 * 60)
SUSHI_MAX_ATTEMPTS = env.int("SUSHI_MAX_ATTEMPTS", default=6)

# ---------------------------------------------------------------- newsletters
# Day of the month on which the monthly draft is assembled (1-28); on a weekend or a public
# holiday the draft is assembled on the working day before.
NEWSLETTER_ASSEMBLY_DAY = env.int("NEWSLETTER_ASSEMBLY_DAY", default=20)
# Seconds between two mails of the public subscription form to one address (0: no pause).
NEWSLETTER_SUBSCRIBE_MAIL_INTERVAL = env.int("NEWSLETTER_SUBSCRIBE_MAIL_INTERVAL", default=900)
# Messages per second while sending an issue (0 = no limit), and how many go over one connection.
NEWSLETTER_RATE_LIMIT = env.float("NEWSLETTER_RATE_LIMIT", default=20.0)
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=200)
# Seconds a claimed delivery stays claimed without a sign of life before the sweeper takes it back.
NEWSLETTER_INFLIGHT_LEASE = env.int("NEWSLETTER_INFLIGHT_LEASE", default=300)
NEWSLETTER_RETRY_DELAYS = [int(s) for s in env.list("NEWSLETTER_RETRY_DELAYS", default=["60", "300", "1800", "7200", "21600"])]
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=6)
NEWSLETTER_SEND_CONCURRENCY = env.int("NEWSLETTER_SEND_CONCURRENCY", default=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "filters": {"cache_unavailable": {"()": "consortium.logs.CacheUnavailable"},
                "refusals_without_traceback": {"()": "consortium.logs.RefusalsWithoutTraceback"}},
    "loggers": {"axes": {"level": "WARNING"},
                "consortium.cache": {"filters": ["cache_unavailable"]},
                "django.request": {"filters": ["refusals_without_traceback"]}},
}

# Statistics files with more data rows than this are checked and saved by a background job
# with a progress bar (stats/import_jobs.py), not in the request.
STATS_IMPORT_JOB_ROWS = env.int("STATS_IMPORT_JOB_ROWS", default=2000)
