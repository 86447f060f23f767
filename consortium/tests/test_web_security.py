"""Web security: the headers of a served page, the production settings, no inline script or
style in any page template, and script payloads in text fields shown again as text."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from consortium.models import Library, Role
from consortium.tests.factories import user_with_role

BASE_DIR = Path(django_settings.BASE_DIR)


# ---------------------------------------------------------------- headers


@pytest.mark.django_db
def test_a_served_page_carries_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_production_settings_pass_the_deploy_check():
    # Not the test process's own switches: a browser test in this worker sets
    # DJANGO_ALLOW_ASYNC_UNSAFE, which no production server has (the deploy check says so).
    env = {**{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PORTAL_TEST_NOW")},
           "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-check-only",
           "ALLOWED_HOSTS": "portal.example.fi", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal_check",
           "EMAIL_URL": "smtp://127.0.0.1:25", "REDIS_URL": "redis://127.0.0.1:6379/7"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
            "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS >= 31536000)")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1].split() == ["True"] * 5, result.stdout + result.stderr


# ---------------------------------------------------------------- no inline script or style

# Mail and PDF templates are not served as pages: a mail client and WeasyPrint need inline style.
NOT_PAGES = re.compile(r"/(mail|pdf)/")
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _page_templates():
    for root in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates"), *BASE_DIR.glob("*/*/templates")]:
        if ".venv" in root.parts:
            continue
        for path in root.rglob("*.html"):
            if not NOT_PAGES.search(str(path.relative_to(BASE_DIR))):
                yield path


def test_no_page_template_has_inline_script_or_style():
    """The Content Security Policy would block them: move them to static/ (see static/js/widths.js)."""
    found = []
    for path in _page_templates():
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- script payloads shown again

from consortium.tests.hostile import PAYLOADS, assert_shown_as_text  # noqa: E402


def _profile(client, payload, humppila):
    person = user_with_role(Role.DIRECTOR, library=humppila)
    client.force_login(person)
    response = client.post(reverse("profile"), {"full_name": payload, "title": payload, "phone": "", "language": "fi"})
    assert response.status_code == 302
    return [reverse("profile"), reverse("home")]


def _library_name(client, payload, humppila):
    client.force_login(user_with_role(Role.STAFF))
    response = client.post(reverse("library_edit", args=[humppila.pk]), {
        "name": payload, "municipality": humppila.municipality_id, "member_since": "", "is_active": "on",
        "email": "", "cooperation_areas": [area.pk for area in humppila.cooperation_areas.all()]})
    assert response.status_code == 302, response.content.decode()[:300]
    assert Library.objects.get(pk=humppila.pk).name == payload
    return [reverse("library_detail", args=[humppila.pk]), reverse("library_list")]


FORMS = {"profile": _profile, "library name": _library_name}


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("form", FORMS)
def test_script_payloads_in_text_fields_come_back_as_text(client, humppila, form, payload):
    assert_shown_as_text(client, FORMS[form](client, payload, humppila))
