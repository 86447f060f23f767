"""Louna's demo data: the real 2024 service agreement (areas and tasks word for word from
the signed document), this year's agreement copied from it, directors' meetings, customer
feedback, the shared web services with accessibility checks, and the Taukotila project.

Everything not taken from a public source says "(demo)". Idempotent: a second run adds
nothing. `scale` adds generated tasks, notes and feedback for query-count tests."""

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from consortium.models import Library, Municipality, Role, User
from consortium.permissions import LOUNA_AREA

from . import services
from .agreement_2024 import AREAS_2024, INTRODUCTION_2024, TITLE_2024
from .models import (
    AccessibilityCheck,
    AccessibilityFinding,
    AgendaItem,
    Agreement,
    Decision,
    Feedback,
    Meeting,
    Milestone,
    Project,
    ProjectNote,
    ServiceArea,
    Task,
    TaskNote,
    WebService,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
GENERATED = "Generoitu toimenpide"  # prefix of the tasks --scale adds
GENERATED_FEEDBACK = "(generoitu)"

# (area, task number) -> (schedule, due date in 2024 or None, followed per municipality)
TASK_SETTINGS_2024 = {
    (1, 2): (Task.Schedule.DUE_DATE, date(2024, 12, 31), False),
    (1, 7): (Task.Schedule.DUE_DATE, date(2024, 9, 30), False),
    (1, 8): (Task.Schedule.AS_NEEDED, None, False),
    (1, 11): (Task.Schedule.AS_NEEDED, None, False),
    (2, 1): (Task.Schedule.YEARLY, None, True),
    (2, 2): (Task.Schedule.YEARLY, None, True),
    (2, 3): (Task.Schedule.YEARLY, None, True),
    (4, 2): (Task.Schedule.YEARLY, None, True),
    (5, 1): (Task.Schedule.DUE_DATE, date(2024, 1, 31), False),
    (6, 1): (Task.Schedule.DUE_DATE, date(2024, 3, 31), True),
}

WEB_SERVICES = [
    ("Finna (louna.finna.fi)", "Louna-kirjastojen yhteinen verkkokirjasto Finna-alustalla.", "https://louna.finna.fi",
     None, True),
    ("Lounakirjailijat", "Louna-alueen paikallisten kirjailijoiden verkkosivusto, ylläpidetään yhdessä.", "", None, False),
    ("Cineast", "Elokuvapalvelu; käyttöönotto koordinoidaan sopimuksen mukaan. (demo-kuvaus)", "", None, False),
    ("Kuntien yhteinen e-kirjasto", "Kansallinen E-kirjasto, jonka Kansalliskirjasto avasi 23.4.2024.", "",
     date(2024, 4, 23), True),
]


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI)


def _people():
    coordinator = User.objects.filter(role_assignments__role=Role.COORDINATOR).order_by("pk").first()
    directors = list(
        User.objects.filter(role_assignments__role=Role.DIRECTOR,
                            role_assignments__library__cooperation_areas__slug=LOUNA_AREA)
        .distinct().order_by("pk")
    )
    return coordinator, directors


@transaction.atomic
def seed_louna(*, scale: int = 0, stdout=None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    libraries = list(Library.objects.in_area(LOUNA_AREA).select_related("municipality").order_by("name"))
    forssa = next((lib for lib in libraries if lib.municipality.code == "061"), None)
    if forssa is None:
        if stdout:
            stdout.write("  Louna: no Forssa library; run the core seeder first.")
        return
    coordinator, directors = _people()
    web = _seed_web_services(coordinator, today)
    agreement = _seed_agreement_2024(forssa, libraries, coordinator)
    current = agreement
    if today.year != 2024:
        current = Agreement.objects.filter(year=today.year).first()
        if current is None:
            latest = Agreement.objects.filter(year__lt=today.year).order_by("-year").first() or agreement
            current = services.agreement_copy(source=latest, year=today.year)
            _seed_progress(current, coordinator, today)
    _seed_meetings(agreement, coordinator, directors, today)
    if current != agreement:
        _seed_meetings(current, coordinator, directors, today)
    _seed_next_years_first_meeting(coordinator, today)
    _seed_feedback(web, libraries, coordinator, today)
    _seed_projects(libraries, coordinator, agreement)
    if scale:
        _seed_at_scale(current, web, libraries, coordinator, scale, today)
    if stdout:
        stdout.write(f"  Louna: agreements {', '.join(str(y) for y in Agreement.objects.values_list('year', flat=True))}")


def _seed_web_services(coordinator, today):
    result = {}
    for name, description, url, introduced, feedback in WEB_SERVICES:
        service, _ = WebService.objects.get_or_create(name=name, defaults={
            "description": description, "url": url, "introduced_on": introduced, "administrator": coordinator,
            "administrator_note": "Forssan kaupunginkirjasto", "receives_feedback": feedback,
        })
        result[name] = service
    # Yearly checks (demo): every service last year; this year only Finna, so the
    # warning for a missing check shows on the others.
    for index, service in enumerate(result.values()):
        for year in (today.year - 1,) + ((today.year,) if index == 0 else ()):
            checked_on = date(year, 9, 15) if year < today.year else min(today, date(year, 9, 15))
            check, created = AccessibilityCheck.objects.get_or_create(service=service, year=year, defaults={
                "checked_on": checked_on, "checked_by": coordinator,
                "summary": "(demo) Tarkistettu WCAG 2.1 AA -tason mukaan automaattisella työkalulla ja käsin.",
            })
            if created:
                AccessibilityFinding.objects.create(
                    check_run=check, criterion="1.4.3", severity=AccessibilityFinding.Severity.SERIOUS,
                    description="(demo) Alatunnisteen linkkien kontrasti on liian pieni.",
                    fixed_on=checked_on + timedelta(days=30) if year < today.year else None,
                    fix_note="(demo) Värit vaihdettu." if year < today.year else "",
                )
                AccessibilityFinding.objects.create(
                    check_run=check, criterion="2.4.7", severity=AccessibilityFinding.Severity.MODERATE,
                    description="(demo) Näppäimistökohdistus ei näy hakukentässä.",
                )
    return result


def _seed_agreement_2024(forssa, libraries, coordinator):
    agreement, created = Agreement.objects.get_or_create(year=2024, defaults={
        "title": TITLE_2024, "introduction": INTRODUCTION_2024, "provider": forssa,
        "starts_on": date(2024, 1, 1), "ends_on": date(2024, 12, 31),
    })
    if created:
        agreement.libraries.set(libraries)
    for number, title, tasks in AREAS_2024:
        area, _ = ServiceArea.objects.get_or_create(agreement=agreement, number=number, defaults={"title": title})
        for task_number, text in enumerate(tasks, start=1):
            schedule, due_on, per_municipality = TASK_SETTINGS_2024.get(
                (number, task_number), (Task.Schedule.YEARLY, None, False))
            task, task_created = Task.objects.get_or_create(area=area, number=task_number, defaults={
                "text": text, "responsible": coordinator, "schedule": schedule, "due_on": due_on,
                "per_municipality": per_municipality,
            })
            if task_created:
                services.task_save(task=task)
                # The year is over: the demo shows it carried out (the states are demo).
                state = Task.State.NOT_NEEDED if (number, task_number) == (1, 11) else Task.State.DONE
                services.task_set_state(
                    task=task, state=state, on=date(2024, 12, 15), by=coordinator,
                    text="(demo) Tehty sovitusti." if state == Task.State.DONE else "",
                    reason="(demo) Uusia yhteisiä verkkopalveluita ei otettu käyttöön vuonna 2024.",
                )
                task.municipal_states.update(state=Task.State.DONE)
    return agreement


def _seed_progress(agreement, coordinator, today):
    """Some of this year's work under way (demo)."""
    tasks = list(Task.objects.filter(area__agreement=agreement).select_related("area").order_by("area__number",
                                                                                                  "number"))
    year_start = date(agreement.year, 1, 1)
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    for index, task in enumerate(tasks):
        if (task.area.number, task.number) == (1, 7):
            # The yearly accessibility follow-up is late: three services still lack this year's check.
            services.task_set_state(task=task, state=Task.State.IN_PROGRESS, on=max(year_start, today - timedelta(days=60)),
                                    by=coordinator, text="(demo) Finna tarkistettu, muut kesken.")
            continue
        if (task.area.number, task.number) == (1, 6):
            task.schedule, task.due_on = Task.Schedule.DUE_DATE, month_end
            services.task_save(task=task)
            continue
        if task.due_on and task.due_on < today:
            services.task_set_state(task=task, state=Task.State.DONE, on=min(task.due_on, today), by=coordinator,
                                    text="(demo) Valmis määräaikaan mennessä.")
        elif index % 3 == 0:
            services.task_set_state(task=task, state=Task.State.IN_PROGRESS, on=max(year_start, today - timedelta(days=30)),
                                    by=coordinator, text="(demo) Työ aloitettu.")
            services.task_note_add(task=task, on=max(year_start, today - timedelta(days=7)), by=coordinator,
                                   text="(demo) Sisäinen muistiinpano: aikataulu tarkentuu.", for_directors=False)


MEETING_DATES = [(2, 6), (5, 14), (9, 10), (11, 26)]


def _seed_next_years_first_meeting(coordinator, today):
    """January's meeting, planned before next year's agreement exists (it joins it when made)."""
    year = today.year + 1
    title = f"Louna-johtajien kokous 1/{year}"
    if Meeting.objects.filter(title=title).exists() or not Agreement.objects.filter(year=today.year).exists():
        return
    starts = _aware(date(year, 1, 14), 13)
    services.meeting_save(meeting=Meeting(title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
                                          chair=coordinator, place="Forssan pääkirjasto"))


def _seed_meetings(agreement, coordinator, directors, today):
    now = timezone.now()
    for number, (month, day) in enumerate(MEETING_DATES, start=1):
        starts = _aware(date(agreement.year, month, day), 13)
        title = f"Louna-johtajien kokous {number}/{agreement.year}"
        meeting, created = Meeting.objects.get_or_create(agreement=agreement, title=title, defaults={
            "starts_at": starts, "ends_at": starts + timedelta(hours=2), "chair": coordinator,
            "place": "Forssan pääkirjasto" if number % 2 else "", "online_url": "" if number % 2 else
            "https://teams.example/louna-demo", "proposals_close_on": starts.date() - timedelta(days=7),
        })
        if not created:
            continue
        first = AgendaItem.objects.create(meeting=meeting, title="Toimenpideohjelman tilanne", position=1,
                                          state=AgendaItem.State.ON_AGENDA, proposed_by=coordinator)
        if directors:
            AgendaItem.objects.create(
                meeting=meeting, title="(demo) Omatoimikirjaston aukioloajat yhtenäisiksi", position=2,
                state=AgendaItem.State.ON_AGENDA, proposed_by=directors[0],
                library=directors[0].role_assignments.filter(role=Role.DIRECTOR).first().library,
            )
        if meeting.ends_at < now:
            meeting.state = Meeting.State.HELD
            meeting.agenda_sent_at = starts - timedelta(days=5)
            meeting.minutes = ("(demo) Läsnä kaikkien Louna-kirjastojen johtajat. Käytiin läpi toimenpideohjelman "
                               "tilanne ja päätettiin jatkotoimista.")
            meeting.minutes_recorded_at = meeting.ends_at + timedelta(days=1)
            meeting.save()
            Decision.objects.create(meeting=meeting, agenda_item=first,
                                    text="(demo) Toimenpideohjelman tilanne merkittiin tiedoksi.")
        elif directors and len(directors) > 1:
            AgendaItem.objects.create(meeting=meeting, title="(demo) Yhteinen lukudiplomi", proposed_by=directors[1],
                                      description="(demo) Ehdotus yhteisestä lukudiplomista kouluille.")


def _seed_feedback(web, libraries, coordinator, today):
    if Feedback.objects.filter(text__startswith="(demo)").exists():
        return
    finna, elibrary = web["Finna (louna.finna.fi)"], web["Kuntien yhteinen e-kirjasto"]
    municipalities = [lib.municipality for lib in libraries] + [None]
    texts = [
        "(demo) Hakutulosten lajittelu ei muistu sivulta toiselle.",
        "(demo) Varauksen noutopaikkaa ei voi vaihtaa.",
        "(demo) E-kirjan lainaaminen ei onnistu mobiilisovelluksessa.",
        "(demo) Tapahtumakalenterissa näkyy väärän kunnan tapahtuma.",
        "(demo) Kiitos selkeästä etusivusta!",
    ]
    rows = []
    for index in range(24):
        received = today - timedelta(days=7 * index + 1)
        if received.year < today.year - 1:
            break
        service = finna if index % 3 else elibrary
        state = [Feedback.State.NEW, Feedback.State.HANDLING, Feedback.State.ANSWERED, Feedback.State.CLOSED][
            min(3, index // 3)]
        answered = state in (Feedback.State.ANSWERED, Feedback.State.CLOSED)
        rows.append(Feedback(
            channel=Feedback.Channel.FINNA if service == finna else Feedback.Channel.ELIBRARY, service=service,
            received_on=received, text=texts[index % len(texts)], municipality=municipalities[index % len(municipalities)],
            state=state, answer="(demo) Kiitos palautteesta, asia on korjattu." if answered else "",
            answered_on=received + timedelta(days=2) if answered else None,
            handler=coordinator if state != Feedback.State.NEW else None,
        ))
    Feedback.objects.bulk_create(rows)


def _seed_projects(libraries, coordinator, agreement):
    project, created = Project.objects.get_or_create(name="Taukotila – kohtaa ja vaikuta demokraattisesti", defaults={
        "aim": ("Kirjastot matalan kynnyksen kohtaamispaikkoina: jokainen kirjasto kokeilee oman mallinsa, ja "
                "yhdessä niistä muodostetaan yhteinen Taukotila-konsepti. Hankkeessa hankitaan ääni- ja "
                "podcast-välineitä, koulutetaan henkilöstöä ja tehdään asukaskysely."),
        "funder": "(demo) rahoittaja ei tiedossa", "starts_on": date(2023, 1, 1), "ends_on": date(2024, 12, 31),
        "state": Project.State.FINISHED,
    })
    if created:
        project.libraries.set(libraries)
        for title, due, done in [
            ("(demo) Kirjastojen omat kokeilumallit käynnissä", date(2024, 3, 31), date(2024, 4, 5)),
            ("(demo) Ääni- ja podcast-välineet hankittu", date(2024, 5, 31), date(2024, 5, 20)),
            ("(demo) Henkilöstön koulutus pidetty", date(2024, 9, 30), date(2024, 10, 2)),
            ("(demo) Asukaskysely tehty", date(2024, 10, 31), date(2024, 11, 8)),
            ("(demo) Yhteinen Taukotila-konsepti valmis", date(2024, 12, 15), date(2024, 12, 13)),
        ]:
            Milestone.objects.create(project=project, title=title, due_on=due, done_on=done)
        ProjectNote.objects.create(project=project, on=date(2024, 6, 1), author=coordinator,
                                   text="(demo) Kokeilut käynnissä kaikissa viidessä kirjastossa.")
    first_meeting = agreement.meetings.order_by("starts_at").first()
    Project.objects.get_or_create(name="(demo) Hankeidea: kirjastoauton digituki", defaults={
        "aim": "(demo) Johtajien kokouksessa esiin noussut idea digituesta kirjastoauton pysäkeillä.",
        "state": Project.State.IDEA, "raised_in": first_meeting,
    })


def _seed_at_scale(agreement, web, libraries, coordinator, scale, today):
    """Generated volume for query-count tests: 30 tasks with 3 notes each and 200 feedback
    per unit of scale. Adds only what is missing, so running twice changes nothing."""
    area = agreement.areas.order_by("number").first()
    wanted_tasks = 30 * scale
    have = Task.objects.filter(area__agreement=agreement, text__startswith=GENERATED).count()
    if have < wanted_tasks:
        start = area.tasks.order_by("-number").values_list("number", flat=True).first() or 0
        states = Task.State.values
        new = Task.objects.bulk_create([
            Task(area=area, number=start + i + 1, text=f"{GENERATED} {have + i + 1}", responsible=coordinator,
                 schedule=Task.Schedule.DUE_DATE, due_on=date(agreement.year, (i % 12) + 1, 15),
                 state=states[i % 3], per_municipality=(i % 4 == 0))
            for i in range(wanted_tasks - have)
        ])
        TaskNote.objects.bulk_create([
            TaskNote(task=task, on=date(agreement.year, 1 + n, 10), text=f"Generoitu muistiinpano {n + 1}",
                     author=coordinator, for_directors=n != 2)
            for task in new for n in range(3)
        ])
        from .models import TaskMunicipality

        TaskMunicipality.objects.bulk_create([
            TaskMunicipality(task=task, library=library) for task in new if task.per_municipality
            for library in libraries
        ])
    wanted_feedback = 200 * scale
    have = Feedback.objects.filter(text__startswith=GENERATED_FEEDBACK).count()
    services_ = list(web.values())
    municipalities = list(Municipality.objects.filter(pk__in=[lib.municipality_id for lib in libraries])) + [None]
    Feedback.objects.bulk_create([
        Feedback(channel=Feedback.Channel.FINNA, service=services_[i % len(services_)],
                 received_on=min(today, date(today.year, (i % today.month) + 1, 1 + i % 28)),
                 text=f"{GENERATED_FEEDBACK} palaute {have + i + 1}", municipality=municipalities[i % len(municipalities)],
                 state=Feedback.State.NEW)
        for i in range(max(0, wanted_feedback - have))
    ])
