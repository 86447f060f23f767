"""Demo data of the procurement app. Idempotent: a second run changes nothing.

Real: the purchasing bodies (KL-Kuntahankinnat Oy until its merger into Hansel in 2019)
and KLKH150 (e-books, e-audiobooks and their lending platform for public libraries
2018–2021, agreement 30.11.2018–22.11.2021, Ellibs one of the two suppliers). Exact days of
the bodies' periods, the decision date and all answers are demo and say so.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consortium.calendar import next_working_day
from consortium.models import Library, Role, RoleAssignment, User

from .models import (
    Answer,
    Appeal,
    Award,
    Category,
    ContractNote,
    FrameworkAgreement,
    OptIn,
    OptInEvent,
    Procurement,
    ProcurementTransition,
    PurchasingBody,
    State,
    Supplier,
)

LIFECYCLE = [State.FOLLOWED, State.PREPARATION, State.OPEN, State.CLOSED, State.TENDERING, State.AWARDED,
             State.IN_FORCE, State.ENDED]


def _staff():
    assignment = RoleAssignment.objects.filter(role=Role.STAFF).select_related("user").order_by("pk").first()
    if assignment:
        return assignment.user
    return User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.order_by("pk").first()


def _walk(procurement, to_state, by, when):
    """Record the lifecycle moves up to `to_state` (demo history)."""
    if procurement.transitions.exists():
        return
    ProcurementTransition.objects.create(procurement=procurement, from_state="", to_state=State.FOLLOWED, by=by,
                                         at=when, reason="Luotu (demo)")
    if to_state == State.CANCELLED:
        ProcurementTransition.objects.create(procurement=procurement, from_state=State.FOLLOWED,
                                             to_state=State.CANCELLED, by=by, at=when, reason="Peruttu (demo)")
        return
    path = LIFECYCLE[: LIFECYCLE.index(to_state) + 1]
    for previous, following in zip(path, path[1:]):
        ProcurementTransition.objects.create(procurement=procurement, from_state=previous, to_state=following, by=by,
                                             at=when, reason="Demoaineiston vaihe")


def _procurement(*, title, state, body, by, **fields):
    procurement, created = Procurement.objects.get_or_create(
        title_fi=title, defaults={"state": state, "purchasing_body": body, "created_by": by, **fields})
    if created:
        _walk(procurement, state, by, timezone.now())
    return procurement


def _deadline_in(days: int):
    """16.00 on the working day `days` from today or the next one: staff cannot set an
    opt-in deadline on a weekend or a public holiday, so the demo does not either."""
    day = next_working_day(timezone.localdate() + timedelta(days=days))
    return timezone.make_aware(datetime.combine(day, time(16, 0)))


def _answerer(library, fallback):
    assignment = (RoleAssignment.objects.filter(library=library, role__in=[Role.CONTACT, Role.DIRECTOR])
                  .select_related("user").order_by("role", "pk").first())
    return assignment.user if assignment else fallback


def _answer(procurement, library, answer, by, estimate=None, reason=""):
    if OptIn.objects.filter(procurement=procurement, library=library).exists():
        return
    committed = answer == Answer.COMMITTED
    opt_in = OptIn.objects.create(
        procurement=procurement, library=library, answer=answer, answered_by=by,
        yearly_estimate=estimate if answer != Answer.DECLINED else None,
        contact_name=by.full_name if answer != Answer.DECLINED else "", contact_email=by.email,
        decision_maker="Sivistyslautakunta (demo)" if committed else "",
        decision_date=date.today() - timedelta(days=20) if committed else None,
        decision_number=f"§ {10 + library.pk % 80} (demo)" if committed else "",
        decline_reason=reason,
    )
    OptInEvent.objects.create(procurement=procurement, library=library, action=OptInEvent.Action.CREATED, by=by,
                              old_values={}, new_values=opt_in.audit_values())


@transaction.atomic
def seed_procurement(*, scale: int = 0, stdout=None) -> None:
    staff = _staff()
    if staff is None:
        return
    kl, _ = PurchasingBody.objects.get_or_create(
        name="KL-Kuntahankinnat Oy",
        defaults={"active_from": date(2007, 1, 1), "active_until": date(2019, 12, 31),
                  "website": "https://www.kuntahankinnat.fi/"})
    hansel, _ = PurchasingBody.objects.get_or_create(
        name="Hansel Oy", defaults={"active_from": date(2020, 1, 1), "website": "https://www.hansel.fi/"})
    ellibs, _ = Supplier.objects.get_or_create(name="Ellibs Oy")
    demo_supplier, _ = Supplier.objects.get_or_create(name="Demotoimittaja Oy (demo)")
    btj, _ = Supplier.objects.get_or_create(name="BTJ Finland Oy")

    libraries = list(Library.objects.filter(is_active=True, member_since__isnull=False)
                     .select_related("municipality").order_by("municipality__code"))
    louna = [library for library in libraries if library.municipality.code in ("061", "103", "169", "834", "981")]
    today = timezone.localdate()
    now = timezone.now()

    # KLKH150: real frame, demo answers and decision date.
    klkh150 = _procurement(
        title="E-kirjat, e-äänikirjat ja niiden lainausalusta yleisille kirjastoille 2018–2021",
        state=State.ENDED, body=kl, by=staff, category=Category.E_MATERIALS, body_reference="KLKH150",
        description="Kunnat antoivat ennen kilpailutusta sitovan sitoumuksen arvioidulla vuosittaisella "
                    "euromäärällä tai ilmoittautuivat kiinnostuneiksi; vain ne voivat liittyä sopimuskaudella.",
        opt_in_deadline=timezone.make_aware(timezone.datetime(2018, 5, 31, 16, 0)),
    )
    for index, library in enumerate(louna):
        _answer(klkh150, library, Answer.COMMITTED if index % 2 == 0 else Answer.INTERESTED,
                _answerer(library, staff), Decimal(1500 + 500 * index))
    award, _ = Award.objects.get_or_create(procurement=klkh150, supplier=ellibs,
                                           defaults={"decision_date": date(2018, 10, 15),
                                                     "decision_reference": "hankintapäätös (demo-päiväys)"})
    agreement, created = FrameworkAgreement.objects.get_or_create(
        procurement=klkh150, supplier=ellibs,
        defaults={"award": award, "reference": "KLKH150", "starts_on": date(2018, 11, 30),
                  "ends_on": date(2021, 11, 22), "signed_on": date(2018, 11, 30)})
    if created:
        agreement.libraries.set(OptIn.objects.filter(procurement=klkh150).values_list("library", flat=True))

    # Open for opt-in: one with time, one closing soon (reminders go out for it).
    periodicals = _procurement(
        title="Aikakauslehtien yhteishankinta 2027–2030 (demo)", state=State.OPEN, body=hansel, by=staff,
        category=Category.PERIODICALS, body_reference="DEMO-AL27", estimated_value=Decimal("850000"),
        body_contact_name="Hankinta-asiantuntija (demo)", body_contact_email="hankinnat@demo.example",
        description="Kirjastojen tilaamat painetut aikakauslehdet ja sanomalehdet. Osallistuminen on vapaaehtoista.",
        opt_in_deadline=_deadline_in(21))
    _procurement(
        title="E-aineistojen lainausalusta 2027– (demo)", state=State.OPEN, body=hansel, by=staff,
        category=Category.E_MATERIALS, body_reference="DEMO-EA27", estimated_value=Decimal("1200000"),
        description="E-kirjat ja e-äänikirjat sekä niiden lainausalusta.", opt_in_deadline=_deadline_in(5))
    for index, library in enumerate(libraries[:12]):
        if library.municipality.code == "103":
            continue  # Humppila has not answered yet: the demo contact sees the card
        answer = (Answer.COMMITTED, Answer.INTERESTED, Answer.DECLINED)[index % 3]
        _answer(periodicals, library, answer, _answerer(library, staff), Decimal(2000 + 250 * index),
                reason="Lehdet tilataan kunnan omalla sopimuksella (demo)." if answer == Answer.DECLINED else "")
    _procurement(title="Kotimaisen kirjallisuuden hankinta 2027–2029 (demo)", state=State.PREPARATION, body=hansel,
                 by=staff, category=Category.BOOKS, body_reference="DEMO-KK27")

    # Awarded, with a pending appeal to the Market Court: the agreement cannot be signed.
    books = _procurement(title="Kirjastoaineiston hankinta 2026–2028 (demo)", state=State.AWARDED, body=hansel,
                         by=staff, category=Category.BOOKS, body_reference="DEMO-KA26",
                         opt_in_deadline=now - timedelta(days=200))
    for index, library in enumerate(libraries[:6]):
        _answer(books, library, Answer.COMMITTED, _answerer(library, staff), Decimal(10000 + 1000 * index))
    Award.objects.get_or_create(procurement=books, supplier=btj, defaults={"decision_date": today - timedelta(days=30),
                                                                           "decision_reference": "demo"})
    Appeal.objects.get_or_create(procurement=books, kind=Appeal.Kind.MARKET_COURT, defaults={
        "filed_by": "Tarjoaja (demo)", "filed_on": today - timedelta(days=10), "against": "Hankintapäätös (demo)",
        "recorded_by": staff})

    # In force, ending within six months, joining still open.
    emagazines = _procurement(title="E-lehtipalvelu 2024–2026 (demo)", state=State.IN_FORCE, body=hansel, by=staff,
                              category=Category.E_MATERIALS, body_reference="DEMO-EL24",
                              opt_in_deadline=now - timedelta(days=800))
    for index, library in enumerate(louna):
        _answer(emagazines, library, Answer.COMMITTED if index < 3 else Answer.INTERESTED,
                _answerer(library, staff), Decimal(800 + 100 * index))
    award, _ = Award.objects.get_or_create(procurement=emagazines, supplier=demo_supplier,
                                           defaults={"decision_date": today - timedelta(days=700)})
    agreement, created = FrameworkAgreement.objects.get_or_create(
        procurement=emagazines, supplier=demo_supplier,
        defaults={"award": award, "reference": "DEMO-EL24", "starts_on": today - timedelta(days=650),
                  "ends_on": today + timedelta(days=120), "extension_options": 1, "extension_months": 12,
                  "joining_until": today + timedelta(days=60), "signed_on": today - timedelta(days=650)})
    if created:
        agreement.libraries.set(OptIn.objects.filter(procurement=emagazines, answer=Answer.COMMITTED)
                                .values_list("library", flat=True))
        ContractNote.objects.create(agreement=agreement, kind=ContractNote.Kind.PRICE, by=staff,
                                    text="Indeksikorotus 2,1 % (demo).", effective_on=today - timedelta(days=200))
    _procurement(title="E-äänikirjojen minikilpailutus (demo)", state=State.FOLLOWED, body=kl, by=staff,
                 category=Category.E_MATERIALS, body_reference="KLKH150-MK1 (demo)", framework_parent=klkh150,
                 opt_in_deadline=timezone.make_aware(timezone.datetime(2019, 3, 1, 16, 0)))

    if scale:
        seed_at_scale(scale=scale, staff=staff, body=hansel, libraries=libraries, stdout=stdout)


def seed_at_scale(*, scale, staff, body, libraries, stdout=None):
    """30 procurements per unit of scale (300 at 10), each open one answered by up to 60
    libraries. Generated titles say they are generated."""
    target = 30 * scale
    have = Procurement.objects.filter(title_fi__startswith="Demohankinta ").count()
    now = timezone.now()
    categories = Category.values
    deadlines = [_deadline_in(1 + days) for days in range(40)]
    new = []
    for n in range(have, target):
        state = (State.OPEN, State.CLOSED, State.PREPARATION, State.IN_FORCE)[n % 4]
        new.append(Procurement(
            title_fi=f"Demohankinta {n + 1}", category=categories[n % len(categories)], purchasing_body=body,
            body_reference=f"GEN-{n + 1}", state=state, created_by=staff,
            opt_in_deadline=deadlines[n % 40] if state == State.OPEN else now - timedelta(days=30),
        ))
    Procurement.objects.bulk_create(new, batch_size=500)
    created = list(Procurement.objects.filter(title_fi__in=[p.title_fi for p in new]))
    answerers = {}
    for assignment in RoleAssignment.objects.filter(role__in=[Role.CONTACT, Role.DIRECTOR]).order_by("pk"):
        answerers.setdefault(assignment.library_id, assignment.user_id)
    opt_ins = []
    answers = (Answer.COMMITTED, Answer.INTERESTED, Answer.DECLINED)
    for index, procurement in enumerate(created):
        if procurement.state not in (State.OPEN, State.CLOSED):
            continue
        for offset, library in enumerate(libraries[index % 7::5][:60]):
            answer = answers[(index + offset) % 3]
            committed = answer == Answer.COMMITTED
            opt_ins.append(OptIn(
                procurement=procurement, library=library, answer=answer,
                answered_by_id=answerers.get(library.pk, staff.pk),
                yearly_estimate=Decimal(500 + 37 * offset) if answer != Answer.DECLINED else None,
                contact_name="Demohenkilö", decision_maker="Lautakunta (demo)" if committed else "",
                decision_date=date.today() - timedelta(days=5) if committed else None,
                decision_number=f"§ {offset + 1}" if committed else "",
            ))
    OptIn.objects.bulk_create(opt_ins, batch_size=1000, ignore_conflicts=True)
    if stdout:
        stdout.write(f"  {len(created)} generated procurements, {len(opt_ins)} answers")
