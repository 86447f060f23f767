"""How fast the action programme's review page and a library's PDF are at size: 50
directors, 300 items with comments and proposals, two versions.

    .venv/bin/python bench/programme_review.py

Builds a throw-away test database (SQLite in memory unless DATABASE_URL is set), then
prints timings; the last line is one JSON object."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def main(directors: int = 50, items: int = 300, runs: int = 10) -> dict:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from consortium.models import Role
        from consortium.tests.factories import user_with_role
        from louna.programme import services
        from louna.programme.pdf import programme_pdf
        from louna.tests.test_programme_queries import build

        coordinator = user_with_role(Role.COORDINATOR, full_name="Koordinaattori")
        programme, people = build(coordinator, directors, items)
        client = Client()
        results = {"directors": directors, "items": items}
        for label, user, query in (("coordinator", coordinator, ""), ("director_since_1", people[-1], "?since=1")):
            client.force_login(user)
            timings = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(f"/louna/programme/{programme.year}/{query}")
                    timings.append(time.perf_counter() - started)
                assert response.status_code == 200
            results[f"review_page_{label}_ms_median"] = round(1000 * statistics.median(timings), 1)
            results[f"review_page_{label}_queries"] = len(queries.captured_queries)
            print(f"review page as {label}: {results[f'review_page_{label}_ms_median']} ms, "
                  f"{len(queries.captured_queries)} queries")
        version = services.latest_version(programme)
        library = people[0].role_assignments.get().library
        started = time.perf_counter()
        data = programme_pdf(version=version, library=library)
        results["pdf_seconds"] = round(time.perf_counter() - started, 2)
        results["pdf_kib"] = round(len(data) / 1024)
        print(f"PDF of {items} items: {results['pdf_seconds']} s, {results['pdf_kib']} KiB")
        return results
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    print(json.dumps(main()))
