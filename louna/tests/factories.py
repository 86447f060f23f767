"""factory_boy factories for Louna's tests."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from consortium.tests.factories import LounaLibraryFactory, MunicipalityFactory

from louna.models import AgendaItem, Agreement, Feedback, Meeting, Project, ServiceArea, Task, TaskNote, WebService

HELSINKI = ZoneInfo("Europe/Helsinki")


def forssa_library():
    return LounaLibraryFactory(name="Forssan kaupunginkirjasto",
                               municipality=MunicipalityFactory(code="061", name_fi="Forssa", name_sv="Forssa"))


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement
        django_get_or_create = ("year",)

    year = 2024
    title = "Kirjastopalveluiden tuottamista koskeva sopimus"
    provider = factory.LazyFunction(forssa_library)
    starts_on = factory.LazyAttribute(lambda o: date(o.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: date(o.year, 12, 31))


class ServiceAreaFactory(DjangoModelFactory):
    class Meta:
        model = ServiceArea

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Palvelukokonaisuus {n + 1}")


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    area = factory.SubFactory(ServiceAreaFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Toimenpide {n + 1}")
    schedule = Task.Schedule.YEARLY


class TaskNoteFactory(DjangoModelFactory):
    class Meta:
        model = TaskNote

    task = factory.SubFactory(TaskFactory)
    on = factory.LazyAttribute(lambda o: date(o.task.area.agreement.year, 3, 1))
    text = "Edistyminen"


def at(day: date, hour: int = 13) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Johtajien kokous {n + 1}")
    starts_at = factory.LazyAttribute(lambda o: at(date(o.agreement.year, 6, 1)))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Forssan pääkirjasto"


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Asia {n + 1}")


class WebServiceFactory(DjangoModelFactory):
    class Meta:
        model = WebService
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Verkkopalvelu {n + 1}")
    receives_feedback = True


class FeedbackFactory(DjangoModelFactory):
    class Meta:
        model = Feedback

    channel = Feedback.Channel.FINNA
    service = factory.SubFactory(WebServiceFactory)
    received_on = date(2024, 5, 2)
    text = factory.Sequence(lambda n: f"Palaute {n + 1}")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Hanke {n + 1}")
    state = Project.State.RUNNING
