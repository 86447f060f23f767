"""Ambiguous English words get their meaning from a context; the mails speak the person's
language (the catalogues' completeness is checked by consortium/tests/test_i18n.py)."""

import pytest
from django.utils import translation

from consortium.tests.factories import UserFactory
from consortium.trainings import services

from .factories import NOW, TrainingFactory


def test_states_are_translated_by_their_context():
    with translation.override("fi"):
        assert translation.pgettext("training state", "cancelled") == "peruttu"
        assert translation.pgettext("registration state", "registered") == "ilmoittautunut"
    with translation.override("sv"):
        assert translation.pgettext("training state", "cancelled") == "inställd"
        assert translation.pgettext("registration state", "cancelled") == "avbokad"


@pytest.mark.django_db
def test_the_confirmation_is_in_the_persons_language_with_finnish_times(humppila, outbox):
    person = UserFactory(language="sv")
    training = TrainingFactory(title_fi="E-kirjasto tutuksi", title_sv="E-biblioteket bekant")
    services.registration_create(training=training, library=humppila, full_name=person.full_name, email=person.email,
                                 by=person, user=person, now=NOW)
    [mail] = outbox("trainings.confirmation")
    assert mail.language == "sv"
    assert "E-biblioteket bekant" in mail.subject and "Anmälan bekräftad" in mail.subject
    assert "19.11.2026 09.00–15.00" in mail.body_text
