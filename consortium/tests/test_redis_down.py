"""Redis is a helper, never a single point of failure (issue 11).

Each test starts its own redis-server on a free port and stops and starts it again; the
shared Redis is never touched. With it down people log in, pages render, work that is queued
waits in the database and is handed to Celery once, when Redis is back."""

import json
import shutil
import time

import pytest
import redis
from django.urls import reverse

from config.settings.base import redis_cache
from consortium.jobs import job_runs_hand_over
from consortium.models import JobRun, Role
from consortium.tests.factories import PASSWORD, user_with_role
from testsupport import broker_on_private_redis, private_redis, wait_until  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server installed")


@pytest.fixture
def cache_on_private_redis(settings, private_redis):
    settings.CACHES = {"default": redis_cache(private_redis.url)}
    return private_redis


def _login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


# ---------------------------------------------------------------- sessions and pages


@pytest.mark.django_db
def test_with_redis_down_people_log_in_and_pages_render(client, cache_on_private_redis, director, caplog):
    staff = user_with_role(Role.STAFF)
    cache_on_private_redis.stop()

    _login(client, director)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("profile")).status_code == 200
    client.logout()
    _login(client, staff)
    for name in ("home", "library_list", "people_list", "job_list"):
        assert client.get(reverse(name)).status_code == 200, name
    # Each cache call that failed is one warning line, no traceback.
    warnings = [r for r in caplog.records if r.name == "consortium.cache"]
    assert warnings and all(r.levelname == "WARNING" and r.exc_info is None for r in warnings)
    assert "cache unavailable" in warnings[0].getMessage()

    cache_on_private_redis.start()
    assert client.get(reverse("home")).status_code == 200  # the same session, now kept in Redis again
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_the_front_page_is_kept_again_once_redis_is_back(client, cache_on_private_redis, director):
    _login(client, director)
    cache_on_private_redis.stop()
    assert client.get(reverse("home")).status_code == 200
    cache_on_private_redis.start()
    client.get(reverse("home"))
    kept = redis.Redis.from_url(cache_on_private_redis.url).keys("*frontpage:page:*")
    assert kept, "the front page is kept in Redis again"


@pytest.mark.django_db
def test_kept_pages_follow_writes_in_redis_and_render_without_it(client, cache_on_private_redis, staff_user):
    """The busy pages are kept in Redis (consortium.pagecache): a write retires them there;
    with Redis down they render every time and writes still succeed."""
    client.force_login(staff_user)
    url = reverse("job_list")
    client.get(url)
    assert not client.get(url).templates, "kept in Redis"
    JobRun.objects.create(task_name="x", label="Redisin aikana")
    assert "Redisin aikana" in client.get(url).content.decode()

    cache_on_private_redis.stop()
    JobRun.objects.create(task_name="x", label="Redisittä")
    page = client.get(url)
    assert page.status_code == 200 and "Redisittä" in page.content.decode()
    assert client.get(url).templates, "nothing kept while Redis is down"

    cache_on_private_redis.start()
    assert "Redisittä" in client.get(url).content.decode()
    assert not client.get(url).templates, "kept again"


# ---------------------------------------------------------------- health


@pytest.mark.django_db
def test_healthz_reports_each_part_and_stays_up_without_redis(client, cache_on_private_redis, broker_on_private_redis):
    body = client.get("/healthz").json()
    assert body["ok"] and body["database"]["ok"] and body["cache"]["ok"] and body["broker"]["ok"]

    cache_on_private_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"]["ok"]
    assert not body["cache"]["ok"] and "Connection" in body["cache"]["error"]
    assert not body["broker"]["ok"]


@pytest.mark.django_db
def test_healthz_fails_when_the_database_does(client, monkeypatch):
    from consortium import health

    def broken():
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "RuntimeError: database unreachable",
                                           "ms": response.json()["database"]["ms"]}


# ---------------------------------------------------------------- work queued while the broker is down


@pytest.mark.django_db
def test_a_job_queued_with_the_broker_down_waits_and_is_handed_over_once(
        client, broker_on_private_redis, django_capture_on_commit_callbacks):
    staff = user_with_role(Role.STAFF)
    _login(client, staff)
    broker_on_private_redis.stop()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_start_organisation_check"), follow=True)
    assert time.monotonic() - started < 5, "a broker that is down does not hold the request"
    assert response.status_code == 200
    assert "will run shortly" in response.content.decode() or "ajetaan pian" in response.content.decode()
    run = JobRun.objects.get()
    assert run.state == JobRun.State.QUEUED and run.handed_over_at is None
    assert job_runs_hand_over() == 0  # still down: nothing sent, nothing lost
    run.refresh_from_db()
    assert run.handed_over_at is None

    broker_on_private_redis.start()
    assert job_runs_hand_over() == 1
    assert job_runs_hand_over() == 0
    run.refresh_from_db()
    assert run.handed_over_at is not None
    assert broker_on_private_redis.queue_length("celery") == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_job_queued_with_the_broker_down_runs_once_after_it_returns(
        client, broker_on_private_redis, monkeypatch, request):
    """The whole way, on PostgreSQL with a real worker: queued while Redis is down, run once after."""
    monkeypatch.setenv("REDIS_URL", broker_on_private_redis.url)
    worker = request.getfixturevalue("celery_worker")  # skips on SQLite
    staff = user_with_role(Role.STAFF)
    _login(client, staff)
    broker_on_private_redis.stop()

    response = client.post(reverse("job_start_organisation_check"))
    assert response.status_code == 302
    run = JobRun.objects.get()
    assert run.state == JobRun.State.QUEUED and run.handed_over_at is None

    broker_on_private_redis.start()
    worker.start()
    assert job_runs_hand_over() == 1
    assert job_runs_hand_over() == 0
    wait_until(lambda: JobRun.objects.get(pk=run.pk).state == JobRun.State.DONE, timeout=60,
               message=f"the job to run; worker said: {worker.output()}")
    assert JobRun.objects.count() == 1
    assert broker_on_private_redis.queue_length(worker.queue) == 0


@pytest.mark.django_db
def test_a_hanging_redis_costs_a_job_sharing_its_progress_one_timeout_not_one_per_step(cache_on_private_redis,
                                                                                     caplog):
    """A job inside its transaction shares its progress through the cache (JobProgress); with
    Redis stopped mid-answer (SIGSTOP: it accepts, never replies) the first step waits for the
    socket timeout and the job stops asking, so its other steps cost nothing more. The
    progress still reaches the JobRun row."""
    import os
    import signal

    from django.db import transaction

    from consortium.jobs import JobProgress

    run = JobRun.objects.create(task_name="consortium.tasks.check_organisations", label="Tarkistus",
                                state=JobRun.State.RUNNING)
    os.kill(cache_on_private_redis.process.pid, signal.SIGSTOP)
    try:
        with transaction.atomic():
            progress = JobProgress(run)
            progress.total(5)
            for done in range(1, 6):
                progress.advance(done)
    finally:
        os.kill(cache_on_private_redis.process.pid, signal.SIGCONT)
    failed_cache_calls = [r for r in caplog.records if r.name == "consortium.cache"]
    assert len(failed_cache_calls) == 1
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (5, 5)
