"""Pages by role: who may see, who may change; one library gets 404 for another's items;
the public list filters; pages keep a constant number of queries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from louna.events.models import Item
from louna.events.tests.factories import ItemFactory, at

pytestmark = pytest.mark.django_db

NOW = at(date(2026, 11, 2), 12)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def humppila_item(humppila, contact):
    return ItemFactory(title_fi="Humppilan satutunti", library=humppila, libraries=[humppila],
                       state=Item.State.PENDING, created_by=contact)


def _form(**changes):
    data = {"kind": "event", "title_fi": "Lukupiiri", "text_fi": "Keskustellaan kirjoista.",
            "starts_at": "10.11.2026 17.00", "ends_at": "10.11.2026 18.30", "place_fi": "Kirjasto",
            "audience": "adults", "language": "fi", "repeat": "", "exceptions": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize(("who", "manage", "create", "counts"), [
    ("anonymous", 302, 302, 302),
    ("nobody", 403, 403, 403),
    ("tampere_contact", 403, 403, 403),
    ("contact", 200, 200, 403),
    ("director", 200, 200, 403),
    ("coordinator", 200, 200, 200),
    ("staff_user", 200, 200, 200),
])
def test_who_may_use_the_writing_pages(client, request, who, manage, create, counts):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("louna_events:manage")).status_code == manage
    assert client.get(reverse("louna_events:create")).status_code == create
    assert client.get(reverse("louna_events:counts")).status_code == counts


def test_public_pages_need_no_login(client, humppila):
    item = ItemFactory(libraries=[humppila])
    assert client.get(reverse("louna_events:list")).status_code == 200
    assert client.get(reverse("louna_events:detail", args=[item.pk])).status_code == 200


def test_unpublished_item_is_not_public(client, humppila_item):
    assert client.get(reverse("louna_events:detail", args=[humppila_item.pk])).status_code == 404


@pytest.mark.parametrize("who", ["tammela_contact", "other_director"])
def test_another_library_gets_404_for_the_item(client, request, who, humppila_item):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("louna_events:edit", args=[humppila_item.pk])).status_code == 404
    assert client.post(reverse("louna_events:edit", args=[humppila_item.pk]), _form()).status_code == 404
    assert client.post(reverse("louna_events:delete", args=[humppila_item.pk])).status_code == 404
    assert "Humppilan satutunti" not in client.get(reverse("louna_events:manage")).content.decode()
    assert Item.objects.get(pk=humppila_item.pk).title_fi == "Humppilan satutunti"


def test_a_contact_writes_for_own_library_and_the_item_waits(client, contact, humppila, tammela):
    client.force_login(contact)
    page = client.get(reverse("louna_events:create")).content.decode()
    assert "Tammelan kunnankirjasto" not in page  # nothing to choose but its own library
    response = client.post(reverse("louna_events:create"), _form(writing_as=tammela.pk))
    assert response.status_code == 200 and "writing_as" in response.context["form"].errors
    response = client.post(reverse("louna_events:create"), _form(writing_as=humppila.pk))
    assert response.status_code == 302
    item = Item.objects.get()
    assert (item.library, item.state, item.created_by) == (humppila, Item.State.PENDING, contact)
    assert list(item.municipalities.all()) == [humppila.municipality]


def test_a_director_cannot_approve(client, director, humppila_item):
    client.force_login(director)
    assert client.post(reverse("louna_events:approve", args=[humppila_item.pk])).status_code == 403
    assert Item.objects.get(pk=humppila_item.pk).state == Item.State.PENDING


def test_the_coordinator_approves_and_the_item_is_public(client, coordinator, humppila_item):
    client.force_login(coordinator)
    assert "Humppilan satutunti" in client.get(reverse("louna_events:manage")).content.decode()
    assert client.post(reverse("louna_events:approve", args=[humppila_item.pk])).status_code == 302
    assert Item.objects.get(pk=humppila_item.pk).state == Item.State.PUBLISHED
    client.logout()
    assert client.get(reverse("louna_events:detail", args=[humppila_item.pk])).status_code == 200


def test_the_coordinator_writes_a_shared_item_published_at_once(client, coordinator, humppila):
    client.force_login(coordinator)
    response = client.post(reverse("louna_events:create"), _form(all_of_louna="on", title_sv="Läsecirkel"))
    assert response.status_code == 302
    item = Item.objects.get()
    assert (item.library, item.all_of_louna, item.state, item.title_sv) == (None, True, Item.State.PUBLISHED,
                                                                           "Läsecirkel")


def test_form_errors_name_the_field(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("louna_events:create"), _form(all_of_louna="on", ends_at="10.11.2026 16.00",
                                                                  exceptions="32.13.2026"))
    form = response.context["form"]
    assert "exceptions" in form.errors
    response = client.post(reverse("louna_events:create"), _form(ends_at="10.11.2026 16.00"))
    assert "ends_at" in response.context["form"].errors
    assert not Item.objects.exists()


def test_cancelled_dates_are_typed_the_finnish_way(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("louna_events:create"), _form(
        all_of_louna="on", starts_at="3.11.2026 17.00", ends_at="3.11.2026 18.00", repeat="weekly",
        repeat_until="24.11.2026", exceptions="10.11.2026, 17.11.2026"))
    assert response.status_code == 302
    assert Item.objects.get().exception_dates == ["2026-11-10", "2026-11-17"]
    page = client.get(reverse("louna_events:edit", args=[Item.objects.get().pk])).content.decode()
    assert "10.11.2026, 17.11.2026" in page


def test_list_filters_by_municipality_audience_and_text(client, humppila, tammela):
    ItemFactory(title_fi="Satutunti", libraries=[humppila], audience=Item.Audience.CHILDREN)
    ItemFactory(title_fi="Lukupiiri", libraries=[tammela], audience=Item.Audience.ADULTS)
    ItemFactory(title_fi="Kirjailijailta", all_of_louna=True, audience=Item.Audience.ALL)
    ItemFactory(title_fi="Ensi vuonna", libraries=[humppila], starts_at=at(date(2027, 6, 1)))

    def titles(**params):
        page = client.get(reverse("louna_events:list"), params).context["page"]
        return {o.item.title_fi for o in page}

    assert titles() == {"Satutunti", "Lukupiiri", "Kirjailijailta"}  # the next 60 days
    assert titles(municipality=humppila.municipality.pk) == {"Satutunti", "Kirjailijailta"}
    assert titles(audience="children") == {"Satutunti", "Kirjailijailta"}
    assert titles(q="luku") == {"Lukupiiri"}
    assert titles(start="1.6.2027", end="2.6.2027") == {"Ensi vuonna"}


def test_swedish_reader_gets_the_swedish_text_or_the_finnish_one_marked(client, humppila):
    ItemFactory(title_fi="Satutunti", title_sv="Sagostund", libraries=[humppila])
    ItemFactory(title_fi="Lukupiiri", libraries=[humppila])
    client.cookies["django_language"] = "sv"
    html = client.get(reverse("louna_events:list"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert ">Sagostund</a>" in html
    assert '<span lang="fi">Lukupiiri</span>' in html


def _many(humppila, tammela, count):
    for n in range(count):
        library = humppila if n % 2 else tammela
        ItemFactory(library=library, libraries=[library], starts_at=at(date(2026, 11, 3) + timedelta(days=n % 30)),
                    repeat=Item.Repeat.WEEKLY if n % 3 == 0 else "",
                    repeat_until=date(2026, 12, 20) if n % 3 == 0 else None,
                    state=Item.State.PENDING if n % 4 == 0 else Item.State.PUBLISHED)


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(("who", "name", "params", "limit"), [
    (None, "list", {}, 5),
    (None, "list", {"municipality": "MUNICIPALITY", "audience": "children"}, 6),
    ("coordinator", "manage", {}, 7),
    ("contact", "manage", {}, 8),
    ("coordinator", "counts", {"year": 2026}, 5),
])
def test_pages_keep_a_constant_number_of_queries(client, request, humppila, tammela, count, who, name, params,
                                                 limit, django_assert_max_num_queries):
    _many(humppila, tammela, count)
    if who:
        client.force_login(request.getfixturevalue(who))
    params = {k: humppila.municipality.pk if v == "MUNICIPALITY" else v for k, v in params.items()}
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(f"louna_events:{name}"), params).status_code == 200


@pytest.mark.parametrize("count", [3, 60])
def test_item_page_and_edit_form_keep_a_constant_number_of_queries(client, coordinator, humppila, tammela, count,
                                                                   django_assert_max_num_queries):
    _many(humppila, tammela, count)
    item = Item.objects.filter(state=Item.State.PUBLISHED).order_by("-repeat", "pk").first()
    with django_assert_max_num_queries(4):
        assert client.get(reverse("louna_events:detail", args=[item.pk])).status_code == 200
    client.force_login(coordinator)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("louna_events:edit", args=[item.pk])).status_code == 200


def test_list_survives_bad_filter_input_and_caps_the_range(client, humppila):
    ItemFactory(title_fi="Satutunti", libraries=[humppila])
    response = client.get(reverse("louna_events:list"), {"start": "huomenna", "municipality": "x", "page": "z"})
    assert response.status_code == 200
    assert "start" in response.context["filter"].form.errors
    assert {o.item.title_fi for o in response.context["page"]} == {"Satutunti"}
    response = client.get(reverse("louna_events:list"), {"start": "1.1.2026", "end": "31.12.2030"})
    assert (response.context["start"], response.context["end"]) == (date(2026, 1, 1), date(2027, 1, 2))


def test_the_coordinator_returns_an_item_and_the_library_sees_the_note(client, coordinator, contact, humppila_item):
    client.force_login(contact)
    assert client.post(reverse("louna_events:return", args=[humppila_item.pk]), {"check_note": "x"}).status_code == 403
    client.force_login(coordinator)
    response = client.post(reverse("louna_events:return", args=[humppila_item.pk]), {"check_note": ""})
    assert response.status_code == 302 and Item.objects.get(pk=humppila_item.pk).state == Item.State.PENDING
    client.post(reverse("louna_events:return", args=[humppila_item.pk]), {"check_note": "Kuvalle puuttuu kuvaus."})
    assert Item.objects.get(pk=humppila_item.pk).state == Item.State.RETURNED
    client.force_login(contact)
    assert "Kuvalle puuttuu kuvaus." in client.get(reverse("louna_events:edit", args=[humppila_item.pk])).content.decode()
