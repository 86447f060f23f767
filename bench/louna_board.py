"""Benchmark: the Louna task board at demo size and at `--scale N` (default 10).

Builds a throw-away test database (SQLite in memory, or PostgreSQL if DATABASE_URL is
set), seeds the demo data, then loads the board as the coordinator and as a director.
Prints one line per measurement and, last, one JSON object with every figure.

    .venv/bin/python bench/louna_board.py [--scale 10] [--repeat 20]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    setup_test_environment()
    # Measure rendering as in production: undo the test runner's per-template signal.
    from django.template import Template
    from django.test.utils import _TestState

    Template._render = _TestState.saved_data.template_render
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from consortium.demo_data import demo_email, seed_core
        from consortium.models import User
        from louna.demo_data import seed_louna
        from louna.models import Task

        year = timezone.localdate().year
        url = reverse("louna:board", args=[year])
        results = {"bench": "louna_board", "database": connection.vendor, "repeat": args.repeat, "sizes": []}
        seed_core()
        for scale in (0, args.scale):
            seed_louna(scale=scale)
            tasks = Task.objects.filter(area__agreement__year=year).count()
            for who in ("koordinaattori", "johtaja.humppila"):
                client = Client()
                client.force_login(User.objects.get(email=demo_email(who)))
                client.get(url)  # warm up
                timings = []
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200
                row = {"scale": scale, "user": who, "tasks": tasks, "queries": len(queries),
                       "median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1)}
                results["sizes"].append(row)
                print(f"scale {scale:>3} {who:<18} tasks {tasks:>4}  queries {row['queries']:>3}  "
                      f"median {row['median_ms']:>7} ms  max {row['max_ms']:>7} ms")
        print(json.dumps(results))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
