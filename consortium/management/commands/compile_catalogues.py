"""Compile every .po catalogue of the project to .mo with polib: no GNU gettext needed, so
translations work on a fresh machine. (makemessages, which extracts strings, still needs
gettext; it runs on a developer's machine, and the compiled .mo files are committed.)"""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_paths() -> list[Path]:
    """The project's own catalogues: the shared one and each of our installed apps', nested
    apps (consortium/trainings, louna/ematerials, ...) included."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [base / "locale"] + [Path(config.path) / "locale" for config in apps.get_app_configs()
                                 if Path(config.path).resolve().is_relative_to(base)
                                 and ".venv" not in Path(config.path).parts]
    return sorted({path for root in roots if root.exists() for path in root.glob("*/LC_MESSAGES/*.po")})


class Command(BaseCommand):
    help = "Compile the .po catalogues to .mo without GNU gettext."

    def handle(self, *args, **options):
        for po_path in catalogue_paths():
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"{po_path.relative_to(settings.BASE_DIR)}: {catalogue.percent_translated()} %")
