"""One English word, one Finnish word — or a context of its own.

Django merges every app's catalogue into one: when two apps translate the same msgid (in
the same context) differently, only one of them wins, and the other app shows a word from
the wrong context ("Juttu", a newsletter story, as the programme's table header). So an
msgid that needs different Finnish words in different apps carries a context
(`pgettext` / `{% translate … context … %}`), and without one the catalogues agree."""

from collections import defaultdict

import polib
from django.utils import translation

from consortium.management.commands.compile_catalogues import catalogue_paths


def finnish_translations() -> dict:
    found: dict = defaultdict(dict)
    for path in catalogue_paths():
        if "/fi/" not in str(path):
            continue
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                found[(entry.msgctxt, entry.msgid)][str(path.parent.parent.parent.parent.name)] = entry.msgstr
    return found


def test_no_msgid_has_two_finnish_words_without_a_context():
    clashes = {key: apps for key, apps in finnish_translations().items() if len(set(apps.values())) > 1}
    assert not clashes, "\n".join(f"{key}: {apps}" for key, apps in sorted(clashes.items(), key=str))


def test_the_programme_and_the_newsletter_each_get_their_own_word():
    """The two cases that reached people: the programme's "Item" read "Juttu" and its
    changed items carried procurement's audit word "muutti"."""
    with translation.override("fi"):
        assert translation.pgettext("action programme", "Item") == "Kohta"
        assert translation.gettext("Item") == "Juttu"
        assert translation.pgettext("programme item", "changed") == "muuttunut"
