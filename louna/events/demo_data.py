"""Demo events and news of the Louna libraries: a weekly story hour across the autumn's
clock change (with a cancelled date), library events waiting for the coordinator's check
and checked ones, shared news. All of it is labelled "(demo)". Idempotent: a second run adds
nothing. `scale` adds generated events (scale × 100) for query-count tests."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from consortium.demo_data import demo_email
from consortium.models import Library, User
from consortium.permissions import LOUNA_AREA

from . import services
from .models import Item
from .recurrence import HELSINKI

GENERATED = "Generoitu tapahtuma"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI)


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@transaction.atomic
def seed_events(*, scale: int = 0, stdout=None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    coordinator = User.objects.filter(email=demo_email("koordinaattori")).first()
    libraries = {lib.municipality.code: lib for lib in
                 Library.objects.in_area(LOUNA_AREA).select_related("municipality")}
    if coordinator is None or not libraries:
        return
    if not Item.objects.filter(title_fi__endswith="(demo)").exists():
        _seed_examples(coordinator, libraries, today)
    existing = Item.objects.filter(title_fi__startswith=GENERATED).count()
    wanted = scale * 100
    if existing < wanted:
        _seed_generated(coordinator, libraries, today, existing, wanted)
    if stdout:
        stdout.write(f"Louna events: {Item.objects.count()} items")


def _save(item: Item, *, libraries=(), all_of_louna=False, by):
    return services.item_save(item=item, libraries=list(libraries), all_of_louna=all_of_louna, by=by,
                              now=item.publish_from)


def _seed_examples(coordinator, libraries, today):
    start = _at(today, 0) - timedelta(days=7)
    humppila, forssa = libraries.get("103"), libraries.get("061")
    contact = User.objects.filter(email=demo_email("yhteyshenkilo.humppila")).first()
    director = User.objects.filter(email=demo_email("johtaja.forssa")).first()
    # The weekly story hour runs from September to Christmas: across the clock change.
    first_tuesday = _next_weekday(date(today.year, 9, 1), 1)
    if humppila and contact:
        story = _save(Item(kind=Item.Kind.EVENT, library=humppila, title_fi="Satutunti (demo)",
                           title_sv="Sagostund (demo)",
                           text_fi="Satuja ja loruja 3–6-vuotiaille joka tiistai. Ei ennakkoilmoittautumista.",
                           starts_at=_at(first_tuesday, 18), ends_at=_at(first_tuesday, 18, 45),
                           place_fi="Humppilan kirjasto, lastenosasto", repeat=Item.Repeat.WEEKLY,
                           repeat_until=date(today.year, 12, 15),
                           exception_dates=[_next_weekday(date(today.year, 10, 27), 1).isoformat()],
                           audience=Item.Audience.CHILDREN, publish_from=start),
                      libraries=[humppila], by=contact)
        services.item_approve(item=story, by=coordinator, now=start)
        _save(Item(kind=Item.Kind.EVENT, library=humppila, title_fi="Lukupiiri: kotimaiset klassikot (demo)",
                   text_fi="Keskustellaan Väinö Linnan Tuntemattomasta sotilaasta. Kahvitarjoilu.",
                   starts_at=_at(today + timedelta(days=12), 17), ends_at=_at(today + timedelta(days=12), 18, 30),
                   place_fi="Humppilan kirjasto", audience=Item.Audience.ADULTS, publish_from=start),
              libraries=[humppila], by=contact)  # waits for the coordinator's check
    if forssa and director:
        game = _save(Item(kind=Item.Kind.EVENT, library=forssa, title_fi="Pelipäivä nuorille (demo)",
                          text_fi="Lautapelejä ja konsolipelejä Kehräämön kirjastossa.",
                          starts_at=_at(today + timedelta(days=5), 14), ends_at=_at(today + timedelta(days=5), 18),
                          place_fi="Forssan pääkirjasto", audience=Item.Audience.YOUTH, publish_from=start),
                     libraries=[forssa], by=director)
        services.item_approve(item=game, by=coordinator, now=start)
    _save(Item(kind=Item.Kind.NEWS, title_fi="Kirjastot suljettu juhannusaattona (demo)",
               title_sv="Biblioteken stängda på midsommarafton (demo)",
               text_fi="Kaikki Louna-kirjastot ovat suljettuina juhannusaattona. Omatoimikirjastot ovat auki 7–21.",
               audience=Item.Audience.ALL, publish_from=start), all_of_louna=True, by=coordinator)
    _save(Item(kind=Item.Kind.EVENT, title_fi="Lounakirjailijat esittäytyvät (demo)",
               text_fi="Alueen paikalliset kirjailijat kertovat uusista teoksistaan. Yhteinen tapahtuma.",
               starts_at=_at(today + timedelta(days=20), 18), ends_at=_at(today + timedelta(days=20), 20),
               place_fi="Forssan pääkirjasto", audience=Item.Audience.ADULTS, publish_from=start),
          all_of_louna=True, by=coordinator)


def _seed_generated(coordinator, libraries, today, existing, wanted):
    codes = sorted(libraries)
    audiences = [value for value, _label in Item.Audience.choices]
    start = _at(today, 0) - timedelta(days=1)
    for n in range(existing, wanted):
        library = libraries[codes[n % len(codes)]]
        day = today + timedelta(days=n % 120)
        _save(Item(kind=Item.Kind.EVENT if n % 5 else Item.Kind.NEWS, title_fi=f"{GENERATED} {n + 1}",
                   text_fi="Generoitu tapahtuma kuormitustestejä varten.", starts_at=_at(day, 10 + n % 8),
                   ends_at=_at(day, 11 + n % 8), repeat=Item.Repeat.WEEKLY if n % 7 == 0 else Item.Repeat.NONE,
                   repeat_until=day + timedelta(days=60) if n % 7 == 0 else None,
                   audience=audiences[n % len(audiences)], publish_from=start),
              libraries=[library], all_of_louna=n % 11 == 0, by=coordinator)
