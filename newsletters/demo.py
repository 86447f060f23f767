"""Demo data: a few sent issues in the archive, items for the next one, subscribers.
Idempotent: a second run finds everything by its month, title or address and adds nothing.
`--scale N` adds N × 1,000 subscribers (benchmarks and query-count checks). The parts meant
for one cooperation area go to the first area the core's demo data has (none without one)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from consortium.demo_data import DEMO_DOMAIN
from consortium.models import CooperationArea, User

from .models import Block, Delivery, Issue, Item, Subscriber

# The audience of a demo part: every member, or the demo's cooperation area.
ALL, AREA = False, True

ARCHIVE = [
    # (months back, intro, [(title, body, for the area only)])
    (3, "Syksyn koulutuskalenteri on julkaistu, ja e-aineistojen yhteishankinnan tarjoukset on avattu.", [
        ("E-kirjojen yhteishankinta eteni",
         "Tarjoukset avattiin lokakuussa. **Kuusi** palveluntarjoajaa jätti tarjouksen; vertailu valmistuu "
         "marraskuun aikana.", ALL),
        ("Alueen kirjastonjohtajien kokous",
         "Seuraava johtajien kokous pidetään marraskuussa. Esityslista lähetetään viikkoa ennen.", AREA),
    ]),
    (2, "Tässä numerossa uudet e-lehdet ja arviointiryhmän ensimmäiset kokemukset.", [
        ("Uusia e-lehtiä tarjolla", "Kolme uutta aikakauslehteä lisättiin valikoimaan:\n\n- Tiede\n- Kotiliesi\n"
         "- Suomen Kuvalehti", ALL),
        ("Arviointiryhmä kokeili elokuvapalvelua",
         "Ryhmän kirjastot raportoivat hyvistä käyttöluvuista. Yhteenveto löytyy portaalista.", ALL),
    ]),
    (1, "Vuoden viimeiset koulutukset ja toimenpideohjelman luonnos.", [
        ("Webinaari: e-aineistot näkyviksi", "Webinaari pidetään Teamsissa; ilmoittautuminen portaalissa.",
         ALL),
        ("Toimenpideohjelman luonnos kommentoitavana",
         "Alueen kirjastojen johtajat voivat kommentoida luonnosta portaalissa kuun loppuun asti.", AREA),
    ]),
]

ITEMS = [
    ("Kirjastopäivät keväällä", "Konsortio on mukana kevään kirjastopäivillä omalla osastollaan.", ALL),
    ("Quria-siirron aikataulu", "Siirto Mikromarcista Quriaan tarkentuu; tiedotamme johtajien kokouksessa.",
     AREA),
]


def _month_back(today, months: int):
    month = today.replace(day=1)
    for _step in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


@transaction.atomic
def seed_newsletters(*, scale: int = 0, stdout=None) -> None:
    now = timezone.now()
    today = timezone.localdate()
    staff = User.objects.filter(email=f"henkilokunta@{DEMO_DOMAIN}").first()
    area = CooperationArea.objects.order_by("pk").first()

    def audience(for_area: bool):
        return area if for_area else None

    subscribers = []
    for n in range(1, 31):
        subscriber, _created = Subscriber.objects.get_or_create(
            email=f"tilaaja{n}@{DEMO_DOMAIN}",
            defaults={"name": f"Tilaaja {n}", "language": "sv" if n % 7 == 0 else "fi",
                      "status": Subscriber.Status.UNSUBSCRIBED if n == 30 else Subscriber.Status.ACTIVE,
                      "consent_method": Subscriber.Method.IMPORT, "consent_at": now,
                      "consent_detail": "Demo: ilmoittautumislista koulutuspäivänä",
                      "unsubscribed_at": now if n == 30 else None})
        if _created and area and n % 3 == 0:
            subscriber.areas.add(area)
        subscribers.append(subscriber)
    if staff:
        Subscriber.objects.get_or_create(
            email=staff.email, defaults={"user": staff, "name": staff.full_name, "status": Subscriber.Status.ACTIVE,
                                         "consent_method": Subscriber.Method.PROFILE, "consent_at": now})

    for back, intro, parts in ARCHIVE:
        month = _month_back(today, back)
        if Issue.objects.filter(month=month).exists():
            continue
        with translation.override("fi"):
            subject = _("Newsletter – %(month)s") % {"month": dateformat.format(month, "F Y")}
        with translation.override("sv"):
            subject_sv = _("Newsletter – %(month)s") % {"month": dateformat.format(month, "F Y")}
        sent_at = timezone.make_aware(datetime.combine(month.replace(day=25), time(9, 0)))
        issue = Issue.objects.create(
            month=month, subject_fi=subject, subject_sv=subject_sv, intro_fi=intro, status=Issue.Status.SENT,
            period_start=sent_at - timedelta(days=30), period_end=sent_at - timedelta(days=5),
            created_at=sent_at - timedelta(days=5), send_at=sent_at, approved_by=staff,
            approved_at=sent_at - timedelta(days=1), sending_started_at=sent_at, sent_at=sent_at)
        Block.objects.bulk_create([
            Block(issue=issue, position=(i + 1) * 10, title=title, body=body, area=audience(for_area))
            for i, (title, body, for_area) in enumerate(parts) if audience(for_area) or not for_area])
        areas = {s.pk: sorted(s.areas.values_list("pk", flat=True)) for s in subscribers}
        Delivery.objects.bulk_create([
            Delivery(issue=issue, subscriber=s, email=s.email, language=s.language, areas=areas[s.pk],
                     status=Delivery.Status.SENT, attempts=1, sent_at=sent_at,
                     message_id=f"<newsletter-{issue.pk}-demo{s.pk}@{DEMO_DOMAIN}>", smtp_response="250 OK demo")
            for s in subscribers if s.status == Subscriber.Status.ACTIVE], ignore_conflicts=True)

    for title, body, for_area in ITEMS:
        if for_area and not area:
            continue
        Item.objects.get_or_create(title_fi=title, defaults={"body_fi": body, "area": audience(for_area), "created_by": staff})

    if scale:
        wanted = scale * 1000
        have = Subscriber.objects.filter(email__startswith="massatilaaja").count()
        Subscriber.objects.bulk_create([
            Subscriber(email=f"massatilaaja{n}@{DEMO_DOMAIN}", name=f"Massatilaaja {n}", status=Subscriber.Status.ACTIVE,
                       consent_method=Subscriber.Method.IMPORT, consent_at=now)
            for n in range(have, wanted)], batch_size=2000, ignore_conflicts=True)
        if area:  # every tenth of them works in the area
            Through = Subscriber.areas.through
            Through.objects.bulk_create(
                [Through(subscriber_id=pk, cooperationarea_id=area.pk) for pk in Subscriber.objects.filter(
                    email__startswith="massatilaaja").order_by("pk").values_list("pk", flat=True)[::10]],
                batch_size=2000, ignore_conflicts=True)
    if stdout:
        stdout.write(f"  newsletters: {Issue.objects.count()} issues, {Subscriber.objects.active().count()} "
                     "active subscribers")
