"""Demo data of the core: real municipality names and codes, the Louna libraries, one
person per role. Idempotent: running it again changes nothing that is already there."""

from datetime import date

from django.db import transaction

from .models import (
    CooperationArea,
    Library,
    Municipality,
    MunicipalityPopulation,
    Role,
    RoleAssignment,
    ServicePoint,
    ServicePointExternalId,
    User,
)
from .permissions import LOUNA_AREA

DEMO_PASSWORD = "demo-salasana-2026"
DEMO_DOMAIN = "demo.kirjastoportaali.example"

# Louna: codes and populations at 31.12.2020 (Statistics Finland).
LOUNA_MUNICIPALITIES = [
    ("061", "Forssa", "Forssa", 16800, "Forssan kaupunginkirjasto"),
    ("103", "Humppila", "Humppila", 2174, "Humppilan kunnankirjasto"),
    ("169", "Jokioinen", "Jockis", 5061, "Jokioisten kunnankirjasto"),
    ("834", "Tammela", "Tammela", 6016, "Tammelan kunnankirjasto"),
    ("981", "Ypäjä", "Ypäjä", 2314, "Ypäjän kunnankirjasto"),
]

# Finnish genitives of the demo municipalities' names (no rule makes them: Jokioinen →
# Jokioisten, Lahti → Lahden, Seinäjoki → Seinäjoen).
GENITIVES = {
    "061": "Forssan", "103": "Humppilan", "169": "Jokioisten", "834": "Tammelan", "981": "Ypäjän",
    "091": "Helsingin", "049": "Espoon", "092": "Vantaan", "837": "Tampereen", "853": "Turun", "564": "Oulun",
    "179": "Jyväskylän", "297": "Kuopion", "398": "Lahden", "609": "Porin", "167": "Joensuun",
    "405": "Lappeenrannan", "109": "Hämeenlinnan", "905": "Vaasan", "743": "Seinäjoen", "698": "Rovaniemen",
    "286": "Kouvolan", "491": "Mikkelin", "734": "Salon", "638": "Porvoon", "272": "Kokkolan", "430": "Loimaan",
}

# Other member libraries under real municipality names and codes.
OTHER_MUNICIPALITIES = [
    ("091", "Helsinki", "Helsingfors"), ("049", "Espoo", "Esbo"), ("092", "Vantaa", "Vanda"),
    ("837", "Tampere", "Tammerfors"), ("853", "Turku", "Åbo"), ("564", "Oulu", "Uleåborg"),
    ("179", "Jyväskylä", "Jyväskylä"), ("297", "Kuopio", "Kuopio"), ("398", "Lahti", "Lahtis"),
    ("609", "Pori", "Björneborg"), ("167", "Joensuu", "Joensuu"), ("405", "Lappeenranta", "Villmanstrand"),
    ("109", "Hämeenlinna", "Tavastehus"), ("905", "Vaasa", "Vasa"), ("743", "Seinäjoki", "Seinäjoki"),
    ("698", "Rovaniemi", "Rovaniemi"), ("286", "Kouvola", "Kouvola"), ("491", "Mikkeli", "S:t Michel"),
    ("734", "Salo", "Salo"), ("638", "Porvoo", "Borgå"), ("272", "Kokkola", "Karleby"),
    ("430", "Loimaa", "Loimaa"),
]

# (email local part, name, role, municipality code of the library or None)
DEMO_PEOPLE = [
    ("henkilokunta", "Kaisa Konsortio (demo)", Role.STAFF, None),
    ("koordinaattori", "Kalle Koordinaattori (demo)", Role.COORDINATOR, None),
    ("johtaja.humppila", "Hanna Humppilainen (demo)", Role.DIRECTOR, "103"),
    ("johtaja.tammela", "Tuomas Tammelainen (demo)", Role.DIRECTOR, "834"),
    ("johtaja.forssa", "Fanni Forssalainen (demo)", Role.DIRECTOR, "061"),
    ("johtaja.jokioinen", "Jussi Jokioislainen (demo)", Role.DIRECTOR, "169"),
    ("johtaja.ypaja", "Ylva Ypäjäläinen (demo)", Role.DIRECTOR, "981"),
    ("johtaja.tampere", "Taisto Tammerkoski (demo)", Role.DIRECTOR, "837"),
    ("yhteyshenkilo.humppila", "Heikki Yhteyshenkilö (demo)", Role.CONTACT, "103"),
    ("yhteyshenkilo.tampere", "Tiina Tamperelainen (demo)", Role.CONTACT, "837"),
]


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def library_name_for(municipality_name: str) -> str:
    return f"{municipality_name} – kirjasto"


@transaction.atomic
def seed_core(*, scale: int = 0, stdout=None) -> list[tuple[str, str, str]]:
    """Seed the core. Returns the demo logins as (role, e-mail, password)."""
    louna, _ = CooperationArea.objects.get_or_create(
        slug=LOUNA_AREA, defaults={"name": "Louna", "description": "Forssan seudun kirjastot"}
    )
    for code, name_fi, name_sv, population, library_name in LOUNA_MUNICIPALITIES:
        municipality, _ = Municipality.objects.get_or_create(
            code=code, defaults={"name_fi": name_fi, "name_sv": name_sv, "name_genitive_fi": GENITIVES[code]})
        MunicipalityPopulation.objects.get_or_create(municipality=municipality, year=2020,
                                                     defaults={"population": population})
        library, _ = Library.objects.get_or_create(
            municipality=municipality, name=library_name, defaults={"member_since": date(2015, 1, 1)}
        )
        library.cooperation_areas.add(louna)
        main_name = f"{GENITIVES[code]} pääkirjasto"
        point, _ = ServicePoint.objects.get_or_create(library=library, name=main_name,
                                                      defaults={"kind": ServicePoint.Kind.MAIN})
        ServicePointExternalId.objects.get_or_create(source=ServicePointExternalId.Source.MIKROMARC,
                                                     value=f"LOUNA-{code}-1", defaults={"service_point": point})
    forssa = Library.objects.get(municipality__code="061")
    ServicePoint.objects.get_or_create(library=forssa, name="Forssan ja Tammelan kirjastoauto",
                                       defaults={"kind": ServicePoint.Kind.MOBILE})
    ypaja = Library.objects.get(municipality__code="981")
    ServicePoint.objects.get_or_create(library=ypaja, name="Ypäjänkylän lainausasema (demo)",
                                       defaults={"kind": ServicePoint.Kind.OTHER})

    for index, (code, name_fi, name_sv) in enumerate(OTHER_MUNICIPALITIES):
        municipality, _ = Municipality.objects.get_or_create(
            code=code, defaults={"name_fi": name_fi, "name_sv": name_sv, "name_genitive_fi": GENITIVES[code]})
        library, _ = Library.objects.get_or_create(
            municipality=municipality, name=f"{GENITIVES[code]} kaupunginkirjasto (demo)",
            defaults={"member_since": date(2014 + index % 6, 1, 1)},
        )
        ServicePoint.objects.get_or_create(library=library, name=f"{name_fi} – pääkirjasto",
                                           defaults={"kind": ServicePoint.Kind.MAIN})

    logins = []
    for local, name, role, code in DEMO_PEOPLE:
        user = User.objects.filter(email=demo_email(local)).first()
        if user is None:
            user = User.objects.create_user(demo_email(local), DEMO_PASSWORD, full_name=name)
        library = Library.objects.filter(municipality__code=code).first() if code else None
        RoleAssignment.objects.get_or_create(user=user, role=role, library=library)
        logins.append((Role(role).label, user.email, DEMO_PASSWORD))
    if scale:
        seed_core_at_scale(scale=scale)
    return logins


def seed_core_at_scale(*, scale: int) -> None:
    """A national-size set: 30 municipalities, 75 service points and 500 people per unit of
    scale (at 10: 300, 750 and 5,000). Generated names say they are generated."""
    from django.contrib.auth.hashers import make_password

    target_municipalities = 30 * scale
    used_codes = set(Municipality.objects.values_list("code", flat=True))
    free_codes = [f"{n:03d}" for n in range(1, 1000) if f"{n:03d}" not in used_codes]
    missing = max(0, target_municipalities - len(used_codes))
    new_municipalities = [
        Municipality(code=code, name_fi=f"Demokunta {code}", name_sv=f"Demokommun {code}")
        for code in free_codes[:missing]
    ]
    Municipality.objects.bulk_create(new_municipalities)
    generated = Municipality.objects.filter(name_fi__startswith="Demokunta ", libraries__isnull=True)
    Library.objects.bulk_create([
        Library(municipality=m, name=f"Demokunnan {m.code} kirjasto", member_since=date(2016, 1, 1))
        for m in generated
    ])
    libraries = list(Library.objects.filter(name__startswith="Demokunnan ").order_by("pk"))
    target_points = 75 * scale
    have_points = ServicePoint.objects.count()
    points = []
    for index in range(max(0, target_points - have_points)):
        library = libraries[index % len(libraries)]
        points.append(ServicePoint(library=library, name=f"{library.name}, toimipiste {index + 1}",
                                   kind=ServicePoint.Kind.BRANCH if index % 5 else ServicePoint.Kind.MOBILE))
    ServicePoint.objects.bulk_create(points)

    target_people = 500 * scale
    have_people = User.objects.count()
    password = make_password(DEMO_PASSWORD)
    new_people = [
        User(email=f"henkilo{have_people + n}@{DEMO_DOMAIN}", full_name=f"Demohenkilö {have_people + n}",
             password=password)
        for n in range(max(0, target_people - have_people))
    ]
    User.objects.bulk_create(new_people, batch_size=1000)
    created = list(User.objects.filter(email__in=[p.email for p in new_people]).order_by("pk"))
    RoleAssignment.objects.bulk_create([
        RoleAssignment(user=person, role=Role.CONTACT if n % 4 else Role.DIRECTOR,
                       library=libraries[n % len(libraries)])
        for n, person in enumerate(created)
    ], batch_size=1000, ignore_conflicts=True)
