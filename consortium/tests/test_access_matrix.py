"""The access matrix: every named URL of the portal, every role, GET and an empty POST,
against the table in `access_matrix.txt` (beside this file; its header says how to read
and extend it).

The ids in a URL are filled from the demo data (`seed_demo`, on a fixed day) plus the few
objects the demo does not make; every object that belongs to a library belongs to
Humppila ("library A"), and the "other" role is Tammela's director ("library B"), so a
row shows at a glance that one library's private objects answer 404 to another's people.

Each request runs in a savepoint that is rolled back, so an empty POST that did change
something (a follow, a withdrawal) cannot change what the next request sees: the order of
the rows does not matter and the whole matrix needs one database set-up.

This module is in the core's tests but reaches every app: it takes their models through
the app registry (`apps.get_model`) and the two app functions it needs by name
(`import_module`), so the core's import contract still holds for its own modules."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from consortium.demo_data import demo_email

MATRIX_FILE = Path(__file__).with_name("access_matrix.txt")
ROLES = ("anonymous", "contact", "director", "coordinator", "staff", "other")
# The demo people behind the roles: library A is Humppila, library B Tammela.
ROLE_LOGINS = {
    "contact": "yhteyshenkilo.humppila",
    "director": "johtaja.humppila",
    "coordinator": "koordinaattori",
    "staff": "henkilokunta",
    "other": "johtaja.tammela",
}
# Django's own admin has its own permission system (is_staff) and is no page of the portal.
SKIPPED_NAMESPACES = {"admin"}
CELL = re.compile(r"^(200|204|302>login|302|400|403|404|405|410)/(200|204|302>login|302|400|403|404|405|410)$")
THE_DAY = datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


# ---------------------------------------------------------------- the table


@dataclass
class Row:
    name: str
    ids: dict[str, str]  # URL keyword → object name in demo_objects()
    cells: dict[str, tuple[str, str]]  # role → (GET, POST)
    line: int


def read_matrix() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    problems = []
    for number, text in enumerate(MATRIX_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2 + len(ROLES):
            problems.append(f"line {number}: expected a name, the ids and {len(ROLES)} cells, found {len(parts)} "
                            f"columns: {text!r}")
            continue
        name, ids_text, *cells = parts
        ids = {}
        if ids_text != "-":
            for pair in ids_text.split(","):
                key, _, value = pair.partition("=")
                ids[key] = value
        bad = [cell for cell in cells if not CELL.match(cell)]
        if bad:
            problems.append(f"line {number} ({name}): cells must be GET/POST statuses like 200/405 or "
                            f"302>login/302>login, not {bad}")
        if name in rows:
            problems.append(f"line {number}: {name} has a row already on line {rows[name].line}")
        rows[name] = Row(name, ids, {role: tuple(cell.split("/")) for role, cell in zip(ROLES, cells)}, number)
    assert not problems, "access_matrix.txt cannot be read:\n" + "\n".join(problems)
    return rows


def url_names() -> dict[str, list[str]]:
    """Every named URL pattern of the URLconf (includes walked), with its keywords."""
    found: dict[str, list[str]] = {}

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    if pattern.namespace in SKIPPED_NAMESPACES:
                        continue
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.setdefault(name, list(pattern.pattern.regex.groupindex))

    walk(get_resolver(), "")
    return found


# ---------------------------------------------------------------- the objects behind the ids


def demo_objects() -> dict[str, object]:
    """The values the ids column names, from the demo data and a few objects added here.
    Every library-owned object is Humppila's. A new kind of object: add one line."""
    m = apps.get_model
    library = m("consortium", "Library").objects.get(municipality__code="103")
    contact = m("consortium", "User").objects.get(email=demo_email(ROLE_LOGINS["contact"]))
    staff = m("consortium", "User").objects.get(email=demo_email(ROLE_LOGINS["staff"]))
    one = ContentFile(b"%PDF-1.4\n% access matrix\n", name="matriisi.pdf")

    # eservices
    offering = m("eservices", "Offering").objects.order_by("pk").first()
    group = m("eservices", "EvaluationGroup").objects.order_by("pk").first()
    participation, _ = m("eservices", "Participation").objects.get_or_create(group=group, library=library)
    evaluator = m("eservices", "Evaluator").objects.filter(participation=participation).first() or \
        m("eservices", "Evaluator").objects.create(participation=participation, group=group, user=contact,
                                                   named_by=contact)
    report = m("eservices", "Report").objects.filter(evaluator=evaluator).first() or m("eservices", "Report").objects.create(
        evaluator=evaluator, usefulness=4, ease_of_use=4, content=4, accessibility=4, value=4, text="Hyvä.",
        recommend=True)
    proposal = m("eservices", "Proposal").objects.filter(library=library).first() or \
        m("eservices", "Proposal").objects.order_by("pk").first()
    plan = m("eservices", "AnnualPlan").objects.order_by("pk").first()

    # procurement: one open for answers, with Humppila's opt-in, and one with an agreement
    procurement_model = m("procurement", "Procurement")
    agreement = m("procurement", "FrameworkAgreement").objects.order_by("pk").first()
    procurement = procurement_model.objects.filter(opt_ins__library=library).order_by("pk").first() or \
        procurement_model.objects.order_by("pk").first()
    document = m("procurement", "ProcurementDocument").objects.create(
        procurement=procurement, kind="other", title="Matriisin liite", file=one, extension="pdf",
        content_type="application/pdf", size=30, sha256=hashlib.sha256(b"x").hexdigest(), uploaded_by=staff)
    appeal = m("procurement", "Appeal").objects.order_by("pk").first()

    # newsletters
    tokens = import_module("newsletters.tokens")
    subscriber = m("newsletters", "Subscriber").objects.filter(status="active").order_by("pk").first()
    issue = m("newsletters", "Issue").objects.order_by("pk").first()
    sent = m("newsletters", "Issue").objects.filter(status="sent").order_by("pk").first() or issue
    block = m("newsletters", "Block").objects.filter(issue=issue).order_by("pk").first()

    # louna and its programme
    louna_agreement = m("louna", "Agreement").objects.order_by("-year").first()
    area = m("louna", "ServiceArea").objects.filter(agreement=louna_agreement).order_by("pk").first()
    task_row = m("louna", "TaskMunicipality").objects.filter(library=library,
                                                              task__area__agreement=louna_agreement).first()
    task = task_row.task
    evidence = m("louna", "TaskEvidence").objects.create(task=task, title="Pöytäkirja", file=one,
                                                         content_type="application/pdf", size=30)
    agreement_document = m("louna", "AgreementDocument").objects.create(
        agreement=louna_agreement, title="Sopimus", file=one, content_type="application/pdf", size=30)
    meeting = m("louna", "AgendaItem").objects.order_by("meeting__starts_at").last().meeting
    agenda_item = meeting.agenda_items.order_by("pk").first()
    decision = m("louna", "Decision").objects.order_by("pk").first()
    feedback = m("louna", "Feedback").objects.filter(municipality=library.municipality).first() or \
        m("louna", "Feedback").objects.order_by("pk").first()
    service = m("louna", "WebService").objects.filter(checks__findings__isnull=False).order_by("pk").first()
    check = service.checks.filter(findings__isnull=False).first()
    finding = check.findings.first()
    project = m("louna", "Milestone").objects.order_by("pk").first().project
    programme = m("louna", "Programme").objects.order_by("-year").first()
    final = m("louna", "Programme").objects.filter(finalised_at__isnull=False).order_by("-year").first()
    programme_item = programme.items.order_by("pk").first()
    change = m("louna", "ChangeProposal").objects.order_by("pk").first()
    delivery = m("louna", "ProgrammeDelivery").objects.create(
        programme=final, version=final.versions.order_by("-number").first(), library=library,
        pdf=ContentFile(b"%PDF-1.4\n", name="ohjelma.pdf"))
    # A sent report: a draft is the coordinator's alone until it is sent.
    implementation_report = m("louna", "ImplementationReport").objects.filter(library=library).first()
    implementation_report.state = "sent"
    implementation_report.save(update_fields=["state"])

    # e-materials, events
    budget = m("louna_ematerials", "Budget").objects.order_by("pk").first()
    order = m("louna_ematerials", "Order").objects.order_by("pk").first()
    order_import = m("louna_ematerials", "OrderImport").objects.create(file_name="tilaukset.csv", sha256="0" * 64,
                                                                        created_by=staff)
    event = m("louna_events", "Item").objects.order_by("pk").first()

    # stats
    statistics_year = m("stats", "StatisticsYear").objects.order_by("-year").first()
    stats_import = m("stats", "StatsImport").objects.create(statistics_year=statistics_year, kind="service_points",
                                                            file_name="luvut.csv", rows=0, imported_by=staff)
    coordinator = m("consortium", "User").objects.get(email=demo_email(ROLE_LOGINS["coordinator"]))
    # A large file's draft is its uploader's alone (the coordinator's here).
    import_draft = m("stats", "PendingImport").objects.create(
        statistics_year=statistics_year, kind="service_points", file_name="iso.csv", sha256="1" * 64, data=b"",
        created_by=coordinator, state="ready", result={"row_count": 0, "rows": [], "refused": [], "changes": []})
    # SUSHI: the demo accounts' endpoints are on .invalid; this one's is a closed port of
    # 127.0.0.1, so a connection test asked by the matrix leaves the machine never.
    sushi_account = m("stats_sushi", "SushiAccount").objects.create(
        service_name="Matriisin e-kirjat", url="http://127.0.0.1:9/r5", reports=["TR"])
    harvest = m("stats_sushi", "Harvest").objects.create(account=sushi_account, report_id="TR",
                                                        month=date(2024, 1, 1), state="failed")
    stats_service, _ = m("stats", "Service").objects.get_or_create(
        code="matriisi-verkko", defaults={"name": "Matriisin verkkosivut", "kind": "web"})
    annual_report = m("stats", "AnnualReport").objects.filter(
        municipality=library.municipality, statistics_year=statistics_year, delivered=False).order_by("-pk").first()

    # trainings
    registration = m("trainings", "Registration").objects.filter(library=library).order_by("pk").first()
    feed, _ = m("trainings", "FeedToken").objects.get_or_create(user=contact)
    wish = m("trainings", "TrainingWish").objects.order_by("pk").first()

    # the core
    point = library.service_points.order_by("pk").first()
    job = m("consortium", "JobRun").objects.create(task_name="consortium.tasks.check_organisations",
                                                  label="Tarkistus", created_by=staff)
    message = m("consortium", "OutboxMessage").objects.order_by("pk").first()

    return {
        "library": library.pk, "service_point": point.pk, "person": contact.pk, "job": job.pk,
        "outbox_message": message.pk, "uid": "MQ", "token": "bad-token",
        "offering": offering.pk, "group": group.pk, "participation": participation.pk, "evaluator": evaluator.pk,
        "eservice_report": report.pk, "eservice_proposal": proposal.pk, "plan_year": plan.year,
        "procurement": agreement.procurement_id, "open_procurement": procurement.pk,
        "framework_agreement": agreement.pk, "procurement_document": document.pk, "appeal": appeal.pk,
        "newsletter_item": m("newsletters", "Item").objects.order_by("pk").first().pk, "issue": issue.pk,
        "block": block.pk, "subscriber": subscriber.pk, "confirm_token": tokens.confirm_token(subscriber),
        "subscription_token": tokens.subscription_token(subscriber), "image_name": "missing.png",
        "archive_year": sent.month.year, "archive_month": sent.month.month,
        "louna_year": louna_agreement.year, "service_area": area.pk, "task": task.pk, "task_row": task_row.pk,
        "evidence": evidence.pk, "agreement_document": agreement_document.pk, "meeting": meeting.pk,
        "agenda_item": agenda_item.pk, "decision": decision.pk, "feedback": feedback.pk, "web_service": service.pk,
        "check": check.pk, "finding": finding.pk, "project": project.pk,
        "milestone": project.milestones.order_by("pk").first().pk,
        "programme_year": programme.year, "programme_item": programme_item.pk, "change_proposal": change.pk,
        "change_item": change.item_id, "change_year": change.item.programme.year, "delivery": delivery.pk,
        "implementation_report": implementation_report.pk, "final_year": final.year,
        "ematerials_year": budget.year, "budget": budget.pk, "order": order.pk, "order_import": order_import.pk,
        "event": event.pk, "municipality_code": library.municipality.code,
        "stats_year": statistics_year.year, "municipality": library.municipality_id, "stats_import": stats_import.pk,
        "annual_report": annual_report.pk, "import_draft": import_draft.pk, "shared_figure": "finna_visits",
        "sushi_account": sushi_account.pk, "harvest": harvest.pk, "stats_service": stats_service.pk,
        "figure_kind": "service_points",
        "training": registration.training_id, "registration": registration.pk,
        "registration_token": registration.token, "feed_token": feed.token, "wish": wish.pk, "training_action": "publish",
        "events_year": 2026,
    }


# ---------------------------------------------------------------- asking


def observe(client: Client, url: str, method: str) -> str:
    # One savepoint per request, rolled back, and the cookies and cache as they were: the
    # matrix reads the same world in any order (a POST to logout or set_language included).
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    cache.clear()
    status = response.status_code
    if status in (301, 302, 303):
        try:
            target = resolve(response["Location"].split("?", 1)[0]).url_name
        except Resolver404:
            target = None
        return "302>login" if target == "login" else "302"
    return str(status)


def clients() -> dict[str, Client]:
    user_model = apps.get_model("consortium", "User")
    made = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role in ROLE_LOGINS:
            client.force_login(user_model.objects.get(email=demo_email(ROLE_LOGINS[role])))
        made[role] = client
    return made


def format_row(name: str, ids: dict[str, str], cells: dict[str, tuple[str, str]]) -> str:
    ids_text = ",".join(f"{k}={v}" for k, v in ids.items()) or "-"
    return f"{name:<44} {ids_text:<40} " + " ".join(f"{'/'.join(cells[role]):<19}" for role in ROLES).rstrip()


# Objects that belong to library A (Humppila) and are nobody else's business: the "other"
# role (library B's director) must never get them (200) nor act on them (302), whatever a
# row says. The rows keep the exact status (404 where the object is looked up among the
# person's own, 403 where the page is not for the role at all).
PRIVATE_OBJECTS = {"library", "service_point", "person", "participation", "evaluator", "eservice_report",
                   "delivery", "implementation_report", "municipality", "feedback", "task_row"}


# ---------------------------------------------------------------- the tests


def test_every_url_has_a_row_and_every_row_a_url():
    rows, urls = read_matrix(), url_names()
    missing = [name for name in urls if name not in rows]
    gone = [name for name in rows if name not in urls]
    problems = [f"{name}: no row in access_matrix.txt; add one like\n    "
                + format_row(name, {key: "<object>" for key in urls[name]},
                             {role: ("???", "???") for role in ROLES})
                + ("\n  (ids: <object> is a name in demo_objects() of test_access_matrix.py)" if urls[name] else "")
                for name in missing]
    problems += [f"{name}: row on line {rows[name].line} of access_matrix.txt, but no such URL any more: "
                 "remove the row" for name in gone]
    for name, row in rows.items():
        if name in urls and sorted(row.ids) != sorted(urls[name]):
            problems.append(f"{name} (line {row.line}): ids {sorted(row.ids)} but the URL takes {sorted(urls[name])}")
    assert not problems, "\n".join(problems)


def test_another_librarys_people_never_reach_library_as_private_objects():
    rows = read_matrix()
    leaks = [f"line {row.line} {row.name}: other gets {'/'.join(row.cells['other'])}"
             for row in rows.values() if set(row.ids.values()) & PRIVATE_OBJECTS
             and set(row.cells["other"]) & {"200", "302"}]
    assert not leaks, "library B's director reaches library A's objects:\n" + "\n".join(leaks)


@pytest.mark.django_db
def test_every_role_gets_what_the_matrix_says_for_every_url(settings):
    rows = read_matrix()
    urls = url_names()
    with time_machine.travel(THE_DAY, tick=False):
        call_command("seed_demo", quiet=True)
        objects = demo_objects()
        made = clients()
        mismatches, unknown = [], []
        for name, row in rows.items():
            if name not in urls:
                continue  # the other test says so
            try:
                kwargs = {key: objects[value] for key, value in row.ids.items()}
            except KeyError as error:
                unknown.append(f"{name}: no object {error} in demo_objects()")
                continue
            url = reverse(name, kwargs=kwargs)
            seen = {role: (observe(made[role], url, "GET"), observe(made[role], url, "POST")) for role in ROLES}
            if seen != row.cells:
                wrong = [f"{role} {method} {row.cells[role][i]}→{seen[role][i]}" for role in ROLES
                         for i, method in enumerate(("GET", "POST")) if row.cells[role][i] != seen[role][i]]
                mismatches.append(f"line {row.line} {name} ({url}): " + ", ".join(wrong) + "\n  now:  "
                                  + format_row(name, row.ids, seen))
    assert not unknown, "\n".join(unknown)
    assert not mismatches, f"{len(mismatches)} row(s) differ from access_matrix.txt (expected→got):\n" + \
        "\n".join(mismatches)
