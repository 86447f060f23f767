"""A real Celery worker on Redis harvests against the stub; it is SIGKILLed while a
vendor is answering, restarted, and the months are each imported exactly once."""

import time
from datetime import date

import pytest

from stats.models import CounterUsage, StatsImport
from stats.sushi import services
from stats.sushi.models import Harvest
from stats.sushi.tasks import harvest_due_task
from testsupport import wait_until

from .factories import make_account
from .stub import month_count

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
MONTHS = [date(2026, month, 1) for month in (7, 8, 9, 10)]


def by_month():
    return {f"{h.month:%Y-%m}": h.state for h in Harvest.objects.order_by("month")}


def test_worker_killed_mid_harvest_resumes_without_importing_a_month_twice(celery_worker, stub, coordinator):
    lease = 3
    celery_worker.env.update({"SUSHI_LEASE": str(lease), "SUSHI_TIMEOUT": "60"})
    celery_worker.start()
    account = make_account(stub, reports=("TR",))
    stub.answers[("TR", "2026-09")] = "hold"  # the vendor is slow on September: the worker dies meanwhile
    services.harvest_request(account=account, begin=MONTHS[0], end=MONTHS[-1], by=coordinator,
                             today=date(2026, 12, 4))  # commits: the task goes to Redis
    if not stub.holding.wait(timeout=60):
        celery_worker.kill()
        pytest.fail(f"the worker never asked for September: {by_month()} {stub.requests}\n{celery_worker.output()}")
    celery_worker.kill()
    stub.release_held.set()
    assert by_month() == {"2026-07": "done", "2026-08": "done", "2026-09": "running", "2026-10": "pending"}
    assert StatsImport.objects.count() == 2

    stub.answers.clear()
    celery_worker.start()
    time.sleep(lease + 0.5)  # the dead worker's claim on September runs out
    harvest_due_task.delay()  # what the beat does every 15 minutes
    wait_until(lambda: set(by_month().values()) == {"done"}, timeout=90,
               message=f"the restarted worker to finish\n{celery_worker.output()}")
    assert StatsImport.objects.count() == 4
    assert Harvest.objects.get(month=date(2026, 9, 1)).attempts == 2
    for month in MONTHS:
        imports = StatsImport.objects.filter(source_key=f"sushi:{account.pk}:TR:{month:%Y-%m}")
        assert imports.count() == 1, month
        total = sum(CounterUsage.objects.filter(source_import=imports.get(), metric_type="Total_Item_Requests")
                    .values_list("count", flat=True))
        assert total == month_count("TR", f"{month:%Y-%m}")
