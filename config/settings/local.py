"""Settings for `make run` and development: DEBUG on, a dev-only secret allowed."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY: the development default is only for DEBUG runs.")

# A development-only key for the SUSHI credentials (DEBUG runs only, like SECRET_KEY above).
SUSHI_SECRET_KEY = env("SUSHI_SECRET_KEY", default="ZGV2LW9ubHktc3VzaGkta2V5LW5ldmVyLXByb2R1Y3Q=" if DEBUG else "")
