"""Benchmark: the statistics imports and the annual computation at national size, on PostgreSQL.

Creates a database of its own (h_imports_bench unless BENCH_DATABASE is set; dropped at the
end), and in it the whole country: 300 municipalities, one library each, 750 service points
with library-system ids. Then, for the data as it is and doubled:

1. a generated COUNTER R5 TR report of 200 000 rows (titles x metric types, 12 months) is
   imported through the real code (services.counter_import_save);
2. a generated national library-system export, a row per service point and month
   (750 x 12 = 9 000 rows), is imported through the real code (services.import_save);
3. each import's rows are loaded again with PostgreSQL's own COPY into a bare table of the
   same columns (no keys, no indexes, no checks), in the same run, and the times compared;
   the national export's rows also into a table with only a primary key, and with the key,
   the rule that a figure is in force once and an index on the import (the floor any table
   of figures has, foreign keys and Python left out);
4. the annual computation runs for every municipality (through `annual()`, one function,
   so it follows the services' year computation as that changes).

Doubling adds a second year with twice the service points (and municipalities) and a report
twice as long; the growth printed is the doubled time divided by the first. The last line
is one JSON object.

    .venv/bin/python bench/stats.py [--counter-rows 200000] [--points 750] [--municipalities 300]
"""

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

METRIC_TYPES = ("Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations",
                "Unique_Item_Requests")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def counter_report(*, rows: int, year: int, seed: int) -> bytes:
    """A COUNTER R5 Title Master Report (TR) as a vendor delivers it: the header block, a
    blank row, the table (TSV); every row's months add up to its Reporting_Period_Total."""
    rng = random.Random(seed)
    header = [
        ("Report_Name", "Title Master Report"), ("Report_ID", "TR"), ("Release", "5"),
        ("Institution_Name", "Suomen yleiset kirjastot (bench)"), ("Institution_ID", "ISNI:0000000000000000"),
        ("Metric_Types", "; ".join(METRIC_TYPES)), ("Report_Filters", "Access_Method=Regular"),
        ("Report_Attributes", "Attributes_To_Show=Data_Type|Access_Type|YOP"), ("Exceptions", ""),
        ("Reporting_Period", f"Begin_Date={year}-01-01; End_Date={year}-12-31"),
        ("Created", f"{year + 1}-01-10T08:00:00Z"), ("Created_By", "Bench Vendor"),
    ]
    columns = ["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN", "Print_ISSN",
               "Online_ISSN", "URI", "Data_Type", "YOP", "Access_Type", "Access_Method", "Metric_Type",
               "Reporting_Period_Total", *[f"{month}-{year}" for month in MONTHS]]
    out = io.StringIO()
    for key, value in header:
        out.write(f"{key}\t{value}\n")
    out.write("\n" + "\t".join(columns) + "\n")
    for number in range(rows // len(METRIC_TYPES)):
        isbn = f"978-951-{number // 100000:01d}-{number % 100000:05d}-0"
        item = [f"Kirja {number}", f"Kustantamo {number % 400}", "", f"Alusta {number % 12}", "",
                f"bench:{number}", isbn, "", "", "", "Book", str(2000 + number % 25), "Controlled", "Regular"]
        for metric in METRIC_TYPES:
            counts = [rng.randrange(0, 30) if rng.random() < 0.6 else 0 for _month in MONTHS]
            out.write("\t".join([*item, metric, str(sum(counts)), *map(str, counts)]) + "\n")
    return out.getvalue().encode()


def national_export(*, point_ids: list[str], year: int, seed: int) -> bytes:
    """A library-system export as Finnish Excel saves it: a row per service point and month."""
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("Tunniste;Kuukausi;Poistot;Hankinnat;Lainaus\r\n")
    for identifier in point_ids:
        for month in range(1, 13):
            out.write(f"{identifier};{year}-{month:02d};{rng.randrange(0, 400)};{rng.randrange(0, 500)};"
                      f"{rng.randrange(0, 20000):,}\r\n".replace(",", "\u00a0"))
    return out.getvalue().encode("utf-8")


def seed_country(*, first_municipality: int, municipalities: int, first_point: int, points: int) -> list[str]:
    """Municipalities, a library each (a plain member of the consortium: the statistics cover
    every member), their population, and service points with a Mikromarc id; returns the ids."""
    from datetime import date

    from consortium.models import Library, Municipality, MunicipalityPopulation, ServicePoint, ServicePointExternalId

    new = Municipality.objects.bulk_create([
        Municipality(code=f"{first_municipality + i:03d}", name_fi=f"Kunta {first_municipality + i}")
        for i in range(municipalities)])
    libraries = Library.objects.bulk_create([Library(name=f"{m.name_fi}n kirjasto", municipality=m,
                                                     member_since=date(2015, 1, 1)) for m in new])
    MunicipalityPopulation.objects.bulk_create([
        MunicipalityPopulation(municipality=m, year=2023, population=1000 + 37 * m.pk) for m in new])
    service_points = ServicePoint.objects.bulk_create([
        ServicePoint(library=libraries[i % len(libraries)], name=f"Toimipiste {first_point + i}")
        for i in range(points)])
    ids = [f"NAT-{first_point + i:05d}" for i in range(points)]
    ServicePointExternalId.objects.bulk_create([
        ServicePointExternalId(service_point=point, source="mikromarc", value=value)
        for point, value in zip(service_points, ids)])
    return ids


def annual(year: int) -> dict:
    """The year's computation for every municipality, as the annual job (stats.tasks.compute_year)
    runs it: the totals, then a new annual report version per municipality with its changes."""
    from django.db import transaction

    from stats import annual_services, services

    with transaction.atomic():
        computed = services.year_compute(year=year)
        reports = annual_services.annual_reports_create(year=year)
    return {**computed, "report_versions": len(reports["versions"])}


def copy_same_rows(cursor, *, source_sql: str, table: str, columns_sql: str, extra_sql: str = "") -> float:
    """Load the rows `source_sql` selects into a bare table with PostgreSQL's COPY; the
    seconds the COPY FROM took (reading the rows out first is not timed). `extra_sql` adds
    to the table before the load (a key, an index) to show what those alone cost."""
    buffer = io.StringIO()
    cursor.copy_expert(f"COPY ({source_sql}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    cursor.execute(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({columns_sql}); {extra_sql}")
    names = ", ".join(column.split()[0] for column in columns_sql.split(", "))
    start = time.perf_counter()
    cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)", buffer)
    seconds = time.perf_counter() - start
    cursor.execute(f"DROP TABLE {table}")
    return seconds


# The least a table of figures needs beside its columns, loaded with the same COPY: a primary
# key; then also the rule that a figure is in force once (stats_point_figure_current_once)
# and an index to find an import's rows (its revert). No foreign keys, no Python.
KEYED_SQL = "ALTER TABLE bench_copy_keyed ADD COLUMN id bigserial PRIMARY KEY"
RULED_SQL = ("ALTER TABLE bench_copy_ruled ADD COLUMN id bigserial PRIMARY KEY, ADD COLUMN replaced_by_id bigint; "
             "CREATE UNIQUE INDEX bench_copy_ruled_once ON bench_copy_ruled "
             "(statistics_year_id, metric_id, month, service_point_id) "
             "WHERE replaced_by_id IS NULL AND service_point_id IS NOT NULL; "
             "CREATE INDEX bench_copy_ruled_import ON bench_copy_ruled (source_import_id)")


def measure(*, scale: int, year: int, counter_rows: int, point_ids: list[str], seed: int) -> dict:
    from django.db import connection

    from stats import services
    from stats.models import CounterUsage, Figure

    report = counter_report(rows=counter_rows, year=year, seed=seed)
    export = national_export(point_ids=point_ids, year=year, seed=seed)

    start = time.perf_counter()
    counter_import = services.counter_import_save(data=report, file_name=f"tr-{year}.tsv", by=None)
    counter_seconds = time.perf_counter() - start
    counter_stored = CounterUsage.objects.filter(source_import=counter_import).count()

    start = time.perf_counter()
    points_import = services.import_save(year=year, kind="service_points", data=export,
                                         file_name=f"kansallinen-{year}.csv", by=None)
    points_seconds = time.perf_counter() - start
    figures_stored = Figure.objects.filter(source_import=points_import).count()

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        counter_copy = copy_same_rows(
            cursor, table="bench_copy_counter",
            source_sql=("SELECT source_import_id, report_id, release, platform, title, identifiers, data_type, "
                        "access_type, access_method, yop, metric_type, month, count FROM stats_counterusage "
                        f"WHERE source_import_id = {int(counter_import.pk)}"),
            columns_sql=("source_import_id bigint, report_id varchar(10), release varchar(4), "
                         "platform varchar(255), title varchar(500), identifiers jsonb, data_type varchar(40), "
                         "access_type varchar(40), access_method varchar(40), yop varchar(9), "
                         "metric_type varchar(60), month date, count bigint"))
        figures_sql = ("SELECT statistics_year_id, metric_id, month, municipality_id, service_point_id, value, "
                       f"source_import_id, is_demo FROM stats_figure WHERE source_import_id = {int(points_import.pk)}")
        figure_columns = ("statistics_year_id bigint, metric_id bigint, month smallint, municipality_id bigint, "
                          "service_point_id bigint, value bigint, source_import_id bigint, is_demo boolean")
        points_copy = copy_same_rows(cursor, table="bench_copy_figures", source_sql=figures_sql,
                                     columns_sql=figure_columns)
        keyed_copy = copy_same_rows(cursor, table="bench_copy_keyed", source_sql=figures_sql,
                                    columns_sql=figure_columns, extra_sql=KEYED_SQL)
        ruled_copy = copy_same_rows(cursor, table="bench_copy_ruled", source_sql=figures_sql,
                                    columns_sql=figure_columns, extra_sql=RULED_SQL)

    start = time.perf_counter()
    computed = annual(year)
    annual_seconds = time.perf_counter() - start

    row = {
        "scale": scale, "year": year,
        "counter": {"file_rows": counter_rows, "stored_rows": counter_stored, "bytes": len(report),
                    "import_seconds": round(counter_seconds, 3), "copy_seconds": round(counter_copy, 3),
                    "ratio": round(counter_seconds / counter_copy, 2)},
        "points": {"file_rows": len(point_ids) * 12, "service_points": len(point_ids), "stored_rows": figures_stored,
                   "import_seconds": round(points_seconds, 3), "copy_seconds": round(points_copy, 3),
                   "ratio": round(points_seconds / points_copy, 2),
                   # The floor: the same COPY into a table with a key, then with the in-force rule.
                   "keyed_copy_seconds": round(keyed_copy, 3), "keyed_copy_ratio": round(keyed_copy / points_copy, 2),
                   "ruled_copy_seconds": round(ruled_copy, 3), "ruled_copy_ratio": round(ruled_copy / points_copy, 2),
                   "ratio_to_ruled_copy": round(points_seconds / ruled_copy, 2)},
        "annual": {"municipalities": computed["municipalities"], "seconds": round(annual_seconds, 3)},
    }
    row["ratio"] = round((counter_seconds + points_seconds) / (counter_copy + points_copy), 2)
    for name in ("counter", "points"):
        part = row[name]
        print(f"scale {scale} {name:<8} {part['file_rows']:>7} file rows -> {part['stored_rows']:>8} rows: "
              f"import {part['import_seconds']:>7.2f} s, COPY {part['copy_seconds']:>6.2f} s, ratio {part['ratio']}")
    part = row["points"]
    print(f"scale {scale} points   the same COPY into a table with a primary key: {part['keyed_copy_seconds']:.3f} s "
          f"({part['keyed_copy_ratio']}x the bare COPY); with the in-force rule and the import's index too: "
          f"{part['ruled_copy_seconds']:.3f} s ({part['ruled_copy_ratio']}x); the import {part['ratio_to_ruled_copy']}x that")
    print(f"scale {scale} annual   {computed['municipalities']} municipalities: {annual_seconds:.2f} s")
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--counter-rows", type=int, default=200_000)
    parser.add_argument("--points", type=int, default=750)
    parser.add_argument("--municipalities", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import translation

    if connection.vendor != "postgresql":
        sys.exit("bench/stats.py measures PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
    setup_test_environment()
    translation.activate("fi")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ.get("BENCH_DATABASE", "h_imports_bench")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        runs = []
        ids = seed_country(first_municipality=1, municipalities=args.municipalities, first_point=1,
                           points=args.points)
        runs.append(measure(scale=1, year=2024, counter_rows=args.counter_rows, point_ids=ids, seed=1))
        # Doubled: as many municipalities and service points again, a report twice as long.
        ids += seed_country(first_municipality=args.municipalities + 1, municipalities=args.municipalities,
                            first_point=args.points + 1, points=args.points)
        runs.append(measure(scale=2, year=2025, counter_rows=2 * args.counter_rows, point_ids=ids, seed=2))
        first, second = runs
        growth = {
            "counter_import": round(second["counter"]["import_seconds"] / first["counter"]["import_seconds"], 2),
            "points_import": round(second["points"]["import_seconds"] / first["points"]["import_seconds"], 2),
            "annual": round(second["annual"]["seconds"] / first["annual"]["seconds"], 2),
        }
        print(f"growth when the data doubles (2.0 is linear): {growth}")
        print(json.dumps({
            "bench": "stats", "database": connection.vendor, "ratio": first["ratio"],
            "ratio_counter": first["counter"]["ratio"], "ratio_points": first["points"]["ratio"],
            "points_copy_floor": {"keyed": first["points"]["keyed_copy_ratio"],
                                  "ruled": first["points"]["ruled_copy_ratio"]},
            "annual_seconds": first["annual"]["seconds"], "growth": growth,
            "import_seconds": {"counter": first["counter"]["import_seconds"],
                               "points": first["points"]["import_seconds"]},
            "copy_seconds": {"counter": first["counter"]["copy_seconds"], "points": first["points"]["copy_seconds"]},
            "runs": runs,
        }))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
