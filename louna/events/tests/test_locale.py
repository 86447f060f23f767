"""The app's own catalogues: complete in Finnish, compiled as written. (The project's
compile_catalogues and its i18n test list top-level apps only; this app checks its own.)"""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalogue_is_complete_and_compiled(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    assert not catalogue.untranslated_entries(), [e.msgid for e in catalogue.untranslated_entries()][:10]
    assert not catalogue.fuzzy_entries(), [e.msgid for e in catalogue.fuzzy_entries()][:10]
    source = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0, "")) for e in catalogue if e.translated()}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0, ""))
                for e in polib.mofile(str(po_path.with_suffix(".mo"))) if e.msgid}
    assert source == compiled, "run the compile step for louna/events/locale"


def test_ambiguous_words_are_translated_by_their_context():
    with translation.override("fi"):
        assert translation.pgettext("date range", "To") == "Päättyen"
        assert translation.pgettext("item kind", "event") == "tapahtuma"
    with translation.override("sv"):
        assert translation.pgettext("audience", "everyone") == "alla"
