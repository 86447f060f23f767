"""Compile every .po catalogue of the project to .mo with polib: no GNU gettext needed, so
translations work on a fresh machine. (makemessages, which extracts strings, still needs
gettext; it runs on a developer's machine, and the compiled .mo files are committed.)"""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_paths() -> list[Path]:
    """The project's own catalogues: LOCALE_PATHS and the locale/ of every installed app
    that lives in the project (a nested one such as consortium/trainings/ too), never an
    installed package's. The core names no app: it asks Django which are installed."""
    base = Path(settings.BASE_DIR).resolve()
    app_dirs = [Path(config.path).resolve() for config in apps.get_app_configs()]
    roots = [Path(path) for path in settings.LOCALE_PATHS] + [
        path / "locale" for path in app_dirs
        if path.is_relative_to(base) and not {"site-packages", "dist-packages", ".venv"} & set(path.parts)]
    return sorted({path for root in roots if root.exists() for path in root.glob("*/LC_MESSAGES/*.po")})


class Command(BaseCommand):
    help = "Compile the .po catalogues to .mo without GNU gettext."

    def handle(self, *args, **options):
        for po_path in catalogue_paths():
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"{po_path.relative_to(settings.BASE_DIR)}: {catalogue.percent_translated()} %")
