"""What the opt-in page hands the browser: one CSRF token per form, and the answer history
in Finnish formats (12 500,50 €, 1.12.2026), not raw database values."""

import re
import pytest
from django.urls import reverse
from django.utils import translation

from procurement.tests.conftest import COMMITMENT
from procurement.tests.factories import OptInFactory

pytestmark = pytest.mark.django_db


def forms_of(html: str) -> list[str]:
    return re.findall(r"<form\b.*?</form>", html, flags=re.S)


def test_each_form_of_the_opt_in_page_carries_one_csrf_token(client, open_procurement, humppila, contact):
    OptInFactory(procurement=open_procurement, library=humppila, answered_by=contact)
    client.force_login(contact)
    html = client.get(reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])).content.decode()
    forms = [form for form in forms_of(html) if 'method="post"' in form]
    assert len(forms) >= 2  # the answer and its withdrawal
    for form in forms:
        assert form.count('name="csrfmiddlewaretoken"') == 1, form[:300]


def test_the_answer_history_shows_euros_and_dates_in_finnish(client, open_procurement, humppila, contact):
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    assert client.post(url, {**COMMITMENT, "version": 0, "action": "save"}).status_code == 302
    changed = {**COMMITMENT, "yearly_estimate": "13 000", "decision_date": "2026-12-01", "version": 1, "action": "save"}
    assert client.post(url, changed).status_code == 302
    with translation.override("fi"):
        html = client.get(url).content.decode()
    assert "12\xa0500,50\xa0€ → 13\xa0000,00\xa0€" in html
    assert "2.11.2026 → 1.12.2026" in html
    assert "12500.50" not in html and "2026-12-01" not in html
