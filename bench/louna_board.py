"""Benchmark: the Louna task board at demo size and at `--scale N` (default 10).

Builds a throw-away test database (SQLite in memory, or PostgreSQL if DATABASE_URL is
set), seeds the demo data, then loads the board as the coordinator and as a director.
Prints one line per measurement and, last, one JSON object with every figure.

    .venv/bin/python bench/louna_board.py [--scale 10] [--repeat 20]
"""

import argparse
import json

from _inprocess import throwaway_database, time_page


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with throwaway_database() as connection:
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

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
                row = {"scale": scale, "user": who, "tasks": tasks, **time_page(client, url, repeat=args.repeat)}
                results["sizes"].append(row)
                print(f"scale {scale:>3} {who:<18} tasks {tasks:>4}  queries {row['queries']:>3}  "
                      f"median {row['median_ms']:>7} ms  max {row['max_ms']:>7} ms")
        print(json.dumps(results))


if __name__ == "__main__":
    main()
