"""Demo data of the action programme: the 2024 programme drafted from the 2024 agreement's
tasks, reviewed, finalised and followed through the year (with draft implementation
reports), and this year's programme in review with comments and a proposal.

Texts not taken from the agreement say "(demo)". Idempotent: a second run adds nothing.
`scale` adds 30 generated items per unit to the programme in review."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from consortium.calendar import next_working_day
from consortium.models import Role, User
from consortium.permissions import LOUNA_AREA

from . import services
from ..models import Agreement
from .models import (
    ItemProgress,
    ItemVersion,
    LibraryPosition,
    Programme,
    ProgrammeItem,
)

GENERATED = "Generoitu kohta"

INTRODUCTION = (
    "Toimenpideohjelma kokoaa vuoden aikana yhdessä tehtävät asiat palvelusopimuksen palvelukokonaisuuksittain. "
    "Ohjelma on laadittu yhdessä Louna-kirjastonjohtajien kanssa, ja kukin kirjasto jakaa sen omassa kunnassaan "
    "tarkoituksenmukaisille tahoille. (demo)"
)

# (state, per cent, note) for the 2024 items in turn, repeating
FOLLOW_UP = [
    ("done", 100, "Tehty suunnitelman mukaan. (demo)"),
    ("in_progress", 60, "Työ jatkuu, valmistuu alkuvuonna. (demo)"),
    ("done", 100, ""),
    ("moved", 20, "Siirretään ensi vuoteen, koska Quria-siirron aikataulu muuttui. (demo)"),
    ("done", 100, ""),
    ("dropped", 0, "Jätettiin pois: tarve poistui, kun palvelu vaihtui. (demo)"),
]


def _people():
    coordinator = User.objects.filter(role_assignments__role=Role.COORDINATOR).order_by("pk").first()
    directors = list(User.objects.filter(role_assignments__role=Role.DIRECTOR,
                                         role_assignments__library__cooperation_areas__slug=LOUNA_AREA)
                     .distinct().order_by("pk"))
    return coordinator, directors


def _draft(year: int, coordinator) -> Programme | None:
    agreement = Agreement.objects.filter(year=year).first()
    if agreement is None:
        return None
    programme = Programme.objects.filter(year=year).first()
    if programme is None:
        programme = services.programme_create(year=year, introduction=INTRODUCTION, agreement=agreement,
                                              by=coordinator)
        tasks = [task for area in agreement.areas.prefetch_related("tasks__responsible", "tasks__area")
                 for task in area.tasks.all()]
        items = services.items_draft_from_tasks(programme=programme, tasks=tasks, by=coordinator)
        for index, item in enumerate(items):
            item.aim = f"Palvelukokonaisuuden {item.area.number} tavoitteet toteutuvat vuonna {year}. (demo)"
            item.indicator = "Tehty ja raportoitu johtajien kokouksessa. (demo)" if index % 2 == 0 else \
                "Kirjastot ovat saaneet tiedot käyttöönsä. (demo)"
            item.save(update_fields=["aim", "indicator"])
    return programme


def _answer_all(programme: Programme, directors, coordinator) -> None:
    from . import permissions as perms

    for library in perms.louna_libraries():
        if LibraryPosition.objects.filter(programme=programme, library=library).exists():
            continue
        director = next((d for d in directors if library.pk in perms.position_libraries(d)), None)
        if director is None:
            services.position_record_no_answer(programme=programme, library=library,
                                               reason="Kirjastolla ei ollut johtajaa kierroksen aikana. (demo)",
                                               by=coordinator)
        else:
            services.position_state(programme=programme, library=library, position="approve", by=director)


@transaction.atomic
def seed_programmes(*, scale: int = 0, stdout=None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    coordinator, directors = _people()
    if coordinator is None:
        return
    # 2024: reviewed, final, followed, reports drafted
    past = _draft(2024, coordinator)
    if past is not None and past.state == Programme.State.DRAFT:
        services.review_open(programme=past, deadline=date(2024, 2, 15), by=coordinator, today=date(2024, 1, 20),
                             note="Kommentit helmikuun puoliväliin mennessä. (demo)", notify=False)
        past.refresh_from_db()
        first = past.items.order_by("position").first()
        if directors:
            services.comment_add(item=first, text="Voisiko tähän lisätä aikataulun? (demo)", by=directors[0],
                                 today=date(2024, 2, 1))
        first.schedule = "helmi–marraskuu 2024"
        first.save(update_fields=["schedule"])
        services.version_publish(programme=past, note="Aikataulu tarkennettu kommenttien mukaan. (demo)",
                                 by=coordinator, notify=False)
        _answer_all(past, directors, coordinator)
        services.programme_finalise(programme=past, by=coordinator)
        past.refresh_from_db()
        for index, item in enumerate(past.items.order_by("position")):
            state, percent, note = FOLLOW_UP[index % len(FOLLOW_UP)]
            ItemProgress.objects.create(item=item, on=date(2024, 6, 1), state="in_progress", percent=40,
                                        note="Käynnissä. (demo)", author=coordinator, state_before="not_started")
            ItemProgress.objects.create(item=item, on=date(2024, 12, 15), state=state, percent=percent, note=note,
                                        author=coordinator, state_before="in_progress")
            item.state, item.percent = state, percent
            item.save(update_fields=["state", "percent"])
        services.reports_draft(programme=past)
    # this year: in review
    current = _draft(today.year, coordinator) if today.year != 2024 else None
    if current is not None and current.state == Programme.State.DRAFT:
        services.review_open(programme=current, deadline=next_working_day(today + timedelta(days=10)), by=coordinator,
                            today=today,
                             note="Luonnos kommentoitavaksi. (demo)", notify=False)
        item = current.items.order_by("position").first()
        if directors:
            comment = services.comment_add(item=item, text="Hyvä kohta. Miten Quria-siirto näkyy tässä? (demo)",
                                           by=directors[0], today=today)
            services.comment_add(item=item, text="Lisään sen mittariin seuraavaan versioon. (demo)",
                                 by=coordinator, parent=comment, today=today, notify=False)
            services.proposal_add(item=item, field="indicator",
                                  proposed_text="Tietokannan tarkistukset tehty ja raportoitu. (demo)",
                                  reason="Selkeämpi mittari. (demo)", by=directors[-1], today=today)
    if scale and current is not None and current.state == Programme.State.REVIEW:
        _seed_at_scale(current, scale)
    if stdout:
        stdout.write("  Louna programme: " + ", ".join(f"{p.year} ({p.get_state_display()})"
                                                      for p in Programme.objects.order_by("year")))


def _seed_at_scale(programme: Programme, scale: int) -> None:
    wanted = 30 * scale
    have = programme.items.filter(title__startswith=GENERATED).count()
    if have >= wanted:
        return
    last = programme.items.order_by("-position").values_list("position", flat=True).first() or 0
    new = ProgrammeItem.objects.bulk_create([
        ProgrammeItem(programme=programme, position=last + 10 * (n + 1), title=f"{GENERATED} {have + n + 1}",
                      aim="Generoitu tavoite.", measures="Generoidut toimenpiteet.", responsible="Koordinaattori",
                      schedule="koko vuosi", indicator="Generoitu mittari.")
        for n in range(wanted - have)
    ])
    version = services.latest_version(programme)
    ItemVersion.objects.bulk_create([
        ItemVersion(version=version, item=item, position=item.position, title=item.title, aim=item.aim,
                    measures=item.measures, responsible=item.responsible, schedule=item.schedule,
                    indicator=item.indicator)
        for item in new
    ])
