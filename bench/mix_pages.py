"""Benchmark: the server's own work for each page of the load mix (bench/locustfile.py), in
process, so that it can be measured on a busy machine where wall-clock timings are noise.

Builds a throw-away test database (PostgreSQL if DATABASE_URL is set, else SQLite in
memory), seeds `seed_demo --scale N` (default 10), then for each role of the mix GETs each
of its pages (following a redirect once, as a browser does) and measures: queries, bytes,
wall and CPU time of the process (median of --repeat), and the Python function calls of
one request under cProfile — a count that does not depend on how busy the machine is.
Each page twice: as served again (a kept copy, consortium.pagecache, when the page is
kept) and rendered afresh (every kept page retired before each request, as after a write).
Prints one line per page and, last, one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_mix .venv/bin/python bench/mix_pages.py [--scale 10]
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time

from _inprocess import throwaway_database

# How many of bench/locustfile.py's users play each role (its `weight`s): each user opens its
# role's pages in turn, so a role's share of the requests follows its weight.
WEIGHTS = {"henkilokunta": 2, "koordinaattori": 2, "johtaja.humppila": 3, "yhteyshenkilo.humppila": 3, None: 2}

MIX = {
    "henkilokunta": ["/", "/people/", "/procurement/", "/newsletters/", "/jobs/"],
    "koordinaattori": ["/", "/louna/", "/stats/"],
    "johtaja.humppila": ["/", "/louna/", "/procurement/"],
    "yhteyshenkilo.humppila": ["/", "/procurement/", "/newsletters/my/"],
    None: ["/newsletters/archive/", "/louna/events/"],
}


def measure(client, path: str, repeat: int, fresh: bool = False) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consortium.pagecache import invalidate_kept_pages

    client.get(path)
    walls, cpus = [], []
    for _ in range(repeat):
        if fresh:
            invalidate_kept_pages()
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    # Counted now: the next request empties the query log the count is read from.
    query_count = len(queries)
    if fresh:
        invalidate_kept_pages()
    profile = cProfile.Profile()
    profile.enable()
    client.get(path)
    profile.disable()
    return {"queries": query_count, "bytes": len(response.content),
            "wall_median_ms": round(statistics.median(walls), 1), "cpu_median_ms": round(statistics.median(cpus), 1),
            "python_calls": pstats.Stats(profile).total_calls}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    with throwaway_database() as connection:
        from django.core.management import call_command
        from django.test import Client

        from consortium.demo_data import demo_email
        from consortium.models import User

        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", scale=args.scale, quiet=True, stdout=quiet)
        results = {"bench": "mix_pages", "database": connection.vendor, "scale": args.scale,
                   "repeat": args.repeat, "pages": []}
        for who, paths in MIX.items():
            client = Client(HTTP_HOST="127.0.0.1")
            if who:
                client.force_login(User.objects.get(email=demo_email(who)))
            for path in paths:
                response = client.get(path)
                shown = response["Location"] if response.status_code == 302 else path
                row = {"user": who or "anonymous", "path": path, "shown": shown, **measure(client, shown, args.repeat),
                       "fresh": measure(client, shown, args.repeat, fresh=True)}
                results["pages"].append(row)
                fresh = row["fresh"]
                print(f"{row['user']:<24} {shown:<34} queries {row['queries']:>3}  cpu {row['cpu_median_ms']:>6} ms  "
                      f"wall {row['wall_median_ms']:>6} ms  calls {row['python_calls']:>7}  | rendered afresh: "
                      f"queries {fresh['queries']:>3}  cpu {fresh['cpu_median_ms']:>6} ms  calls {fresh['python_calls']:>7}",
                      flush=True)
        for kind in ("kept", "fresh"):
            cpu = {who: statistics.mean((row if kind == "kept" else row["fresh"])["cpu_median_ms"]
                                        for row in results["pages"] if row["user"] == (who or "anonymous"))
                   for who in MIX}
            results[f"mix_cpu_ms_{kind}"] = round(sum(WEIGHTS[who] * cpu[who] for who in MIX) / sum(WEIGHTS.values()), 2)
        print(f"CPU ms per request of the mix (locustfile weights): {results['mix_cpu_ms_kept']} served again, "
              f"{results['mix_cpu_ms_fresh']} rendered afresh")
        print(json.dumps(results))


if __name__ == "__main__":
    main()
