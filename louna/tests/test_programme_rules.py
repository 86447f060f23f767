"""The action programme's rules and roles: who takes part, what a director may state, the
deadline, the frozen final version, reminders and reports that run twice without doubling."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from consortium.calendar import next_working_day
from consortium.models import OutboxMessage
from louna.programme import services
from louna.models import (
    ImplementationReport,
    ItemComment,
    ItemVersion,
    LibraryPosition,
    Programme,
    ProgrammeVersion,
)
from louna.programme.diff import diff_html
from louna.tests.programme_fixtures import (  # noqa: F401
    answer_all, english, final, forssa, in_review, programme, speak_english)

pytestmark = pytest.mark.django_db


def _item(programme):
    return programme.items.order_by("position").first()


# ---------------------------------------------------------------- who takes part


@pytest.mark.parametrize("who,status", [
    ("coordinator", 200), ("director", 200), ("other_director", 200), ("staff_user", 200),
    ("contact", 403), ("tampere_contact", 403), ("nobody", 403),
])
def test_who_reads_the_programme(client, request, in_review, who, status):
    client.force_login(request.getfixturevalue(who))
    item = _item(in_review)
    for url in (reverse("louna:programme_list"), reverse("louna:programme_detail", args=[2024]),
                reverse("louna:programme_item", args=[2024, item.pk]),
                reverse("louna:programme_overview", args=[2024]), reverse("louna:programme_reports", args=[2024])):
        assert client.get(url).status_code == status, url


def test_anonymous_is_sent_to_log_in(client, in_review):
    response = client.get(reverse("louna:programme_detail", args=[2024]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["director", "staff_user", "contact"])
def test_only_the_coordinator_reaches_the_desk(client, request, in_review, who):
    client.force_login(request.getfixturevalue(who))
    item = _item(in_review)
    for url in (reverse("louna:programme_manage", args=[2024]), reverse("louna:programme_edit", args=[2024]),
                reverse("louna:programme_item_create", args=[2024]),
                reverse("louna:programme_item_edit", args=[2024, item.pk]),
                reverse("louna:programme_from_tasks", args=[2024])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("louna:programme_finalise", args=[2024]), {}).status_code == 403


def test_staff_and_contacts_cannot_comment(client, in_review, staff_user, contact):
    """The view decides who takes part (services do not check the actor)."""
    for person in (staff_user, contact):
        client.force_login(person)
        response = client.post(reverse("louna:programme_comment_add", args=[2024, _item(in_review).pk]),
                               {"c-text": "Kommentti"})
        assert response.status_code in (403, 404), person
    assert not ItemComment.objects.exists()


def test_staff_post_to_an_item_is_refused(client, in_review, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("louna:programme_comment_add", args=[2024, _item(in_review).pk]),
                           {"c-text": "Kommentti"})
    assert response.status_code == 403
    assert not ItemComment.objects.exists()


def test_a_director_states_only_their_own_librarys_position(client, in_review, director, tammela, humppila):
    client.force_login(director)  # the view checks whose position this is (services do not check the actor)
    response = client.post(reverse("louna:programme_position", args=[2024]),
                           {"library": tammela.pk, f"lib{tammela.pk}-library": tammela.pk,
                            f"lib{tammela.pk}-position": "approve"})
    assert response.status_code == 404
    assert not LibraryPosition.objects.exists()
    response = client.post(reverse("louna:programme_position", args=[2024]),
                           {"library": humppila.pk, f"lib{humppila.pk}-library": humppila.pk,
                            f"lib{humppila.pk}-position": "approve"})
    assert response.status_code == 302
    position = LibraryPosition.objects.get()
    assert (position.library, position.stated_by, position.version.number) == (humppila, director, 1)


def test_the_coordinator_cannot_state_a_librarys_position(client, in_review, coordinator, humppila):
    client.force_login(coordinator)
    response = client.post(reverse("louna:programme_position", args=[2024]),
                           {"library": humppila.pk, f"lib{humppila.pk}-library": humppila.pk,
                            f"lib{humppila.pk}-position": "approve"})
    assert response.status_code == 404 and not LibraryPosition.objects.exists()


def test_reservations_need_the_reservation(in_review, director, humppila):
    with pytest.raises(ValidationError) as error:
        services.position_state(programme=in_review, library=humppila, position="reservations", by=director)
    assert "reservation" in error.value.message_dict
    row = services.position_state(programme=in_review, library=humppila, position="reservations",
                                  reservation="Aikataulu on liian tiukka.", by=director)
    assert row.get_position_display() == "approve with reservations"


def test_a_recorded_reason_does_not_override_an_answer(in_review, director, coordinator, humppila):
    services.position_state(programme=in_review, library=humppila, position="approve", by=director)
    with pytest.raises(ValidationError, match="already answered"):
        services.position_record_no_answer(programme=in_review, library=humppila, reason="x", by=coordinator)
    with pytest.raises(ValidationError):
        services.position_record_no_answer(programme=in_review, library=humppila, reason="  ", by=coordinator)


# ---------------------------------------------------------------- the deadline and the draft


def test_comments_after_the_deadline_are_refused(in_review, director, coordinator):
    item = _item(in_review)
    late = in_review.review_deadline + timedelta(days=1)
    services.comment_add(item=item, text="Viimeisenä päivänä", by=director, today=in_review.review_deadline)
    with pytest.raises(ValidationError, match="closed"):
        services.comment_add(item=item, text="Myöhässä", by=director, today=late)
    with pytest.raises(ValidationError, match="closed"):
        services.proposal_add(item=item, field="aim", proposed_text="Uusi tavoite", by=director, today=late)
    # the coordinator still answers what came in time
    services.comment_add(item=item, text="Kiitos", by=coordinator, today=late)
    assert ItemComment.objects.count() == 2


def test_comment_form_after_the_deadline_is_refused_in_the_page(client, in_review, director):
    Programme.objects.filter(pk=in_review.pk).update(review_deadline=timezone.localdate() - timedelta(days=1))
    speak_english()
    client.force_login(director)
    url = reverse("louna:programme_item", args=[2024, _item(in_review).pk])
    page = client.get(url).content.decode()
    assert "comments are no longer taken" in page and 'name="c-text"' not in page
    response = client.post(reverse("louna:programme_comment_add", args=[2024, _item(in_review).pk]),
                           {"c-text": "Myöhässä"})
    assert response.status_code == 200
    assert "comments are no longer taken" in response.content.decode()
    assert not ItemComment.objects.exists()


def test_directors_cannot_comment_on_a_draft_before_the_review(programme, director):
    with pytest.raises(ValidationError, match="not open"):
        services.comment_add(item=_item(programme), text="Liian aikaisin", by=director)


def test_a_review_deadline_cannot_be_in_the_past(programme, coordinator):
    with pytest.raises(ValidationError) as error:
        services.review_open(programme=programme, deadline=timezone.localdate() - timedelta(days=1), by=coordinator)
    assert "deadline" in error.value.message_dict
    assert not programme.versions.exists()


def test_a_review_deadline_on_a_holiday_or_weekend_is_refused_naming_the_day(programme, coordinator):
    with translation.override("fi"), pytest.raises(ValidationError) as error:
        services.review_open(programme=programme, deadline=date(2026, 12, 24), by=coordinator,
                             today=date(2026, 12, 1))
    assert error.value.message_dict == {
        "deadline": ["24.12.2026 on jouluaatto: valitse työpäivä, esimerkiksi 28.12.2026."]}
    assert not programme.versions.exists()
    services.review_open(programme=programme, deadline=date(2026, 12, 23), by=coordinator, today=date(2026, 12, 1))
    with translation.override("sv"), pytest.raises(ValidationError) as error:
        services.review_set_deadline(programme=programme, deadline=date(2027, 1, 9), by=coordinator,
                                     today=date(2026, 12, 1))
    assert error.value.messages == ["9.1.2027 är en lördag: välj en arbetsdag, till exempel 11.1.2027."]
    programme.refresh_from_db()
    assert programme.review_deadline == date(2026, 12, 23)


@time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki")), tick=False)
def test_the_coordinator_sees_why_a_sunday_deadline_is_refused(client, in_review, coordinator):
    # The clock is fixed on a Monday: "next Sunday" from the real today can be a public
    # holiday (6.12.2026 is Independence Day), whose message names the holiday instead.
    speak_english()
    sunday = date(2026, 11, 8)
    client.force_login(coordinator)
    response = client.post(reverse("louna:programme_review_deadline", args=[in_review.year]),
                           {"deadline-deadline": sunday.isoformat()}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any(text.startswith(f"{sunday.day}.{sunday.month}.{sunday.year} is a Sunday: choose a working day")
               for text in shown), shown
    assert Programme.objects.get(pk=in_review.pk).review_deadline == in_review.review_deadline


def test_publishing_an_unchanged_copy_is_refused(in_review, coordinator):
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.version_publish(programme=in_review, note="Sama", by=coordinator)


def test_a_proposal_equal_to_the_draft_is_refused(in_review, director):
    item = _item(in_review)
    with pytest.raises(ValidationError):
        services.proposal_add(item=item, field="aim", proposed_text=item.aim, by=director)
    with pytest.raises(ValidationError):
        services.proposal_add(item=item, field="colour", proposed_text="x", by=director)


def test_a_rejection_needs_an_answer(in_review, director, coordinator):
    proposal = services.proposal_add(item=_item(in_review), field="aim", proposed_text="Uusi", by=director)
    with pytest.raises(ValidationError):
        services.proposal_decide(proposal=proposal, accept=False, by=coordinator)
    services.proposal_decide(proposal=proposal, accept=False, note="Ei tänä vuonna.", by=coordinator)
    with pytest.raises(ValidationError, match="already decided"):
        services.proposal_decide(proposal=proposal, accept=True, by=coordinator)
    with pytest.raises(ValidationError):
        services.proposal_decide(proposal=proposal, accept=True, by=director)


def test_items_are_drafted_from_the_agreements_tasks_once(programme, coordinator, agreement):
    tasks = list(agreement.areas.get(number=1).tasks.all())
    made = services.items_draft_from_tasks(programme=programme, tasks=tasks, by=coordinator)
    assert [item.from_task for item in made] == tasks
    assert made[0].area.number == 1 and made[0].measures == tasks[0].text
    assert services.items_draft_from_tasks(programme=programme, tasks=tasks, by=coordinator) == []


# ---------------------------------------------------------------- final means final


def test_nothing_in_a_final_version_can_change(final, coordinator, director):
    item = _item(final)
    final_version = final.versions.get(kind=ProgrammeVersion.Kind.FINAL)
    frozen = list(ItemVersion.objects.filter(version=final_version).values_list("title", "aim", "measures"))
    item.title = "Muutettu"
    for call in (lambda: services.item_save(item=item, by=coordinator),
                 lambda: services.programme_update(programme=final, title="Uusi", introduction="", by=coordinator),
                 lambda: services.item_remove(item=item, by=coordinator),
                 lambda: services.version_publish(programme=final, note="x", by=coordinator),
                 lambda: services.comment_add(item=item, text="x", by=director),
                 lambda: services.proposal_add(item=item, field="aim", proposed_text="x", by=director)):
        with pytest.raises(ValidationError):
            call()
    item.refresh_from_db()
    assert item.title == "Quria-siirron valmistelu"

    amendment = services.programme_amend(item=item, changes={"schedule": "syksy 2024"}, reason="Aikataulu siirtyi.",
                                         by=coordinator)
    assert amendment.kind == ProgrammeVersion.Kind.AMENDMENT and amendment.note == "Aikataulu siirtyi."
    assert list(ItemVersion.objects.filter(version=final_version).values_list("title", "aim", "measures")) == frozen
    assert ItemVersion.objects.get(version=final_version, item=item).schedule == "koko vuosi"
    assert ItemVersion.objects.get(version=amendment, item=item).schedule == "syksy 2024"
    with pytest.raises(ValidationError):
        services.programme_amend(item=item, changes={"schedule": "talvi"}, reason=" ", by=coordinator)


def test_finalising_waits_for_every_library(in_review, coordinator, director, humppila, tammela, forssa):
    services.position_state(programme=in_review, library=humppila, position="approve", by=director)
    with pytest.raises(ValidationError) as error:
        services.programme_finalise(programme=in_review, by=coordinator)
    assert tammela.name in str(error.value) and forssa.name in str(error.value)
    services.position_record_no_answer(programme=in_review, library=tammela, reason="Johtaja lomalla.",
                                       by=coordinator)
    services.position_record_no_answer(programme=in_review, library=forssa, reason="Palveluntuottaja.",
                                       by=coordinator)
    services.programme_finalise(programme=in_review, by=coordinator)
    in_review.refresh_from_db()
    assert in_review.is_final


# ---------------------------------------------------------------- reminders


def test_reminders_three_days_and_one_day_before_once_each(in_review, director, other_director, humppila,
                                                           django_capture_on_commit_callbacks):
    deadline = in_review.review_deadline

    def remind(days_before: int) -> int:
        with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
            return services.reminders_send(today=deadline - timedelta(days=days_before))

    assert remind(5) == 0
    services.position_state(programme=in_review, library=humppila, position="approve", by=director)
    assert remind(3) == 1
    assert [m.to for m in mail.outbox] == [[other_director.email]]
    assert "Tammela" in mail.outbox[0].body
    assert remind(3) == 0  # the job ran twice
    assert remind(2) == 0
    assert remind(1) == 1
    assert remind(1) == 0
    assert remind(-1) == 0
    keys = sorted(OutboxMessage.objects.filter(kind="louna.programme.reminder").values_list("key", flat=True))
    assert [key.split(":")[3] for key in keys] == ["1d", "3d"]
    assert len(mail.outbox) == 2


def test_a_reminder_speaks_the_directors_language(in_review, other_director, django_capture_on_commit_callbacks):
    other_director.language = "sv"
    other_director.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=in_review.review_deadline - timedelta(days=1))
    assert mail.outbox[0].subject == "Påminnelse: Lounas åtgärdsprogram 2024 väntar på ditt svar"


def test_the_reminder_task_is_on_the_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"louna.programme_tasks.send_review_reminders",
            "louna.programme_tasks.draft_implementation_reports"} <= tasks


# ---------------------------------------------------------------- following and reporting


def test_progress_is_a_dated_history_and_followers_are_told(final, coordinator, director, other_director,
                                                           django_capture_on_commit_callbacks):
    item = _item(final)
    services.item_follow(item=item, user=director, follow=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_record(item=item, state="in_progress", percent=30, note="Aloitettu.", on=date(2024, 3, 1),
                                 by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_record(item=item, state="in_progress", percent=60, note="Puolivälissä.",
                                 on=date(2024, 6, 1), by=coordinator)
    assert [m.to for m in mail.outbox] == [[director.email]]  # told of the state change, not of the per cent
    assert "Quria-siirron valmistelu" in mail.outbox[0].subject
    with pytest.raises(ValidationError):
        services.progress_record(item=item, state="in_progress", percent=101, by=coordinator)
    with pytest.raises(ValidationError) as error:
        services.progress_record(item=item, state="moved", percent=60, by=coordinator)
    assert "note" in error.value.message_dict
    services.progress_record(item=item, state="done", percent=90, on=date(2024, 11, 1), by=coordinator)
    item.refresh_from_db()
    assert (item.state, item.percent) == ("done", 100)
    assert list(item.progress.values_list("on", "percent")) == [
        (date(2024, 11, 1), 100), (date(2024, 6, 1), 60), (date(2024, 3, 1), 30)]


def test_items_are_followed_only_once_final(in_review, coordinator):
    with pytest.raises(ValidationError, match="final"):
        services.progress_record(item=_item(in_review), state="in_progress", percent=10, by=coordinator)


def test_reports_run_twice_make_one_draft_per_library(final, coordinator, humppila, settings):
    items = list(final.items.order_by("position"))
    services.progress_record(item=items[0], state="done", percent=100, by=coordinator)
    services.progress_record(item=items[1], state="moved", percent=10, note="Siirtyy, koska kunta viivästyi.",
                             by=coordinator)
    services.progress_record(item=items[2], state="dropped", percent=0, note="Ei tarvetta.", by=coordinator)
    settings.LOUNA_PROGRAMME_REPORT_DATE = "01-15"
    assert services.reports_due(today=date(2025, 1, 14)) == 0
    assert services.reports_due(today=date(2025, 1, 15)) == 3  # Forssa, Humppila, Tammela
    assert services.reports_due(today=date(2025, 1, 16)) == 0
    services.reports_draft(programme=final, by=coordinator)
    assert ImplementationReport.objects.count() == 3
    report = ImplementationReport.objects.get(library=humppila)
    groups = report.content["groups"]
    assert [line["title"] for line in groups["done"]] == ["Quria-siirron valmistelu"]
    assert groups["moved"][0]["note"] == "Siirtyy, koska kunta viivästyi."
    assert groups["dropped"][0]["note"] == "Ei tarvetta."


def test_a_sent_report_is_not_redrafted(final, coordinator, director, humppila, django_capture_on_commit_callbacks):
    services.reports_draft(programme=final, by=coordinator)
    report = ImplementationReport.objects.get(library=humppila)
    assert "3" in report.summary and "2024" in report.summary  # a first sentence for the coordinator to edit
    services.report_update(report=report, summary=" ", by=coordinator)
    with pytest.raises(ValidationError):
        services.report_send(report=report, by=coordinator)  # no summary
    services.report_update(report=report, summary="Vuosi sujui hyvin.", by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        services.report_send(report=report, by=coordinator)
    report.refresh_from_db()
    assert report.state == "sent" and report.pdf and director.email in report.emailed_to
    assert mail.outbox[-1].attachments[0][2] == "application/pdf"
    before = report.content
    services.progress_record(item=_item(final), state="done", percent=100, by=coordinator)
    services.reports_draft(programme=final, by=coordinator)
    report.refresh_from_db()
    assert report.content == before
    with pytest.raises(ValidationError):
        services.report_update(report=report, summary="Muutos", by=coordinator)


def test_a_director_sees_only_their_own_sent_report(client, final, coordinator, director, other_director,
                                                   humppila, tammela):
    services.reports_draft(programme=final, by=coordinator)
    mine = ImplementationReport.objects.get(library=humppila)
    theirs = ImplementationReport.objects.get(library=tammela)
    for report in (mine, theirs):
        services.report_update(report=report, summary="Yhteenveto.", by=coordinator)
        services.report_send(report=report, by=coordinator)
    client.force_login(director)
    assert client.get(reverse("louna:programme_report", args=[mine.pk])).status_code == 200
    assert client.get(reverse("louna:programme_report_pdf", args=[mine.pk])).status_code == 200
    assert client.get(reverse("louna:programme_report", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("louna:programme_report_pdf", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("louna:programme_reports", args=[2024])).content.decode()
    assert humppila.name in listing and tammela.name not in listing


# ---------------------------------------------------------------- the difference


def test_the_difference_is_marked_in_words_not_colour_only():
    html = diff_html("Järjestetään koulutus syksyllä.", "Järjestetään <b>kaksi</b> koulutusta syksyllä.")
    assert "<del>" in html and "<ins>" in html
    assert "[removed: </span>koulutus" in html and "[added: </span>&lt;b&gt;kaksi" in html
    assert "<b>" not in html
    assert diff_html("sama", "sama") == "sama"


def test_an_item_of_another_year_is_not_found(client, in_review, director, coordinator):
    from louna.tests.factories import AgreementFactory

    other = services.programme_create(year=2025, agreement=AgreementFactory(year=2025), by=coordinator)
    client.force_login(director)
    item = _item(in_review)
    assert client.get(reverse("louna:programme_item", args=[other.year, item.pk])).status_code == 404
    assert client.get(reverse("louna:programme_detail", args=[2030])).status_code == 404
    assert client.get(reverse("louna:programme_detail", args=[2024]) + "?version=9").status_code == 404


def test_directors_are_told_of_a_new_version(programme, coordinator, director, other_director,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.review_open(programme=programme, deadline=next_working_day(timezone.localdate() + timedelta(days=5)),
                             by=coordinator)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([director.email, other_director.email])
    mail.outbox.clear()
    item = _item(programme)
    item.aim = "Uusi tavoite."
    item.save()
    programme.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(programme=programme, note="Tavoite tarkennettu.", by=coordinator)
    assert len(mail.outbox) == 2
    assert "Tavoite tarkennettu." in mail.outbox[0].body and "?since=1#changes" in mail.outbox[0].body


def test_a_director_outside_louna_takes_no_part(client, in_review, tampere):
    from consortium.models import Role
    from consortium.tests.factories import user_with_role

    outsider = user_with_role(Role.DIRECTOR, library=tampere, full_name="Tampereen johtaja")
    client.force_login(outsider)
    assert client.get(reverse("louna:programme_detail", args=[2024])).status_code == 403
    assert client.post(reverse("louna:programme_comment_add", args=[2024, _item(in_review).pk]),
                       {"c-text": "Ulkopuolinen"}).status_code == 403
    assert client.post(reverse("louna:programme_position", args=[2024]),
                       {"library": tampere.pk, f"lib{tampere.pk}-library": tampere.pk,
                        f"lib{tampere.pk}-position": "approve"}).status_code == 403
    assert not ItemComment.objects.exists() and not LibraryPosition.objects.exists()


def test_the_report_carries_the_statistics_figures_where_they_have_landed(final, coordinator, humppila):
    """The report takes the municipality's figures from the statistics app once its annual
    job has computed the year; before that the report simply has none."""
    from stats.models import MunicipalityYearTotal, StatisticsYear

    services.reports_draft(programme=final, by=coordinator)
    assert ImplementationReport.objects.get(library=humppila).content["figures"] == []
    statistics_year = StatisticsYear.objects.create(year=2024, state=StatisticsYear.State.COMPUTED)
    MunicipalityYearTotal.objects.create(statistics_year=statistics_year, municipality=humppila.municipality,
                                         loans=43210, acquisitions=1200, computed_at=timezone.now())
    services.reports_draft(programme=final, by=coordinator)
    figures = dict(ImplementationReport.objects.get(library=humppila).content["figures"])
    assert figures["Lainaus (ml. uusinnat)"] == "43\xa0210"
    assert figures["Hankinnat"] == "1\xa0200"


def test_the_admin_cannot_change_a_programme(client, final):
    from consortium.tests.factories import UserFactory

    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:louna_programme_change", args=[final.pk])
    assert client.get(url).status_code == 200  # it may look
    response = client.post(url, {"title": "Muutettu", "year": 2024, "state": "draft"})
    assert response.status_code == 403
    final.refresh_from_db()
    assert final.is_final and final.title != "Muutettu"


def test_the_commenter_is_told_of_an_answer(in_review, director, coordinator, django_capture_on_commit_callbacks):
    item = _item(in_review)
    comment = services.comment_add(item=item, text="Kysymys aikataulusta.", by=director)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(item=item, text="Aikataulu tarkentuu.", by=coordinator, parent=comment)
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "Aikataulu tarkentuu." in mail.outbox[0].body and item.title in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(item=item, text="Kiitos itselleni.", by=director, parent=comment)
    assert len(mail.outbox) == 1  # answering oneself tells nobody
