"""Where the national export's import spends its time, told in CPU seconds rather than wall
time, so a shared machine's load blurs it less: the client's (time.process_time) and the
PostgreSQL backend's (/proc/<backend pid>/stat, so PostgreSQL must run on this host and
its processes be readable), beside the same rows COPYed into a bare table (bench/stats.py's
baseline).

Creates its own database (h_import_cpu_bench unless BENCH_DATABASE is set; dropped at the
end) with bench/stats.py's country, imports the export of `--years` years through
services.import_save, and prints a line per import. With --strip, after the first two
years it drops stats_figure's foreign keys, and after two more every index but the primary
key: an experiment in the throwaway database to show what the checks and indexes cost
(never done to a real database; the import keeps them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/stats_import_cpu.py [--strip]
"""

import argparse
import importlib.util
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

BARE_COLUMNS = ("statistics_year_id bigint, metric_id bigint, month smallint, municipality_id bigint, "
                "service_point_id bigint, value bigint, source_import_id bigint, is_demo boolean")


def _bench_stats():
    """bench/stats.py's generators (loaded by path: `stats` is the app's name)."""
    spec = importlib.util.spec_from_file_location("bench_stats", ROOT / "bench" / "stats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def backend_seconds(connection) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def strip(connection, what: str) -> None:
    with connection.cursor() as cursor:
        if what == "foreign keys":
            cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'stats_figure'::regclass "
                           "AND contype = 'f'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE stats_figure DROP CONSTRAINT "{name}"')
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'stats_figure' "
                           "AND indexname NOT LIKE '%pkey'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
    print(f"-- stats_figure's {what} dropped (this throwaway database only)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=750)
    parser.add_argument("--municipalities", type=int, default=300)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--strip", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import translation

    if connection.vendor != "postgresql":
        sys.exit("bench/stats_import_cpu.py measures PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
    bench = _bench_stats()
    setup_test_environment()
    translation.activate("fi")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ.get("BENCH_DATABASE", "h_import_cpu_bench")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from stats import services

        ids = bench.seed_country(first_municipality=1, municipalities=args.municipalities, first_point=1,
                                 points=args.points)
        years = max(args.years, 6) if args.strip else args.years
        for number, year in enumerate(range(2024 - years + 1, 2025)):
            if args.strip and number in (2, 4):
                strip(connection, "foreign keys" if number == 2 else "indexes")
            export = bench.national_export(point_ids=ids, year=year, seed=number)
            backend, client, wall = backend_seconds(connection), time.process_time(), time.perf_counter()
            record = services.import_save(year=year, kind="service_points", data=export, file_name=f"{year}.csv",
                                          by=None)
            wall, client = time.perf_counter() - wall, time.process_time() - client
            backend = backend_seconds(connection) - backend
            with connection.cursor() as wrapper:
                cursor = wrapper.cursor
                rows = io.StringIO()
                cursor.copy_expert("COPY (SELECT statistics_year_id, metric_id, month, municipality_id, "
                                   "service_point_id, value, source_import_id, is_demo FROM stats_figure "
                                   f"WHERE source_import_id = {int(record.pk)}) TO STDOUT WITH (FORMAT csv)", rows)
                rows.seek(0)
                cursor.execute(f"DROP TABLE IF EXISTS bench_bare_figures; CREATE TABLE bench_bare_figures "
                               f"({BARE_COLUMNS})")
                copy_backend, copy_client, copy_wall = (backend_seconds(connection), time.process_time(),
                                                        time.perf_counter())
                cursor.copy_expert("COPY bench_bare_figures FROM STDIN WITH (FORMAT csv)", rows)
                copy_wall, copy_client = time.perf_counter() - copy_wall, time.process_time() - copy_client
                copy_backend = backend_seconds(connection) - copy_backend
                cursor.execute("DROP TABLE bench_bare_figures")
            print(f"{year}: import wall {wall:.3f} s, CPU client {client:.3f} s + PostgreSQL {backend:.2f} s "
                  f"= {client + backend:.2f} s | bare COPY wall {copy_wall:.3f} s, CPU "
                  f"{copy_client + copy_backend:.3f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
