"""Time and count the SQL of the procurement member list and staff overview after
`seed_demo --scale N` (default 10: about 300 procurements and their answers).

    DATABASE_URL=postgres://... .venv/bin/python bench/procurement_pages.py [--scale 10] [--runs 5]

Seeds the database DATABASE_URL names (idempotent). The last line printed is one JSON object.
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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from consortium.demo_data import demo_email
    from consortium.models import User
    from procurement.models import OptIn, Procurement

    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=args.scale, quiet=True, stdout=open(os.devnull, "w"))
    results = {"scale": args.scale, "procurements": Procurement.objects.count(), "answers": OptIn.objects.count(),
               "database": connection.vendor}
    pages = [("member_list", "yhteyshenkilo.humppila", "/procurement/"),
             ("staff_overview", "henkilokunta", "/procurement/overview/"),
             ("staff_list", "henkilokunta", "/procurement/")]
    for name, local, path in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=demo_email(local)))
        client.get(path)  # warm up
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = {"median_ms": round(statistics.median(timings), 1), "queries": len(queries)}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
