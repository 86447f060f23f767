"""Ambiguous English words get their meaning from a context (the catalogues' completeness is
checked for every app by consortium/tests/test_i18n.py)."""

from django.utils import translation


def test_ambiguous_words_are_translated_by_their_context():
    with translation.override("fi"):
        assert translation.pgettext("date range", "To") == "Päättyen"
        assert translation.pgettext("item kind", "event") == "tapahtuma"
        assert translation.pgettext("button", "Approve") == "Hyväksy"
    with translation.override("sv"):
        assert translation.pgettext("audience", "everyone") == "alla"
