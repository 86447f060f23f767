"""Every URL of the app against every kind of person: (who, url, status). Pages are no
secret (403 for a missing role), other libraries' answers are not found (404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement import services
from procurement.tests.factories import AgreementFactory, AppealFactory, OpenProcurementFactory, OptInFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
STAFF_ONLY = {"anonymous": 302, "nobody": 403, "contact": 403, "other_director": 403, "coordinator": 403,
              "staff_user": 200}
ANY_ROLE = {"anonymous": 302, "nobody": 403, "contact": 200, "other_director": 200, "coordinator": 200,
            "staff_user": 200}
PUBLIC = {who: 200 for who in ANY_ROLE}
HUMPPILA_ONLY = {"anonymous": 302, "nobody": 403, "contact": 200, "other_director": 404, "coordinator": 404,
                 "staff_user": 404}

URLS = [
    ("/procurement/", ANY_ROLE),
    ("/procurement/our/", ANY_ROLE),
    ("/procurement/overview/", STAFF_ONLY),
    ("/procurement/new/", STAFF_ONLY),
    ("/procurement/{p}/", ANY_ROLE),
    ("/procurement/{p}/edit/", STAFF_ONLY),
    ("/procurement/{p}/opt-in/{humppila}/", HUMPPILA_ONLY),
    ("/procurement/{p}/audit/", STAFF_ONLY),
    ("/procurement/{p}/participants.xlsx", STAFF_ONLY),
    ("/procurement/{p}/participants.csv", STAFF_ONLY),
    ("/procurement/{p}/ocds.json", PUBLIC),
    ("/procurement/{p}/agreements/new/", STAFF_ONLY),
    ("/procurement/{p}/agreements/{a}/edit/", STAFF_ONLY),
    ("/procurement/agreements/{a}/", ANY_ROLE),
    ("/procurement/documents/{d}/", ANY_ROLE),
]


@pytest.fixture
def world(humppila, tammela, staff_user, other_director):
    procurement = OpenProcurementFactory()
    OptInFactory(procurement=procurement, library=tammela, answered_by=other_director)
    agreement = AgreementFactory(procurement=procurement)
    document = services.document_upload(procurement=procurement, uploaded_file=SimpleUploadedFile("a.pdf", PDF),
                                        kind="tender", title="Tarjouspyyntö", by=staff_user)
    appeal = AppealFactory(procurement=procurement)
    return {"p": procurement.pk, "a": agreement.pk, "d": document.pk, "humppila": humppila.pk,
            "tammela": tammela.pk, "appeal": appeal.pk}


def login_as(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


@pytest.mark.parametrize("url, expected", URLS, ids=[url for url, _ in URLS])
@pytest.mark.parametrize("who", list(ANY_ROLE))
def test_get_matrix(client, request, world, url, expected, who):
    login_as(client, request, who)
    response = client.get(url.format(**world))
    assert response.status_code == expected[who]
    if expected[who] == 302:
        assert "/login/" in response["Location"]


def test_other_librarys_answer_page_is_404_for_every_member(client, request, world, contact):
    client.force_login(contact)
    assert client.get(f"/procurement/{world['p']}/opt-in/{world['tammela']}/").status_code == 404


POSTS = ["/procurement/{p}/move/", "/procurement/{p}/documents/", "/procurement/{p}/award/",
         "/procurement/{p}/appeals/", "/procurement/appeals/{appeal}/decide/", "/procurement/agreements/{a}/sign/",
         "/procurement/agreements/{a}/notes/"]


@pytest.mark.parametrize("url", POSTS)
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("nobody", 403), ("contact", 403),
                                         ("coordinator", 403), ("staff_user", 302)])
def test_staff_actions_matrix(client, request, world, url, who, status):
    login_as(client, request, who)
    response = client.post(url.format(**world), {})
    assert response.status_code == status
    if who == "staff_user":
        assert "/login/" not in response["Location"]  # back to the page, with a message


@pytest.mark.parametrize("url", POSTS + ["/procurement/agreements/{a}/join/{humppila}/"])
def test_post_only_urls_refuse_get(client, staff_user, world, url):
    client.force_login(staff_user)
    assert client.get(url.format(**world)).status_code == 405
