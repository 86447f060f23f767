"""Demo data: a few sent issues in the archive, items for the next one, subscribers.
Idempotent: a second run finds everything by its month, title or address and adds nothing.
`--scale N` adds N × 1,000 subscribers (benchmarks and query-count checks)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from consortium.demo_data import DEMO_DOMAIN
from consortium.models import User

from .models import Audience, Block, Delivery, Issue, Item, Subscriber

ARCHIVE = [
    # (months back, intro, [(title, body, audience)])
    (3, "Syksyn koulutuskalenteri on julkaistu, ja e-aineistojen yhteishankinnan tarjoukset on avattu.", [
        ("E-kirjojen yhteishankinta eteni",
         "Tarjoukset avattiin lokakuussa. **Kuusi** palveluntarjoajaa jätti tarjouksen; vertailu valmistuu "
         "marraskuun aikana.", Audience.ALL),
        ("Louna-kirjastojen johtajien kokous",
         "Seuraava johtajien kokous pidetään Forssassa. Esityslista lähetetään viikkoa ennen.", Audience.LOUNA),
    ]),
    (2, "Tässä numerossa uudet e-lehdet ja arviointiryhmän ensimmäiset kokemukset.", [
        ("Uusia e-lehtiä tarjolla", "Kolme uutta aikakauslehteä lisättiin valikoimaan:\n\n- Tiede\n- Kotiliesi\n"
         "- Suomen Kuvalehti", Audience.ALL),
        ("Arviointiryhmä kokeili elokuvapalvelua",
         "Ryhmän kirjastot raportoivat hyvistä käyttöluvuista. Yhteenveto löytyy portaalista.", Audience.ALL),
    ]),
    (1, "Vuoden viimeiset koulutukset ja toimenpideohjelman luonnos.", [
        ("Webinaari: e-aineistot näkyviksi", "Webinaari pidetään Teamsissa; ilmoittautuminen portaalissa.",
         Audience.ALL),
        ("Toimenpideohjelman luonnos kommentoitavana",
         "Louna-kirjastojen johtajat voivat kommentoida luonnosta portaalissa kuun loppuun asti.", Audience.LOUNA),
    ]),
]

ITEMS = [
    ("Kirjastopäivät keväällä", "Konsortio on mukana kevään kirjastopäivillä omalla osastollaan.", Audience.ALL),
    ("Quria-siirron aikataulu", "Siirto Mikromarcista Quriaan tarkentuu; tiedotamme johtajien kokouksessa.",
     Audience.LOUNA),
]


def _month_back(today, months: int):
    month = today.replace(day=1)
    for _ in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


@transaction.atomic
def seed_newsletters(*, scale: int = 0, stdout=None) -> None:
    now = timezone.now()
    today = timezone.localdate()
    staff = User.objects.filter(email=f"henkilokunta@{DEMO_DOMAIN}").first()

    subscribers = []
    for n in range(1, 31):
        subscriber, _created = Subscriber.objects.get_or_create(
            email=f"tilaaja{n}@{DEMO_DOMAIN}",
            defaults={"name": f"Tilaaja {n}", "language": "sv" if n % 7 == 0 else "fi", "louna": n % 3 == 0,
                      "status": Subscriber.Status.UNSUBSCRIBED if n == 30 else Subscriber.Status.ACTIVE,
                      "consent_method": Subscriber.Method.IMPORT, "consent_at": now,
                      "consent_detail": "Demo: ilmoittautumislista koulutuspäivänä",
                      "unsubscribed_at": now if n == 30 else None})
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
            month=month, subject=subject, subject_sv=subject_sv, intro=intro, status=Issue.Status.SENT,
            period_start=sent_at - timedelta(days=30), period_end=sent_at - timedelta(days=5),
            created_at=sent_at - timedelta(days=5), send_at=sent_at, approved_by=staff,
            approved_at=sent_at - timedelta(days=1), sending_started_at=sent_at, sent_at=sent_at)
        Block.objects.bulk_create([
            Block(issue=issue, position=(i + 1) * 10, title=title, body=body, audience=audience)
            for i, (title, body, audience) in enumerate(parts)])
        Delivery.objects.bulk_create([
            Delivery(issue=issue, subscriber=s, email=s.email, language=s.language, louna=s.louna,
                     status=Delivery.Status.SENT, attempts=1, sent_at=sent_at,
                     message_id=f"<newsletter-{issue.pk}-demo{s.pk}@{DEMO_DOMAIN}>", smtp_response="250 OK demo")
            for s in subscribers if s.status == Subscriber.Status.ACTIVE], ignore_conflicts=True)

    for title, body, audience in ITEMS:
        Item.objects.get_or_create(title=title, defaults={"body": body, "audience": audience, "created_by": staff})

    if scale:
        wanted = scale * 1000
        have = Subscriber.objects.filter(email__startswith="massatilaaja").count()
        Subscriber.objects.bulk_create([
            Subscriber(email=f"massatilaaja{n}@{DEMO_DOMAIN}", name=f"Massatilaaja {n}", status=Subscriber.Status.ACTIVE,
                       consent_method=Subscriber.Method.IMPORT, consent_at=now, louna=n % 10 == 0)
            for n in range(have, wanted)], batch_size=2000, ignore_conflicts=True)
    if stdout:
        stdout.write(f"  newsletters: {Issue.objects.count()} issues, {Subscriber.objects.active().count()} "
                     "active subscribers")
