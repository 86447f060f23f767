"""Deployment checks: production settings pass `check --deploy` with no warning."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

# Variables the test process may carry (the browser harness lifts Django's async guard for
# itself) that a production server never has.
NOT_IN_PRODUCTION = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL",
                     "EMAIL_URL", "REDIS_URL"}


def production_env(**extra) -> dict:
    return {**{k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION},
            "DJANGO_SETTINGS_MODULE": "config.settings.production", **extra}


# What a production server is given: with all of it, the settings load.
PRODUCTION_VARIABLES = {
    "SECRET_KEY": "x" * 30 + "production-like-secret-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "portaali.example",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "EMAIL_URL": "smtp+tls://portaali@127.0.0.1:587",
    "REDIS_URL": "redis://127.0.0.1:6379/4",
}


def test_check_deploy_is_clean_under_production_settings():
    env = production_env(**{**PRODUCTION_VARIABLES, "DATABASE_URL": "sqlite:///:memory:"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret():
    env = production_env(**{**PRODUCTION_VARIABLES, "DATABASE_URL": "sqlite:///:memory:"})
    del env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def import_production_settings(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import config.settings.production"], cwd=settings.BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("variable", ["DATABASE_URL", "EMAIL_URL", "REDIS_URL"])
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_settings_refuse_to_load_without_a_service(variable, how):
    """Without it base.py would quietly use SQLite, console mail or in-process tasks."""
    env = production_env(**PRODUCTION_VARIABLES)
    if how == "unset":
        del env[variable]
    else:
        env[variable] = " "
    result = import_production_settings(env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    assert variable in last_line
    others = {"DATABASE_URL", "EMAIL_URL", "REDIS_URL"} - {variable}
    assert not any(f"{other}:" in last_line for other in others)  # only what is missing is named


def test_production_settings_name_every_missing_variable_at_once():
    env = production_env(**PRODUCTION_VARIABLES)
    for variable in ("DATABASE_URL", "EMAIL_URL", "REDIS_URL"):
        del env[variable]
    result = import_production_settings(env)
    last_line = result.stderr.strip().splitlines()[-1]
    assert "DATABASE_URL:" in last_line and "EMAIL_URL:" in last_line and "REDIS_URL:" in last_line
    assert "SECRET_KEY" not in last_line


def test_production_settings_load_with_every_variable():
    result = import_production_settings(production_env(**PRODUCTION_VARIABLES))
    assert result.returncode == 0, result.stderr


def test_the_benchmark_page_exists_only_when_asked_for(client):
    """config/urls.py adds /__bench__/bare/ only under BENCH_BARE_PAGE=1 (bench/pages.py)."""
    assert client.get("/__bench__/bare/").status_code == 404
    env = {**os.environ, "BENCH_BARE_PAGE": "1"}
    script = ("import django; django.setup(); from django.urls import resolve; "
              "print(resolve('/__bench__/bare/').func.__name__)")
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip() == "bench_bare_page", result.stderr


def test_a_server_error_page_is_the_portals_own_in_three_languages(rf):
    """Django's fallback is a bare English "Server Error (500)"; ours is Finnish first."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fi">' in page and "<h1>Palvelussa tapahtui virhe</h1>" in page
    assert 'lang="sv"' in page and 'lang="en"' in page


def test_development_settings_use_their_dev_secret_only_while_debug():
    """The dev-only secret is for DEBUG runs; with DEBUG off the local settings want a real one."""
    env = production_env(DJANGO_SETTINGS_MODULE="config.settings.local", DEBUG="false",
                         DATABASE_URL="sqlite:///:memory:")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    env["DEBUG"] = "true"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
