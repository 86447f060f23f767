"""Demo data: Louna's shared e-material services with budgets, principles and orders.
Service names are real services Finnish libraries use; budgets and orders are invented."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from louna.models import Decision

from .models import Budget, EMaterialService, Order, SelectionPrinciple
from .selectors import louna_municipalities

SERVICES = [
    ("Ellibs e-kirjat", EMaterialService.Kind.EBOOKS, "Ellibs Oy", Decimal("6000"), Budget.Key.POPULATION),
    ("Ellibs e-äänikirjat", EMaterialService.Kind.EAUDIOBOOKS, "Ellibs Oy", Decimal("4500"), Budget.Key.POPULATION),
    ("ePress", EMaterialService.Kind.MAGAZINES, "ePress Oy", Decimal("2400"), Budget.Key.EQUAL),
    ("Naxos Music Library", EMaterialService.Kind.MUSIC, "Naxos", Decimal("1800"), Budget.Key.SHARES),
]
PRINCIPLES = ("Valitaan ensisijaisesti suomenkielisiä e-kirjoja ja e-äänikirjoja kaikille ikäryhmille, "
              "lasten ja nuorten aineistoa vähintään kolmannes.\nKäyttökertamaksullisia nimekkeitä hankitaan, kun "
              "odotusjono ylittää viisi varausta.\nLehtipalvelut ja musiikki tilataan vuosisopimuksin. (demo)")


@transaction.atomic
def seed_ematerials(*, scale: int = 0, stdout=None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    decision = Decision.objects.select_related("meeting").order_by("meeting__starts_at").first()
    municipalities = louna_municipalities()
    if decision is None or not municipalities:
        return
    shares = {str(m.pk): 100 // len(municipalities) + (100 % len(municipalities) if i == 0 else 0)
              for i, m in enumerate(municipalities)}
    for year in (today.year - 1, today.year):
        principle, _ = SelectionPrinciple.objects.get_or_create(
            year=year, version=1, defaults={"text": PRINCIPLES, "decision": decision})
        for number, (name, kind, vendor, amount, key) in enumerate(SERVICES):
            service, _ = EMaterialService.objects.get_or_create(name=name, defaults={"kind": kind, "vendor": vendor})
            budget, created = Budget.objects.get_or_create(
                year=year, service=service,
                defaults={"amount": amount, "key": key, "agreed_shares": shares if key == Budget.Key.SHARES else {}})
            if not created:
                continue
            orders = 3 + number + scale * 20
            for index in range(orders):
                ordered_on = date(year, 1, 15) + timedelta(days=(index * 37) % 330)
                if ordered_on > today:
                    continue
                state = [Order.State.VISIBLE, Order.State.CATALOGUED, Order.State.RECEIVED, Order.State.ORDERED][
                    0 if year < today.year else index % 4]
                Order.objects.create(
                    budget=budget, principle=principle, titles=f"{name}: tilaus {index + 1} (demo)",
                    title_count=1 + index % 12, licence_model=Order.LicenceModel.SUBSCRIPTION
                    if kind in (EMaterialService.Kind.MAGAZINES, EMaterialService.Kind.MUSIC)
                    else Order.LicenceModel.ONE_COPY, licences=1 + index % 3,
                    price=(amount / (orders + 2)).quantize(Decimal("0.01")), ordered_on=ordered_on, state=state,
                    received_on=ordered_on + timedelta(days=3) if state != Order.State.ORDERED else None,
                    catalogued_on=ordered_on + timedelta(days=10)
                    if state in (Order.State.CATALOGUED, Order.State.VISIBLE) else None,
                    visible_on=ordered_on + timedelta(days=12) if state == Order.State.VISIBLE else None,
                    vendor_reference=f"DEMO-{year}-{number}{index:03d}")
    if stdout:
        stdout.write(f"  Louna e-materials: {len(SERVICES)} services, budgets {today.year - 1}–{today.year}\n")
