from django.core.management.base import BaseCommand

from consortium.demo_data import seed_core
from consortium.registry import seeders


class Command(BaseCommand):
    help = "Load the demo data (idempotent). --scale N builds a national-size set for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0,
                            help="Generate a large data set (10: about 300 municipalities, 750 service "
                                 "points and 5,000 people, plus each app's own data).")
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, scale, quiet, **options):
        if scale < 0:
            self.stderr.write("--scale must be zero or more.")
            return
        logins = seed_core(scale=scale, stdout=self.stdout)
        for name, seeder in seeders():
            self.stdout.write(f"Seeding {name}…")
            seeder(scale=scale, stdout=self.stdout)
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s):" % logins[0][2]))
            for role, email, _password in logins:
                self.stdout.write(f"  {role:<25} {email}")
