"""Demo data: the catalogue holds services Finnish libraries really use (FACTS); stages,
take-ups, evaluations, proposals and the plan are invented and marked (demo)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from consortium.models import Library, Role, RoleAssignment, User

from .models import (
    Announcement,
    AnnualPlan,
    EvaluationGroup,
    Evaluator,
    Kind,
    Offering,
    Participation,
    PlanItem,
    Proposal,
    ProposalSupport,
    Report,
    Stage,
    StageChange,
    TakeUp,
)

OFFERINGS = [
    ("Ellibs e-kirjat ja e-äänikirjat", "Ellibs Oy", Kind.EBOOKS, ",fi,sv,", Stage.OFFERED,
     "Suomenkielisiä e-kirjoja ja e-äänikirjoja sekä lainausalusta.", "Vuosimaksu asukasluvun mukaan (demo)."),
    ("OverDrive", "OverDrive Inc.", Kind.EBOOKS, ",en,", Stage.OFFERED,
     "Englanninkielisiä e-kirjoja ja e-äänikirjoja.", "Lisenssit nimekkeittäin (demo)."),
    ("ePress", "ePress Oy", Kind.MAGAZINES, ",fi,", Stage.OFFERED,
     "Suomalaiset sanomalehdet näköislehtinä.", "Vuosisopimus (demo)."),
    ("PressReader", "PressReader", Kind.MAGAZINES, ",fi,sv,en,other,", Stage.NEGOTIATING,
     "Kansainväliset lehdet.", "Neuvoteltavana (demo)."),
    ("Zinio", "Zinio LLC", Kind.MAGAZINES, ",en,other,", Stage.DISCONTINUED,
     "Kansainväliset aikakauslehdet.", ""),
    ("eMagz", "eMagz", Kind.MAGAZINES, ",fi,", Stage.LOOKING, "Aikakaus- ja ammattilehdet.", ""),
    ("Naxos Music Library", "Naxos", Kind.MUSIC, ",other,", Stage.OFFERED,
     "Klassista musiikkia, jazzia ja kansanmusiikkia.", "Vuosimaksu (demo)."),
    ("Viddla", "Suomen Kirjastopalvelu Oy", Kind.FILMS, ",fi,sv,en,", Stage.EVALUATING,
     "Elokuvia ja dokumentteja kirjaston asiakkaille.", "Käyttökertamaksu (demo)."),
    ("Kirjastokino", "Kirjastokino", Kind.FILMS, ",fi,", Stage.OFFERED, "Kotimaisia ja ulkomaisia elokuvia.", ""),
]
PATHS = {
    Stage.LOOKING: [Stage.LOOKING],
    Stage.NEGOTIATING: [Stage.LOOKING, Stage.NEGOTIATING],
    Stage.EVALUATING: [Stage.LOOKING, Stage.NEGOTIATING, Stage.EVALUATING],
    Stage.OFFERED: [Stage.LOOKING, Stage.NEGOTIATING, Stage.OFFERED],
    Stage.DISCONTINUED: [Stage.LOOKING, Stage.NEGOTIATING, Stage.OFFERED, Stage.DISCONTINUED],
}


def _offering(name, vendor, kind, languages, stage, description, pricing, staff, when):
    offering = Offering.objects.filter(name_fi=name).first()
    if offering is not None:
        return offering, False
    offering = Offering.objects.create(name_fi=name, vendor=vendor, kind=kind, languages=languages, stage=stage,
                                       description_fi=description, pricing=pricing, created_by=staff,
                                       stage_changed_at=when)
    previous = ""
    for step, target in enumerate(PATHS[stage]):
        StageChange.objects.create(offering=offering, from_stage=previous, to_stage=target, by=staff,
                                   at=when - timedelta(days=30 * (len(PATHS[stage]) - step - 1)))
        previous = target
    if Stage.OFFERED in PATHS[stage]:
        Announcement.objects.create(offering=offering, by=staff, published_at=when,
                                    title_fi=f"Uutta jäsenille: {name}", text_fi=description)
    return offering, True


def _person_of(library, fallback):
    assignment = (RoleAssignment.objects.filter(library=library, role__in=(Role.CONTACT, Role.DIRECTOR))
                  .select_related("user").order_by("role", "pk").first())
    return assignment.user if assignment else fallback


@transaction.atomic
def seed_eservices(*, scale: int = 0, stdout=None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    now = timezone.now()
    staff = User.objects.filter(role_assignments__role=Role.STAFF).order_by("pk").first()
    libraries = list(Library.objects.filter(is_active=True, member_since__isnull=False).order_by("name"))
    if staff is None or not libraries:
        return
    offerings = []
    for index, row in enumerate(OFFERINGS):
        offering, created = _offering(*row, staff=staff, when=now - timedelta(days=5 + 20 * index))
        offerings.append((offering, created))
    for number in range(scale * 10):
        offering, created = _offering(f"Demopalvelu {number + 1} (demo)", "Demotoimittaja Oy (demo)",
                                      Kind.values[number % len(Kind.values)], ",fi,",
                                      Stage.OFFERED if number % 3 else Stage.NEGOTIATING,
                                      "Keksitty palvelu määrätestejä varten (demo).", "", staff,
                                      now - timedelta(days=90 + number))
        offerings.append((offering, created))

    for position, (offering, created) in enumerate(offerings):
        if not created or offering.stage not in (Stage.OFFERED, Stage.DISCONTINUED):
            continue
        users = libraries[position % 3::2]
        TakeUp.objects.bulk_create([
            TakeUp(offering=offering, library=library, since=date(today.year - 1 - index % 3, 1 + index % 12, 1),
                   reference=f"SOP-{offering.pk}-{library.pk} (demo)", recorded_by=staff)
            for index, library in enumerate(users)])

    viddla = Offering.objects.get(name_fi="Viddla")
    groups = [("Viddla-arviointiryhmä (demo)", viddla, today - timedelta(days=60), today + timedelta(days=5))]
    groups += [(f"Arviointiryhmä {n + 1} (demo)", offerings[n % len(offerings)][0],
                today - timedelta(days=200 + n), today - timedelta(days=20 + n)) for n in range(scale * 2)]
    for number, (name, offering, starts_on, ends_on) in enumerate(groups):
        group, created = EvaluationGroup.objects.get_or_create(
            name=name, defaults={"offering": offering, "starts_on": starts_on, "ends_on": ends_on,
                                 "created_by": staff})
        if not created:
            continue
        for index, library in enumerate(libraries[number % 2:number % 2 + 4]):
            participation = Participation.objects.create(group=group, library=library,
                                                         state=Participation.State.ACCEPTED, answered_at=now)
            person = _person_of(library, None)
            if person is None:
                continue
            evaluator = Evaluator.objects.create(participation=participation, group=group, user=person,
                                                 named_by=person)
            if index % 2 == 0:
                Report.objects.create(evaluator=evaluator, usefulness=4, ease_of_use=3 + index % 2, content=4,
                                      accessibility=3, value=2 + index % 3, recommend=index % 4 == 0,
                                      text="Asiakkaat löysivät palvelun, mutta kirjautuminen askarrutti (demo).")
        if ends_on < today:
            group.summary = "Palvelu koettiin hyödylliseksi; hinta-laatusuhde jakoi mielipiteitä (demo)."
            group.summary_at, group.summary_by = now, staff
            group.save(update_fields=["summary", "summary_at", "summary_by"])

    plan_year = today.year + 1
    titles = ["E-aineistojen näkyvyys kirjastotiloissa", "Yhteinen äänikirjahankinta",
              "Kuvailutiedon yhteistyö kirja-alan kanssa"]
    titles += [f"Demoehdotus {n + 1} (demo)" for n in range(scale * 10)]
    for number, title in enumerate(titles):
        library = libraries[number % len(libraries)]
        proposal, created = Proposal.objects.get_or_create(
            title=title, defaults={"year": plan_year, "library": library, "proposed_by": _person_of(library, staff),
                                   "description": "Ehdotuksen kuvaus (demo).",
                                   "need": "Jäsenkirjastojen tarve (demo).",
                                   "state": Proposal.State.NEW if number % 2 else Proposal.State.CONSIDERING})
        if created:
            for supporter in libraries[number + 1:number + 1 + number % 3]:
                ProposalSupport.objects.create(proposal=proposal, library=supporter, by=_person_of(supporter, staff))

    plan, created = AnnualPlan.objects.get_or_create(year=plan_year, defaults={
        "introduction": "Toimintasuunnitelman luonnos (demo).", "published_at": now, "published_by": staff})
    if created:
        item = PlanItem.objects.create(plan=plan, title_fi="E-aineistot näkyviksi kirjastoissa (demo)",
                                       aim_fi="Koulutuspäivä ja materiaalipaketti.", theme=PlanItem.Theme.TRAINING,
                                       schedule="kevät")
        item.proposals.set(Proposal.objects.filter(title=titles[0]))
        PlanItem.objects.create(plan=plan, title_fi="Metatietoyhteistyön selvitys (demo)",
                                aim_fi="Säästöjä kuvailuun.", theme=PlanItem.Theme.METADATA, schedule="syksy")
    if stdout:
        stdout.write(f"E-services: {Offering.objects.count()} offerings, {EvaluationGroup.objects.count()} "
                     f"evaluation groups, {Proposal.objects.count()} proposals.")
