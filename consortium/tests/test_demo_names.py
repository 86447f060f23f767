"""Demo names are Finnish as Finns write them: genitives are data, not a name plus "n"."""

import pytest

from consortium.demo_data import seed_core
from consortium.models import Library, Municipality, ServicePoint

pytestmark = pytest.mark.django_db


def test_demo_libraries_and_service_points_use_real_genitives():
    seed_core()
    names = set(ServicePoint.objects.values_list("name", flat=True)) | set(Library.objects.values_list("name", flat=True))
    assert {"Jokioisten pääkirjasto", "Ypäjän pääkirjasto", "Helsingin kaupunginkirjasto (demo)",
            "Lahden kaupunginkirjasto (demo)", "Seinäjoen kaupunginkirjasto (demo)"} <= names
    assert not [name for name in names if "Jokioinenn" in name or "Helsinkin" in name or "Lahtin" in name]
    assert Municipality.objects.get(code="169").name_genitive_fi == "Jokioisten"
