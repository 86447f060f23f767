"""Demo SUSHI accounts and a year of harvests in every state, so the grid and its problems
table have something to show. The endpoints are on .invalid (RFC 6761): nothing is ever
asked from a real vendor. Idempotent: an account of the same name is left as it is."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consortium.models import Library
from consortium.permissions import LOUNA_AREA

from . import services
from .models import Harvest, SushiAccount

DEMO_CREDENTIALS = {"customer_id": "demo-customer", "requestor_id": "demo-requestor", "api_key": "demo-key"}


def _exception(code: int, message: str) -> list:
    return [{"Code": code, "Severity": "Warning" if code >= 3000 else "Error", "Message": message, "Data": ""}]


@transaction.atomic
def seed_sushi(*, scale: int = 0, stdout=None) -> None:
    if not getattr(settings, "SUSHI_SECRET_KEY", ""):
        if stdout:
            stdout.write("  SUSHI: no SUSHI_SECRET_KEY, no demo accounts")
        return
    library = Library.objects.in_area(LOUNA_AREA).order_by("name").first()
    specs = [("Ellibs (demo)", None, "5", ["TR", "PR"]), ("BookBites (demo)", library, "5.1", ["TR_B1"])]
    last = services.month_start(services.month_start(timezone.localdate()) - timedelta(days=1))
    months = []
    month = last
    for _ in range(12):
        months.append(month)
        month = services.month_start(month - timedelta(days=1))
    for name, owner, release, reports in specs:
        if SushiAccount.objects.filter(service_name=name).exists():
            continue
        account = services.account_save(data={
            "service_name": name, "library": owner, "url": f"https://sushi.{release.replace('.', '')}.example.invalid/r5",
            "release": release, "reports": reports, "platform": "", "active": True},
            secrets=DEMO_CREDENTIALS, by=None)
        rows = []
        for index, month in enumerate(months):
            if index == 7:
                continue  # a month never harvested: the grid shows the gap
            for report in reports:
                state, exceptions, error = Harvest.State.DONE, [], ""
                if index == 0 and report == reports[0]:
                    state, exceptions = Harvest.State.RETRY, _exception(1011, "Report Queued for Processing")
                elif index == 3 and release == "5":
                    state, exceptions = Harvest.State.EMPTY, _exception(3030, "No Usage Available for Requested Dates")
                elif index == 5 and release == "5.1":
                    state, error = Harvest.State.FAILED, "HTTP 200: the answer is not JSON"
                rows.append(Harvest(account=account, report_id=report, month=month, state=state, attempts=1,
                                    exceptions=exceptions, error=error, finished_at=timezone.now(),
                                    next_attempt_at=timezone.now() + timedelta(hours=1)
                                    if state == Harvest.State.RETRY else None))
        Harvest.objects.bulk_create(rows)
