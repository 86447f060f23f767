"""Harvesting against the SUSHI stub on 127.0.0.1: each answer a vendor gives leads to the
right state, an import only for a report, never twice, and the credentials appear in no
log line and no stored text."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consortium.models import OutboxMessage
from stats.models import CounterUsage, StatsImport
from stats.sushi import services
from stats.sushi.models import Harvest, SushiAccount

from .factories import make_account
from .stub import CREDENTIALS, month_count

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 4)
State = Harvest.State


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    """The task queued after commit runs (eagerly) as it would after a real commit."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def ask(account, begin, end, *, by=None):
    with _capture(execute=True):
        return services.harvest_request(account=account, begin=begin, end=end, by=by, today=TODAY)


def states(account) -> dict:
    return {(h.report_id, f"{h.month:%Y-%m}"): h.state for h in account.harvests.all()}


def usage_total(report_id: str, month: date) -> int:
    return sum(CounterUsage.objects.filter(report_id=report_id, month=month, metric_type="Total_Item_Requests",
                                           source_import__reverted_at__isnull=True).values_list("count", flat=True))


@pytest.mark.parametrize("release", ["5", "5.1"])
def test_a_good_period_is_imported_once_per_report_and_month(release, request, coordinator):
    stub = request.getfixturevalue("stub" if release == "5" else "stub51")
    account = make_account(stub, reports=("TR", "PR"))
    assert ask(account, date(2026, 9, 1), date(2026, 11, 1), by=coordinator) == 6  # eager: harvested on commit
    assert set(states(account).values()) == {State.DONE}
    for report in ("TR", "PR"):
        for month in (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)):
            assert usage_total(report, month) == month_count(report, f"{month:%Y-%m}")
    imports = StatsImport.objects.filter(source=StatsImport.Source.HARVEST)
    assert imports.count() == 6 and {i.imported_by for i in imports} == {coordinator}
    # The standard parameters went out with each report request.
    _name, params = next(r for r in stub.requests if r[0] == "tr")
    assert params["begin_date"] == "2026-09-01" and params["end_date"] == "2026-09-30"
    assert params["attributes_to_show"] == "Data_Type|Access_Type|Access_Method|YOP"
    assert {params[k] for k in ("customer_id", "requestor_id", "api_key")} == set(CREDENTIALS.values())


def test_the_same_month_again_replaces_or_keeps_its_import(stub, coordinator):
    account = make_account(stub, reports=("TR",))
    ask(account, date(2026, 10, 1), date(2026, 10, 1))
    first = Harvest.objects.get().stats_import
    ask(account, date(2026, 10, 1), date(2026, 10, 1))  # the vendor answers the same: nothing new
    assert Harvest.objects.get().stats_import == first
    assert StatsImport.objects.filter(kind="counter").count() == 1
    stub.seed = 100  # the vendor corrected its figures
    ask(account, date(2026, 10, 1), date(2026, 10, 1))
    second = Harvest.objects.get().stats_import
    first.refresh_from_db()
    assert second != first and first.reverted_at is not None and second.replaced == 2
    assert usage_total("TR", date(2026, 10, 1)) == month_count("TR", "2026-10", 100)
    assert CounterUsage.objects.filter(source_import=first).count() == 0


@pytest.mark.parametrize("code", [1011, 1000, 1010])
def test_queued_or_busy_is_retried_later_with_back_off(stub, code, settings):
    settings.SUSHI_RETRY_DELAYS = (60, 600)
    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-11")] = code
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    row = Harvest.objects.get()
    assert (row.state, row.attempts, row.exceptions[0]["Code"]) == (State.RETRY, 1, code)
    assert row.stats_import is None
    first_wait = row.next_attempt_at - row.finished_at
    assert first_wait == timedelta(seconds=60)
    assert services.harvest_due() == {}  # not yet due
    services.harvest_due(now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.RETRY, 2)
    assert row.next_attempt_at - row.finished_at == timedelta(seconds=600)  # backed off further
    stub.answers.pop(("TR", "2026-11"))  # the report is ready now
    services.harvest_due(now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert (row.state, row.attempts, row.exceptions) == (State.DONE, 3, [])
    assert usage_total("TR", date(2026, 11, 1)) == month_count("TR", "2026-11")


def test_retries_end_after_the_last_attempt(stub, settings):
    settings.SUSHI_RETRY_DELAYS, settings.SUSHI_MAX_ATTEMPTS = (1,), 2
    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-11")] = 1011
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    services.harvest_due(now=timezone.now() + timedelta(seconds=5))
    row = Harvest.objects.get()
    assert (row.state, row.attempts) == (State.FAILED, 2) and "Gave up after 2 attempts" in row.error


def test_no_usage_is_a_valid_empty_month(stub):
    account = make_account(stub, reports=("TR", "PR"))
    stub.answers[("TR", "2026-11")] = 3030
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    assert states(account) == {("TR", "2026-11"): State.EMPTY, ("PR", "2026-11"): State.DONE}
    row = Harvest.objects.get(report_id="TR")
    assert row.exceptions[0]["Code"] == 3030 and row.stats_import is None and row.error == ""


def test_usage_not_ready_is_tried_again_at_the_next_monthly_run(stub):
    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-11")] = 3031
    assert services.harvests_plan_month(today=date(2026, 12, 16)) == 1
    services.harvest_due()
    assert states(account) == {("TR", "2026-11"): State.NOT_READY}
    assert services.harvest_due(now=timezone.now() + timedelta(days=3)) == {}  # not retried in between
    stub.answers.clear()
    assert services.harvests_plan_month(today=date(2027, 1, 16)) == 2  # December, and November again
    services.harvest_due()
    assert states(account) == {("TR", "2026-11"): State.DONE, ("TR", "2026-12"): State.DONE}
    # The plan is idempotent: a second run the same day adds nothing.
    assert services.harvests_plan_month(today=date(2027, 1, 16)) == 0


@pytest.mark.parametrize("code", [2010, 2020])
def test_refused_credentials_stop_the_account_and_tell_the_coordinator_once(stub, code, coordinator, staff_user):
    account = make_account(stub, reports=("TR", "PR"))
    stub.answers[("TR", "2026-10")] = code
    ask(account, date(2026, 10, 1), date(2026, 11, 1))
    account.refresh_from_db()
    assert account.is_stopped and str(code) in account.stopped_reason
    assert states(account)[("TR", "2026-10")] == State.CREDENTIALS
    # The account's other months wait; nothing more is asked from the vendor.
    asked = len(stub.requests)
    services.harvest_due(now=timezone.now() + timedelta(days=1))
    assert len(stub.requests) == asked
    with pytest.raises(ValidationError):
        ask(account, date(2026, 10, 1), date(2026, 10, 1))
    mails = OutboxMessage.objects.filter(kind="stats_sushi.credentials")
    assert list(mails.values_list("to", flat=True)) == [coordinator.email]
    assert "Ellibs" in mails.get().subject
    # New credentials resume it; the waiting months are harvested.
    stub.answers.clear()
    with _capture(execute=True):
        services.account_save(account=account, data={}, secrets={"api_key": CREDENTIALS["api_key"]}, by=coordinator)
    account.refresh_from_db()
    assert not account.is_stopped and account.credentials_version == 2
    assert set(states(account).values()) == {State.DONE}
    assert OutboxMessage.objects.filter(kind="stats_sushi.credentials").count() == 1


def test_a_malformed_answer_fails_the_month_and_imports_nothing(stub):
    account = make_account(stub, reports=("TR", "PR"))
    stub.answers[("TR", "2026-11")] = "malformed"
    stub.answers[("PR", "2026-11")] = "bad_counts"
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    tr, pr = Harvest.objects.get(report_id="TR"), Harvest.objects.get(report_id="PR")
    assert tr.state == State.FAILED and "not JSON" in tr.error
    assert pr.state == State.FAILED and "negative count" in pr.error  # stats' own checks refused it
    assert not StatsImport.objects.exists() and not CounterUsage.objects.exists()


def test_a_server_error_is_retried(stub):
    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-11")] = "http500"
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    row = Harvest.objects.get()
    assert row.state == State.RETRY and row.error == "HTTP 500"


def test_a_slow_endpoint_times_out_and_is_retried(stub, settings):
    settings.SUSHI_TIMEOUT = 0.3
    stub.slow_seconds = 2
    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-11")] = "slow"
    started = timezone.now()
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    assert timezone.now() - started < timedelta(seconds=1.5)
    row = Harvest.objects.get()
    assert row.state == State.RETRY and "no answer within 0.3 s" in row.error and row.stats_import is None


def test_a_row_left_running_by_a_dead_worker_is_taken_again_after_its_lease(stub, settings):
    settings.SUSHI_LEASE = 60
    account = make_account(stub, reports=("TR",))
    row = Harvest.objects.create(account=account, report_id="TR", month=date(2026, 11, 1))
    claimed = services.harvest_claim()  # a worker took it, then died before answering
    assert claimed == [(row.pk, claimed[0][1])]
    assert services.harvest_claim() == []  # nobody else takes it while the lease holds
    later = timezone.now() + timedelta(seconds=61)
    assert services.harvest_due(now=later) == {State.DONE: 1}
    # The dead worker's claim is void: finishing it late changes nothing.
    assert services.harvest_one(harvest_id=row.pk, claim=claimed[0][1]) is None
    assert StatsImport.objects.count() == 1


def test_a_month_not_ended_cannot_be_asked_for(stub):
    account = make_account(stub, reports=("TR",))
    with pytest.raises(ValidationError) as error:
        ask(account, date(2026, 11, 1), date(2026, 12, 1))
    assert "ended" in str(error.value)
    with pytest.raises(ValidationError):
        ask(account, date(2026, 11, 1), date(2026, 10, 1))
    assert not Harvest.objects.exists()


def test_credentials_are_stored_encrypted_and_never_logged(stub, caplog, settings):
    settings.SUSHI_TIMEOUT = 0.3
    stub.slow_seconds = 1
    caplog.set_level(logging.DEBUG)
    account = make_account(stub, reports=("TR", "PR", "DR"))
    stub.answers.update({("TR", "2026-10"): "slow", ("PR", "2026-10"): 1011, ("DR", "2026-10"): "malformed"})
    ask(account, date(2026, 10, 1), date(2026, 11, 1))
    services.connection_test(account=account)
    stored = SushiAccount.objects.values_list("customer_id_encrypted", "requestor_id_encrypted", "api_key_encrypted")
    texts = [record.getMessage() for record in caplog.records] + [repr(value) for value in stored.get()]
    texts += [repr(h) for h in Harvest.objects.values()] + [repr(i) for i in StatsImport.objects.values()]
    assert any("SUSHI harvest" in text for text in texts)  # the harvest did log
    for secret in CREDENTIALS.values():
        assert not any(secret in text for text in texts), secret
    assert account.secret("api_key") == CREDENTIALS["api_key"]


def test_the_monthly_plan_runs_after_the_15th_for_last_month(stub):
    """The beat's schedule: the 16th, for the month before."""
    from config.celery import app

    entry = app.conf.beat_schedule["stats-sushi-harvest-monthly"]
    assert entry["schedule"].day_of_month == {16}
    account = make_account(stub, reports=("PR",))
    services.harvests_plan_month(today=date(2026, 12, 16))
    assert states(account) == {("PR", "2026-11"): State.PENDING}


def test_connection_test_shows_status_and_reports(stub):
    account = make_account(stub)
    result = services.connection_test(account=account)
    assert result.ok and ("TR", "Title Master Report") in result.reports
    assert any("Maintenance on Sunday" in line for line in result.status_lines)
    bad = make_account(stub, credentials={**CREDENTIALS, "api_key": "wrong"}, service_name="Other")
    result = services.connection_test(account=bad)
    assert not result.ok and any("2020" in problem for problem in result.problems)


def test_an_account_not_harvested_monthly_is_still_harvested_by_hand(stub):
    account = make_account(stub, reports=("PR",), active=False)
    assert services.harvests_plan_month(today=date(2026, 12, 16)) == 0
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    assert states(account) == {("PR", "2026-11"): State.DONE}


def test_release_5_1_answers_are_sorted_the_same(stub51):
    account = make_account(stub51, reports=("TR", "PR", "DR"))
    stub51.answers.update({("TR", "2026-11"): 3030, ("PR", "2026-11"): 1011})
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    assert states(account) == {("TR", "2026-11"): State.EMPTY, ("PR", "2026-11"): State.RETRY,
                               ("DR", "2026-11"): State.DONE}
    assert StatsImport.objects.get().encoding == "5.1"  # the import records the release it read


def test_the_coordinators_mail_names_the_account_and_no_credential(stub, coordinator):
    from django.core import mail

    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-11")] = 2020
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    message = OutboxMessage.objects.get(kind="stats_sushi.credentials")
    assert message.subject == "SUSHI-haku pysäytetty: Ellibs (konsortio)"  # in the coordinator's Finnish
    assert "2020 APIKey Invalid" in message.body_text
    assert not any(secret in message.body_text + message.subject for secret in CREDENTIALS.values())
    assert [m.to for m in mail.outbox] == [[coordinator.email]]  # sent from the outbox after commit


def test_an_endpoint_that_refuses_connections_is_retried_without_naming_the_credentials(stub):
    from testsupport import free_port

    account = make_account(stub, reports=("TR",), url=f"http://127.0.0.1:{free_port()}/counter/r5")
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    row = Harvest.objects.get()
    assert row.state == State.RETRY and row.error.startswith("connection failed")
    assert not any(secret in row.error for secret in CREDENTIALS.values())


def test_a_month_of_a_reported_year_fails_naming_the_lock(stub):
    from stats.models import StatisticsYear

    StatisticsYear.objects.create(year=2026, state=StatisticsYear.State.REPORTED)
    account = make_account(stub, reports=("TR",))
    ask(account, date(2026, 11, 1), date(2026, 11, 1))
    row = Harvest.objects.get()
    assert row.state == State.FAILED and "reported and are locked" in row.error
    assert not StatsImport.objects.exists()
