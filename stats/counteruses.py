"""E-material uses per service and month from the COUNTER counts in force, each use counted
once.

A vendor's master report and its standard views count the same uses: TR holds everything
TR_B1, TR_B3, TR_J1, TR_J3 … show (they are TR filtered), PR holds PR_P1, DR holds DR_D1.
Adding up every imported report would count a use two or three times, so for each
institution, platform and month exactly one source is taken: the first of `SOURCES` that
has counts in force there. Why this order:

- PR first: a platform report counts every request on the platform whatever the item
  (books, journals, databases, items without a title), so it is the whole of the platform's
  use. PR_P1 is PR restricted to regular access, which is what PR gives here once TDM is
  left out (below), so it is the same figure.
- Then TR (every title), then the title views that together still cover books and journals
  whatever their access type (TR_B3 + TR_J3), then those that leave out open-access gold
  items (TR_B1 + TR_J1: fewer uses, but still each once: books and journals do not overlap).
- DR and DR_D1 last: a database report counts uses of databases, which on an e-book
  platform say least about the titles read.

The metric is `Total_Item_Requests` (COUNTER has no loan metric; these are uses, never
loans). Counts of the access method TDM (text and data mining) are left out: the standard
views are defined for regular access only, so without TDM a master report and its views
agree, and the choice between them cannot change a figure.

Institutions: two libraries with their own accounts at one vendor deliver the same report of
the same platform for their own institutions; those are different uses, so the rule is
applied per institution (the import's `counter_scope`) and the institutions' uses add up.

Counts in force: not replaced by a later import of the same report (`replaced_by`) and not
of a reverted import; months of the statistics year, whichever year's import they came
under (a report from December to January is imported under December's year).

Where the sums come from: not from the counts (CounterUsage, a row per item, metric type
and month: millions in a national year, so grouping them on every load of the overview,
the e-materials page and the annual job was a full scan, 0.85 s for 1.2 million counts and
growing with the data), but from `CounterMonthUses`, the uses metric's sums (TDM left out)
per import, report, platform and month. services.counter_import_save adds them up in the
same pass over the report's rows that writes the counts and saves them in the same
transaction; it marks them `replaced_by` with the same filter (same imports, same months)
as the counts, and a revert deletes and unmarks both alike, so the sums in force are always
those of the counts in force. Migration 0017 filled them for the imports made before.

A platform reaches a service through `CounterPlatform` (names compared without regard to
case or spaces). A platform no service claims is named in the year's completeness with its
uses, and so are the e-material services with no platform, so nothing is dropped in
silence. So is a platform's month whose Total_Item_Requests come only from reports the rule
does not take (TR_J4, the item reports IR, IR_A1, IR_M1: TR_J4 repeats TR_J1 by year of
publication, and the item reports count items that may be parts of one another, so none of
them is a safe substitute for the title and platform reports)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import BigIntegerField, F, IntegerField, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractMonth

from .models import CounterMonthUses, CounterPlatform, Service, StatsImport

__all__ = ("SOURCES", "USES_METRIC", "TDM", "ROW_COLUMNS", "CounterUses", "counter_rows", "counter_uses",
           "counter_uses_from", "platform_key")

# What counts as a use: services.counter_import_save applies these to a report's rows when
# it keeps their sums (CounterMonthUses); TDM is compared without regard to case.
USES_METRIC = "Total_Item_Requests"
TDM = "TDM"
# The order in which a platform's month takes its uses from the reports in force: the first
# group with any count there wins; the reports of a group add up (they do not overlap).
SOURCES = (("PR",), ("PR_P1",), ("TR",), ("TR_B3", "TR_J3"), ("TR_B1", "TR_J1"), ("DR",), ("DR_D1",))
_REPORTS = [report for group in SOURCES for report in group]


# The columns of `counter_rows`, in this order: servicefigures.service_shared_splits reads
# them in the same query as the vendors' figures (a UNION ALL of the same columns), so the
# pages that show the year's completeness spend no query more on COUNTER. The underscores
# keep the aliases apart from the models' own field names.
ROW_COLUMNS = ("kind", "service_name", "service_id_", "code", "platform_", "institution", "month_", "total")


def platform_key(name: str) -> str:
    """How a platform name is compared: case and surrounding spaces do not matter."""
    return (name or "").strip().lower()


@dataclass
class CounterUses:
    """The year's e-material uses from COUNTER."""

    # {service id: {"name", "months": {1..12: uses}, "total", "sources": ["PR", "TR_B1+TR_J1"…],
    # "platforms": [names]}}: only services with counts.
    services: dict = field(default_factory=dict)
    # [(platform as the reports name it, the year's uses)]: counted, but no service claims them.
    unclaimed: list = field(default_factory=list)
    # [service name]: e-material services in use with no COUNTER platform, named while a
    # platform is unclaimed (one of them is likely its owner; a service whose vendor gives no
    # COUNTER report needs no platform, so it is not named otherwise).
    unlinked: list = field(default_factory=list)
    # [(platform, [report ids], uses)]: months a platform has Total_Item_Requests only in
    # reports the rule does not take (TR_J4, IR, IR_A1, IR_M1): not counted, named.
    uncounted: list = field(default_factory=list)
    # [(platform, [months 1..12 missing])]: a claimed platform counted in some months of the
    # year and not in others (a month counted is one of a report in force that covers it:
    # a row of zeros, or a month of its period the JSON form left out for zero usage).
    gaps: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(entry["total"] for entry in self.services.values())


def counter_rows(*, year: int) -> list:
    """Two values_list querysets of ROW_COLUMNS, to be read together (UNION ALL):

    - ("c", "", None, report id, platform, institution, month number, uses): the year's
      COUNTER uses in force (the uses metric, TDM left out) per institution, platform, month
      and report, read from the sums kept at import (CounterMonthUses: a row per import,
      report, platform and month), never from the counts themselves;
    - ("p", service name, service id, "", platform, "", 0, 0): every platform a service claims.

    The claims are rows of their own rather than a lookup per count: PostgreSQL would
    evaluate a correlated subquery for every count before grouping (millions in a national
    year), while the claims are a few dozen rows matched in Python."""
    usage = (CounterMonthUses.objects
             .filter(month__gte=date(year, 1, 1), month__lte=date(year, 12, 1), replaced_by__isnull=True,
                     source_import__kind=StatsImport.Kind.COUNTER, source_import__reverted_at__isnull=True)
             .annotate(kind=Value("c"), service_name=Value(""), service_id_=Value(None, output_field=IntegerField()),
                       code=F("report_id"), platform_=F("platform"),
                       institution=KeyTextTransform("institution", "source_import__counter_scope"),
                       month_=ExtractMonth("month"))
             .values(*ROW_COLUMNS[:-1]).annotate(total=Sum("uses"))
             .values_list(*ROW_COLUMNS).order_by())
    claims = (CounterPlatform.objects.filter(service__kind=Service.Kind.EMATERIAL)
              .annotate(kind=Value("p"), service_name=F("service__name"), service_id_=F("service_id"),
                        code=Value(""), platform_=F("name"), institution=Value(""), month_=Value(0),
                        total=Value(0, output_field=BigIntegerField()))
              .values_list(*ROW_COLUMNS).order_by())
    return [usage, claims]


def counter_uses_from(rows) -> CounterUses:
    """The rule applied to `counter_rows`' rows (both kinds, in any order): each service's
    uses per month, the unclaimed platforms, and (only then, one query) the e-material
    services with no platform."""
    found, names, owners = {}, {}, {}
    for kind, service_name, service_id, report_id, platform, institution, month, uses in rows:
        key = platform_key(platform)
        if kind == "p":
            owners[key] = (service_id, service_name)
            continue
        names.setdefault(key, " ".join(platform.split()) or "–")
        cell = found.setdefault((institution or "", key, int(month)), {})
        cell[report_id] = cell.get(report_id, 0) + int(uses)
    chosen = {}
    outside = {}
    for (_institution, key, month), by_report in sorted(found.items()):
        rank, group = next(((rank, group) for rank, group in enumerate(SOURCES)
                            if any(report in by_report for report in group)), (None, None))
        if group is None:
            reports, uses = outside.get(key, (set(), 0))
            outside[key] = (reports | set(by_report), uses + sum(by_report.values()))
            continue
        # Named by the reports that were there ("TR_B1" when only the books' view came).
        label = (rank, "+".join(report for report in group if report in by_report))
        months = chosen.setdefault(key, {})
        sources, uses = months.get(month, ((), 0))
        months[month] = (tuple(sorted(set(sources) | {label})), uses + sum(by_report.get(r, 0) for r in group))
    result = CounterUses()
    for key, months in sorted(chosen.items()):
        uses = {month: value for month, (_sources, value) in sorted(months.items())}
        labels = [label for _rank, label in sorted({label for sources, _value in months.values()
                                                    for label in sources})]
        if key not in owners:
            result.unclaimed.append((names[key], sum(uses.values())))
            continue
        pk, name = owners[key]
        entry = result.services.setdefault(pk, {"name": name, "months": {}, "total": 0, "sources": [],
                                                "platforms": []})
        for month, value in uses.items():
            entry["months"][month] = entry["months"].get(month, 0) + value
        entry["total"] += sum(uses.values())
        entry["sources"] += [label for label in labels if label not in entry["sources"]]
        entry["platforms"].append(names[key])
        lacking = [month for month in range(1, 13) if month not in uses]
        if lacking:
            result.gaps.append((names[key], lacking))
    result.uncounted = [(names[key], sorted(reports), uses) for key, (reports, uses) in sorted(outside.items())]
    if result.unclaimed:
        result.unlinked = list(Service.objects.filter(kind=Service.Kind.EMATERIAL, is_active=True,
                                                      counter_platforms__isnull=True)
                               .order_by("name").values_list("name", flat=True))
    return result


def counter_uses(*, year: int) -> CounterUses:
    """Each e-material service's uses per month of `year` from the COUNTER counts in force,
    by the rule above; unclaimed platforms, unlinked services and uncounted reports named.
    One query (two when a platform is unclaimed)."""
    usage, claims = counter_rows(year=year)
    return counter_uses_from(usage.union(claims, all=True))
