"""factory_boy factories for the core, reused by every app's tests."""

import factory
from factory.django import DjangoModelFactory

from consortium.models import (
    CooperationArea,
    JobRun,
    Library,
    Municipality,
    Role,
    RoleAssignment,
    ServicePoint,
    User,
)
from consortium.permissions import LOUNA_AREA

PASSWORD = "Salasana-testi-123"


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 900) + 100:03d}")
    name_fi = factory.Sequence(lambda n: f"Testikunta {n}")
    name_sv = factory.Sequence(lambda n: f"Testkommun {n}")


class CooperationAreaFactory(DjangoModelFactory):
    class Meta:
        model = CooperationArea
        django_get_or_create = ("slug",)

    slug = LOUNA_AREA
    name = "Louna"


class LibraryFactory(DjangoModelFactory):
    class Meta:
        model = Library
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testikirjasto {n}")
    municipality = factory.SubFactory(MunicipalityFactory)
    member_since = factory.Faker("date_between", start_date="-10y", end_date="-1y")

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.cooperation_areas.add(*extracted)


class LounaLibraryFactory(LibraryFactory):
    @factory.post_generation
    def louna(self, create, extracted, **kwargs):
        if create:
            self.cooperation_areas.add(CooperationAreaFactory())


class ServicePointFactory(DjangoModelFactory):
    class Meta:
        model = ServicePoint

    library = factory.SubFactory(LibraryFactory)
    name = factory.Sequence(lambda n: f"Toimipiste {n}")
    kind = ServicePoint.Kind.MAIN


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"henkilo{n}@testi.example")
    full_name = factory.Faker("name", locale="fi_FI")
    language = "fi"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.CONTACT
    library = factory.SubFactory(LibraryFactory)


def user_with_role(role: str, library=None, **user_fields) -> User:
    user = UserFactory(**user_fields)
    RoleAssignment.objects.create(user=user, role=role, library=library)
    return user


class JobRunFactory(DjangoModelFactory):
    class Meta:
        model = JobRun

    task_name = "consortium.tasks.check_organisation_data"
    label = "Testiajo"
