"""Demo trainings, labelled "(demo)": a training day with places, a full webinar with a
waiting list, a held one with attendance and feedback, and a wish. Idempotent.
`scale` adds scale × 30 generated trainings with up to 100 registrations each
(bulk_create: tens of thousands of rows at --scale 10) for the query-count tests."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from consortium.demo_data import demo_email
from consortium.models import Library, User

from .models import HELSINKI, Feedback, Registration, Training, TrainingWish, WishVote

GENERATED = "Generoitu koulutus"
THEMES = ["E-aineistojen näkyvyys", "E-kirjasto", "Saavutettavuus", "Metadata"]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


def _training(day: date, **fields) -> Training:
    defaults = {"kind": Training.Kind.DAY, "theme": THEMES[0], "starts_at": _at(day, 9), "ends_at": _at(day, 15),
                "capacity": 30, "registration_opens_at": _at(day - timedelta(days=60), 8),
                "registration_deadline": _at(day - timedelta(days=3), 16), "state": Training.State.PUBLISHED}
    defaults.update(fields)
    return Training(**defaults)


@transaction.atomic
def seed_trainings(*, scale: int = 0, stdout=None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    staff = User.objects.filter(email=demo_email("henkilokunta")).first() or \
        User.objects.filter(role_assignments__role="staff").first()
    libraries = list(Library.objects.order_by("pk")[:40])
    if not libraries:
        return
    if not Training.objects.filter(title_fi__endswith="(demo)").exists():
        _seed_examples(staff, libraries, today)
    existing = Training.objects.filter(title_fi__startswith=GENERATED).count()
    wanted = scale * 30
    if existing < wanted:
        _seed_generated(libraries, today, existing, wanted)
    if stdout:
        stdout.write(f"Trainings: {Training.objects.count()} trainings, {Registration.objects.count()} registrations")


def _seed_examples(staff, libraries, today):
    day = _training(today + timedelta(days=21), title_fi="E-aineistot näkyviksi kirjaston tiloissa (demo)",
                    title_sv="E-material synliga i bibliotekets lokaler (demo)",
                    description_fi="Koulutuspäivä e-aineistojen esille tuomisesta kirjaston tiloissa.",
                    place_fi="Helsingin keskustakirjasto Oodi, Töölönlahdenkatu 4", created_by=staff)
    webinar = _training(today + timedelta(days=7), kind=Training.Kind.WEBINAR, theme=THEMES[1], capacity=3,
                        title_fi="E-kirjaston uudet ominaisuudet (demo)", eservice="E-kirjasto",
                        starts_at=_at(today + timedelta(days=7), 13), ends_at=_at(today + timedelta(days=7), 14),
                        registration_deadline=_at(today + timedelta(days=6), 12),
                        online_link="https://example.invalid/webinaari-demo", created_by=staff)
    held = _training(today - timedelta(days=10), theme=THEMES[2], state=Training.State.HELD,
                     title_fi="Verkkopalvelujen saavutettavuus (demo)", place_fi="Forssan kaupunginkirjasto",
                     created_by=staff)
    Training.objects.bulk_create([day, webinar, held])
    people = list(User.objects.filter(role_assignments__library__isnull=False).distinct().order_by("pk")[:6])
    rows = []
    for index, person in enumerate(people):
        library = person.role_assignments.exclude(library=None).first().library
        for training, state in ((webinar, Registration.State.REGISTERED if index < 3 else Registration.State.WAITING),
                                (held, Registration.State.REGISTERED)):
            rows.append(Registration(training=training, library=library, user=person, full_name=person.full_name,
                                     email=person.email, state=state,
                                     attended=(index % 3 != 0) if training is held else None))
    Registration.objects.bulk_create(rows)
    Feedback.objects.bulk_create([Feedback(registration=r, rating=4 + (r.pk % 2), text="Hyödyllinen päivä.")
                                  for r in rows if r.attended][:3])
    wish = TrainingWish.objects.create(topic="Äänikirjojen lainausohjeet asiakkaille (demo)", eservice="Ellibs",
                                       created_by=staff)
    voters = [p for p in people if p.role_assignments.filter(role="contact").exists()][:3]
    WishVote.objects.bulk_create([WishVote(wish=wish, user=p, library=p.role_assignments.exclude(library=None)
                                           .first().library, staff_count=2 + i) for i, p in enumerate(voters)])


def _seed_generated(libraries, today, existing, wanted):
    trainings = []
    for n in range(existing, wanted):
        day = today + timedelta(days=(n % 240) - 60)
        trainings.append(_training(day, title_fi=f"{GENERATED} {n + 1}", theme=THEMES[n % len(THEMES)],
                                   kind=Training.Kind.WEBINAR if n % 3 == 0 else Training.Kind.DAY,
                                   online_link="https://example.invalid/webinaari" if n % 3 == 0 else "",
                                   capacity=80, state=Training.State.HELD if day < today else
                                   Training.State.PUBLISHED))
    Training.objects.bulk_create(trainings, batch_size=500)
    rows = []
    for training in trainings:
        for i in range(100):
            library = libraries[i % len(libraries)]
            rows.append(Registration(training=training, library=library, full_name=f"Demo Henkilö {i + 1}",
                                     email=f"koulutus{training.pk}.{i}@demo.invalid",
                                     state=Registration.State.REGISTERED if i < 80 else Registration.State.WAITING))
        if len(rows) >= 5000:
            Registration.objects.bulk_create(rows, batch_size=1000)
            rows = []
    Registration.objects.bulk_create(rows, batch_size=1000)
