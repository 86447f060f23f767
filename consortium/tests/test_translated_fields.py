"""Member-facing texts with an optional Swedish version: a Swedish reader gets the Swedish
text when it was written, else the Finnish one marked lang="fi"."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template('{% load portal %}<p>{% translated item "title" %}</p><div lang="{% text_language item "title" %}">')


def render(item, language):
    with translation.override(language):
        return TEMPLATE.render(Context({"item": item}))


def test_a_swedish_reader_gets_the_swedish_text_when_it_exists():
    item = SimpleNamespace(title_fi="Kirjaston e-aineistot", title_sv="Bibliotekets e-material")
    assert render(item, "sv") == '<p>Bibliotekets e-material</p><div lang="sv">'
    assert render(item, "fi") == '<p>Kirjaston e-aineistot</p><div lang="fi">'


def test_without_a_swedish_text_the_finnish_one_is_marked_as_finnish():
    item = SimpleNamespace(title_fi="Kirjaston <e-aineistot>", title_sv="")
    assert render(item, "sv") == '<p><span lang="fi">Kirjaston &lt;e-aineistot&gt;</span></p><div lang="fi">'
    assert render(item, "en") == '<p><span lang="fi">Kirjaston &lt;e-aineistot&gt;</span></p><div lang="fi">'
