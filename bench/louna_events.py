"""Benchmark: Louna's event feeds, the public list and the yearly counts at demo size and at
`--scale N` (default 10: N × 100 generated items, a seventh of them weekly).

Builds a throw-away test database (SQLite in memory, or PostgreSQL if DATABASE_URL is
set) and seeds the demo data. Feeds are measured built afresh (cache emptied before each
request) and from the cache. Prints one line per measurement and, last, one JSON object.

    .venv/bin/python bench/louna_events.py [--scale 10] [--repeat 20]
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
        from django.core.cache import cache
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from consortium.demo_data import demo_email, seed_core
        from consortium.models import User
        from louna.events.demo_data import seed_events
        from louna.events.models import Item

        pages = [
            ("rss all", reverse("louna_events:rss"), None, True),
            ("rss 103", reverse("louna_events:municipality_rss", args=["103"]), None, True),
            ("ics all", reverse("louna_events:ics"), None, True),
            ("list", reverse("louna_events:list"), None, False),
            ("counts", reverse("louna_events:counts") + f"?year={timezone.localdate().year}", "koordinaattori",
             False),
        ]
        results = {"bench": "louna_events", "database": connection.vendor, "repeat": args.repeat, "sizes": []}
        seed_core()
        for scale in (0, args.scale):
            seed_events(scale=scale)
            items = Item.objects.count()
            for name, url, who, is_feed in pages:
                client = Client()
                if who:
                    client.force_login(User.objects.get(email=demo_email(who)))

                def built_afresh(client=client, who=who):
                    # An empty cache also empties the session of a cached_db engine: sign in again.
                    cache.clear()
                    if who:
                        client.force_login(User.objects.get(email=demo_email(who)))

                for cached in ((False, True) if is_feed else (False,)):
                    figures = time_page(client, url, repeat=args.repeat, before_each=None if cached else built_afresh)
                    label = f"{name} ({'cached' if cached else 'built'})" if is_feed else name
                    row = {"scale": scale, "page": label, "items": items, **figures}
                    results["sizes"].append(row)
                    print(f"scale {scale:>3} {label:<20} items {items:>5}  queries {row['queries']:>3}  "
                          f"{row['bytes']:>8} B  median {row['median_ms']:>7} ms  max {row['max_ms']:>7} ms")
        print(json.dumps(results))


if __name__ == "__main__":
    main()
