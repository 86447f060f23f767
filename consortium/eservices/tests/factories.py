"""factory_boy factories for the e-services app."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from consortium.tests.factories import LibraryFactory, UserFactory

from ..models import EvaluationGroup, Evaluator, Kind, Offering, Participation, Proposal, Report, Stage, TakeUp


class OfferingFactory(DjangoModelFactory):
    class Meta:
        model = Offering

    name_fi = factory.Sequence(lambda n: f"Demopalvelu {n}")
    vendor = "Ellibs Oy"
    kind = Kind.EBOOKS
    languages = ",fi,sv,"
    description_fi = "Suomenkielisiä e-kirjoja kaikenikäisille."
    pricing = "Vuosimaksu asukasluvun mukaan."
    stage = Stage.OFFERED
    created_by = factory.SubFactory(UserFactory)


class TakeUpFactory(DjangoModelFactory):
    class Meta:
        model = TakeUp

    offering = factory.SubFactory(OfferingFactory)
    library = factory.SubFactory(LibraryFactory)
    since = date(2026, 1, 1)
    reference = "KLKH-demo"
    recorded_by = factory.SubFactory(UserFactory)


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = EvaluationGroup

    offering = factory.SubFactory(OfferingFactory, stage=Stage.EVALUATING)
    name = factory.Sequence(lambda n: f"Arviointiryhmä {n}")
    starts_on = date(2026, 9, 1)
    ends_on = date(2026, 11, 30)
    created_by = factory.SubFactory(UserFactory)


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    group = factory.SubFactory(GroupFactory)
    library = factory.SubFactory(LibraryFactory)
    state = Participation.State.ACCEPTED


class EvaluatorFactory(DjangoModelFactory):
    class Meta:
        model = Evaluator

    participation = factory.SubFactory(ParticipationFactory)
    group = factory.SelfAttribute("participation.group")
    user = factory.SubFactory(UserFactory)
    named_by = factory.SelfAttribute("user")


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    evaluator = factory.SubFactory(EvaluatorFactory)
    usefulness = 4
    ease_of_use = 3
    content = 5
    accessibility = 2
    value = 4
    text = "Asiakkaat löysivät palvelun helposti."
    recommend = True


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    year = 2027
    title = factory.Sequence(lambda n: f"Ehdotus {n}")
    description = "Yhteinen koulutus e-aineistojen näkyvyydestä."
    need = "Asiakkaat eivät löydä e-aineistoja."
    library = factory.SubFactory(LibraryFactory)
    proposed_by = factory.SubFactory(UserFactory)
