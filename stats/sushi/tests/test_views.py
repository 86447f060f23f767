"""The SUSHI pages: who may use them, the account form never shows a saved credential, a
harvest asked for from the page fills the grid, retry buttons, and a constant number of
queries on the grid however many accounts and harvests there are."""

import logging
from datetime import date

import pytest
from django.urls import reverse

from stats.sushi import services
from stats.sushi.models import Harvest, SushiAccount

from .factories import make_account
from .stub import CREDENTIALS

pytestmark = pytest.mark.django_db
State = Harvest.State


@pytest.fixture
def account(stub, humppila):
    return make_account(stub, library=humppila, reports=("TR", "PR"))


def urls(account, harvest=None):
    found = [("get", reverse("stats_sushi:grid")), ("get", reverse("stats_sushi:account_new")),
             ("get", reverse("stats_sushi:account_detail", args=[account.pk])),
             ("get", reverse("stats_sushi:account_edit", args=[account.pk])),
             ("post", reverse("stats_sushi:account_test", args=[account.pk])),
             ("post", reverse("stats_sushi:account_harvest", args=[account.pk]))]
    if harvest:
        found.append(("post", reverse("stats_sushi:harvest_retry", args=[harvest.pk])))
    return found


@pytest.mark.parametrize("who", ["director", "other_director", "contact", "tampere_contact", "nobody"])
def test_nobody_but_the_coordinator_and_staff_reaches_a_page(client, request, account, who):
    harvest = Harvest.objects.create(account=account, report_id="TR", month=date(2026, 10, 1), state=State.FAILED)
    client.force_login(request.getfixturevalue(who))
    for method, url in urls(account, harvest):
        assert getattr(client, method)(url).status_code == 403, url
    harvest.refresh_from_db()
    assert harvest.state == State.FAILED and not SushiAccount.objects.exclude(pk=account.pk).exists()


def test_anonymous_is_sent_to_log_in(client, account):
    for method, url in urls(account):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"], url


@pytest.mark.parametrize("who", ["coordinator", "staff_user"])
def test_coordinator_and_staff_use_every_page(client, request, account, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in urls(account):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_an_id_that_does_not_exist_is_not_found(client, coordinator, account):
    client.force_login(coordinator)
    assert client.get(reverse("stats_sushi:account_detail", args=[account.pk + 99])).status_code == 404
    assert client.post(reverse("stats_sushi:harvest_retry", args=[12345])).status_code == 404
    assert client.post(reverse("stats_sushi:account_test", args=[account.pk + 99])).status_code == 404


def test_adding_an_account_stores_credentials_never_shown_again(client, coordinator, stub, humppila, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(coordinator)
    response = client.post(reverse("stats_sushi:account_new"), {
        "service_name": "Ellibs", "library": humppila.pk, "url": stub.url, "release": "5", "reports": ["TR", "PR"],
        "active": "on", **CREDENTIALS})
    account = SushiAccount.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("stats_sushi:account_detail",
                                                                           args=[account.pk])
    assert account.secret("customer_id") == CREDENTIALS["customer_id"]
    pages = [client.get(reverse("stats_sushi:account_edit", args=[account.pk])),
             client.get(reverse("stats_sushi:account_detail", args=[account.pk])),
             client.post(reverse("stats_sushi:account_test", args=[account.pk])),
             client.get(reverse("stats_sushi:grid"))]
    assert "Tallennettu; kirjoita uusi arvo, jos haluat vaihtaa sen." in pages[0].content.decode()
    assert "Yhteys toimii" in pages[2].content.decode()
    assert "Title Master Report" in pages[2].content.decode()
    texts = [page.content.decode() for page in pages] + [record.getMessage() for record in caplog.records]
    for secret in CREDENTIALS.values():
        assert not any(secret in text for text in texts), secret
    # Saving the form without typing the credentials keeps them.
    client.post(reverse("stats_sushi:account_edit", args=[account.pk]), {
        "service_name": "Ellibs 2", "library": humppila.pk, "url": stub.url, "release": "5", "reports": ["TR"]})
    account.refresh_from_db()
    assert (account.service_name, account.reports, account.active) == ("Ellibs 2", ["TR"], False)
    assert account.secret("api_key") == CREDENTIALS["api_key"]


def test_a_new_account_without_customer_id_or_reports_is_refused_naming_the_field(client, coordinator, stub):
    client.force_login(coordinator)
    response = client.post(reverse("stats_sushi:account_new"), {"service_name": "Ellibs", "url": "not a url",
                                                                "release": "5"})
    assert response.status_code == 200 and not SushiAccount.objects.exists()
    errors = response.context["form"].errors
    assert {"customer_id", "reports", "url"} <= set(errors)


def test_harvest_a_period_from_the_page_fills_the_grid(client, coordinator, account, stub,
                                                       django_capture_on_commit_callbacks):
    stub.answers[("PR", "2026-10")] = 3030
    stub.answers[("TR", "2026-10")] = 1011
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stats_sushi:account_harvest", args=[account.pk]),
                               {"begin": "2026-09", "end": "2026-10"})
    assert response.status_code == 302
    grid = client.get(reverse("stats_sushi:grid"), {"until": "2026-11"})
    html = grid.content.decode()
    cells = {cell["month"]: cell for cell in grid.context["rows"][0]["cells"]}
    assert cells[date(2026, 9, 1)]["state"] == State.DONE
    assert cells[date(2026, 10, 1)]["state"] == State.RETRY  # the worse of retry and empty
    assert "1011 Report Queued for Processing" in cells[date(2026, 10, 1)]["title"]
    assert "3030 No Usage Available for Requested Dates" in html  # in the problems table as well
    retry = Harvest.objects.get(report_id="TR", month=date(2026, 10, 1))
    stub.answers.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stats_sushi:harvest_retry", args=[retry.pk]))
    retry.refresh_from_db()
    assert retry.state == State.DONE and retry.stats_import.source == "harvest"


def test_a_period_not_ended_is_refused_on_the_page(client, coordinator, account):
    client.force_login(coordinator)
    response = client.post(reverse("stats_sushi:account_harvest", args=[account.pk]),
                           {"begin": "2026-01", "end": "2099-01"})
    assert response.status_code == 200 and "Viimeisen kuukauden on oltava jo päättynyt." in response.content.decode()
    response = client.post(reverse("stats_sushi:account_harvest", args=[account.pk]), {"begin": "syyskuu", "end": ""})
    assert response.status_code == 200 and set(response.context["period_form"].errors) == {"begin", "end"}
    assert not Harvest.objects.exists()


def test_harvested_imports_are_marked_in_the_year_import_history(client, coordinator, account,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.harvest_request(account=account, begin=date(2026, 9, 1), end=date(2026, 9, 1), by=coordinator,
                                 today=date(2026, 12, 4))
    client.force_login(coordinator)
    html = client.get(reverse("stats:year_detail", args=[2026])).content.decode()
    assert html.count("haettu SUSHI-rajapinnasta") == 2 and "SUSHI Ellibs TR 2026-09.json" in html


@pytest.mark.parametrize("size", [2, 12])
def test_the_grid_keeps_a_constant_number_of_queries(client, coordinator, stub, size, django_assert_max_num_queries):
    from consortium.tests.factories import LounaLibraryFactory

    for number in range(size):
        account = make_account(stub, library=LounaLibraryFactory(), service_name=f"Palvelu {number}",
                               reports=("TR", "PR", "DR"))
        for month in range(1, 12):
            for report in account.reports:
                Harvest.objects.create(account=account, report_id=report, month=date(2026, month, 1),
                                       state=State.FAILED if month % 3 else State.DONE,
                                       exceptions=[{"Code": 1011, "Message": "Queued", "Severity": "", "Data": ""}])
    client.force_login(coordinator)
    with django_assert_max_num_queries(6):  # 4 measured at 2, 12 and 40 accounts
        response = client.get(reverse("stats_sushi:grid"))
    assert len(response.context["rows"]) == size


def test_the_admin_shows_no_credential_not_even_encrypted(admin_client, account):
    pages = [admin_client.get(reverse("admin:stats_sushi_sushiaccount_changelist")),
             admin_client.get(reverse("admin:stats_sushi_sushiaccount_change", args=[account.pk]))]
    assert all(page.status_code == 200 for page in pages)
    html = "".join(page.content.decode() for page in pages)
    assert "Ellibs" in html
    for value in [*CREDENTIALS.values(), account.api_key_encrypted[:20], account.customer_id_encrypted[:20]]:
        assert value not in html


def test_the_demo_seeder_is_idempotent_and_fills_the_grid(client, coordinator):
    from consortium.demo_data import seed_core
    from stats.sushi.demo_data import seed_sushi

    seed_core()
    seed_sushi()
    seed_sushi()
    assert SushiAccount.objects.count() == 2
    client.force_login(coordinator)
    response = client.get(reverse("stats_sushi:grid"))
    states = {cell["state"] for row in response.context["rows"] for cell in row["cells"]}
    assert {State.DONE, State.RETRY, State.EMPTY, State.FAILED, None} <= states
    assert "1011 Report Queued for Processing" in response.content.decode()
