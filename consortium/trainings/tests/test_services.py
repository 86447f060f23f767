"""The rules of trainings and registration, enforced in the services with clear messages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from consortium.models import Role
from consortium.tests.factories import user_with_role
from consortium.trainings import services
from consortium.trainings.models import Registration, Training

from .factories import NOW, RegistrationFactory, TrainingFactory, WebinarFactory

pytestmark = pytest.mark.django_db
State = Registration.State


def register(training, library, email, now=NOW, **extra):
    return services.registration_create(training=training, library=library, full_name=extra.pop("name", "Testi"),
                                        email=email, by=None, now=now, **extra)


def test_registration_confirms_with_the_ics_attached(humppila, outbox):
    training = TrainingFactory()
    registration = register(training, humppila, "a@kirjasto.example")
    assert registration.state == State.REGISTERED
    [mail] = outbox("trainings.confirmation")
    assert mail.to == "a@kirjasto.example" and training.title in mail.subject
    assert mail.attachments[0]["mimetype"] == "text/calendar"


def test_past_capacity_people_go_on_the_waiting_list_and_are_told(humppila, outbox):
    training = TrainingFactory(capacity=1)
    register(training, humppila, "a@kirjasto.example")
    second = register(training, humppila, "b@kirjasto.example")
    assert second.state == State.WAITING
    assert [m.to for m in outbox("trainings.waiting")] == ["b@kirjasto.example"]


def test_registration_after_the_deadline_is_refused(humppila):
    training = TrainingFactory()
    with pytest.raises(ValidationError, match="deadline"):
        register(training, humppila, "a@kirjasto.example", now=training.registration_deadline + timedelta(minutes=1))
    assert not Registration.objects.exists()


def test_registration_before_it_opens_is_refused(humppila):
    training = TrainingFactory(registration_opens_at=NOW + timedelta(days=1))
    with pytest.raises(ValidationError, match="opens"):
        register(training, humppila, "a@kirjasto.example")


def test_the_same_person_twice_is_refused(humppila):
    training = TrainingFactory()
    register(training, humppila, "a@kirjasto.example")
    with pytest.raises(ValidationError) as error:
        register(training, humppila, "A@Kirjasto.example")
    assert "already registered" in str(error.value)
    assert training.registrations.count() == 1


def test_a_cancelled_training_takes_no_registrations(humppila):
    training = TrainingFactory(state=Training.State.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        register(training, humppila, "a@kirjasto.example")


def test_a_contact_cannot_register_someone_of_another_library(humppila, tammela):
    colleague_elsewhere = user_with_role(Role.DIRECTOR, library=tammela)
    with pytest.raises(ValidationError, match="another library"):
        register(TrainingFactory(), humppila, colleague_elsewhere.email)


def test_a_training_for_chosen_libraries_refuses_the_others(humppila, tammela):
    training = TrainingFactory(for_all_members=False)
    training.libraries.set([tammela])
    with pytest.raises(ValidationError, match="invited libraries"):
        register(training, humppila, "a@kirjasto.example")
    assert register(training, tammela, "b@kirjasto.example").state == State.REGISTERED


def test_times_that_end_before_they_start_are_refused(staff_user):
    training = TrainingFactory.build(ends_at=TrainingFactory.starts_at - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        services.training_save(training=training, by=staff_user, now=NOW)
    assert "ends_at" in error.value.error_dict
    assert not Training.objects.exists()


def test_an_online_training_without_a_link_is_refused(staff_user):
    training = WebinarFactory.build(online_link="")
    with pytest.raises(ValidationError) as error:
        services.training_save(training=training, by=staff_user, now=NOW)
    assert "online_link" in error.value.error_dict


def test_places_cannot_drop_below_those_registered(staff_user):
    training = TrainingFactory(capacity=3)
    RegistrationFactory.create_batch(3, training=training)
    training.capacity = 2
    with pytest.raises(ValidationError) as error:
        services.training_save(training=training, by=staff_user, now=NOW)
    assert "3 people already hold a place" in str(error.value.error_dict["capacity"])
    training.refresh_from_db()
    assert training.capacity == 3


def test_more_places_are_offered_to_the_waiting_list(staff_user, outbox):
    training = TrainingFactory(capacity=1)
    RegistrationFactory(training=training)
    waiting = RegistrationFactory(training=training, state=State.WAITING)
    training.capacity = 2
    services.training_save(training=training, by=staff_user, now=NOW)
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
    assert [m.to for m in outbox("trainings.offer")] == [waiting.email]


def test_cancelling_a_training_tells_everyone_registered_and_waiting_once(staff_user, outbox):
    training = TrainingFactory(capacity=1)
    registered = RegistrationFactory(training=training)
    waiting = RegistrationFactory(training=training, state=State.WAITING)
    RegistrationFactory(training=training, state=State.CANCELLED)
    services.training_cancel(training=training, by=staff_user)
    assert sorted(m.to for m in outbox("trainings.cancelled")) == sorted([registered.email, waiting.email])
    with pytest.raises(ValidationError, match="already cancelled"):
        services.training_cancel(training=training, by=staff_user)
    assert len(outbox("trainings.cancelled")) == 2


def test_cancelling_is_possible_until_the_deadline(humppila):
    training = TrainingFactory()
    registration = register(training, humppila, "a@kirjasto.example")
    with pytest.raises(ValidationError, match="Cancelling closed"):
        services.registration_cancel(registration=registration, by=None,
                                     now=training.registration_deadline + timedelta(hours=1))
    services.registration_cancel(registration=registration, by=None, now=NOW)
    registration.refresh_from_db()
    assert registration.state == State.CANCELLED


def test_attendance_and_feedback_only_from_those_present(staff_user):
    training = TrainingFactory()
    present, absent = RegistrationFactory.create_batch(2, training=training)
    with pytest.raises(ValidationError, match="once the training has started"):
        services.attendance_mark(training=training, present_ids=[present.pk], by=staff_user, now=NOW)
    services.attendance_mark(training=training, present_ids=[present.pk], by=staff_user, now=training.ends_at)
    absent.refresh_from_db()
    present.refresh_from_db()
    assert (present.attended, absent.attended) == (True, False)
    with pytest.raises(ValidationError, match="present"):
        services.feedback_give(registration=absent, rating=5)
    with pytest.raises(ValidationError):
        services.feedback_give(registration=present, rating=6)
    services.feedback_give(registration=present, rating=4, text="Hyvä")
    with pytest.raises(ValidationError, match="already received"):
        services.feedback_give(registration=present, rating=5)


def test_reminder_link_and_feedback_request_each_go_once_at_their_time(outbox):
    webinar = WebinarFactory()
    registration = RegistrationFactory(training=webinar)
    services.reminders_send(now=webinar.starts_at - timedelta(days=2))
    assert outbox() == []
    services.reminders_send(now=webinar.starts_at - timedelta(hours=20))
    services.reminders_send(now=webinar.starts_at - timedelta(hours=19))
    assert len(outbox("trainings.reminder")) == 1 and outbox("trainings.link") == []
    services.reminders_send(now=webinar.starts_at - timedelta(minutes=50))
    [link] = outbox("trainings.link")
    assert webinar.online_link in link.body_text
    services.reminders_send(now=webinar.ends_at + timedelta(hours=1))
    assert outbox("trainings.feedback") == []  # nobody marked present yet
    registration.attended = True
    registration.save()
    services.reminders_send(now=webinar.ends_at + timedelta(hours=2))
    services.reminders_send(now=webinar.ends_at + timedelta(hours=3))
    assert [m.to for m in outbox("trainings.feedback")] == [registration.email]


def test_staff_message_goes_to_the_present_once_even_sent_twice(staff_user, outbox):
    training = TrainingFactory()
    present = RegistrationFactory(training=training, attended=True)
    RegistrationFactory(training=training, attended=False)
    for _ in range(2):
        services.staff_message_send(training=training, audience="present", subject="Materiaalit",
                                    body="Diat liitteenä <b>", by=staff_user)
    [mail] = outbox("trainings.message")
    assert mail.to == present.email and "<b>" in mail.body_text
    assert services.staff_message_send(training=training, audience="registered", subject="Kaikille", body="Hei",
                                       by=staff_user) == 2
    with pytest.raises(ValidationError) as error:
        services.staff_message_send(training=training, audience="registered", subject="", body="", by=staff_user)
    assert set(error.value.error_dict) == {"subject", "body"}


def test_wishes_rank_by_demand_and_wishers_are_told_of_the_training(humppila, tammela, contact, staff_user, outbox):
    other = user_with_role(Role.CONTACT, library=tammela)
    small = services.wish_create(topic="Ellibs", library=humppila, staff_count=2, by=contact)
    big = services.wish_create(topic="PressReader", library=humppila, staff_count=3, by=contact)
    services.wish_support(wish=small, library=tammela, staff_count=4, by=other)
    from consortium.trainings.selectors import wishes_ranked

    assert [(w.topic, w.demand) for w in wishes_ranked()] == [("Ellibs", 6), ("PressReader", 3)]
    services.training_create_from_wish(wish=small, training=TrainingFactory.build(title_fi="Ellibs tutuksi"),
                                       by=staff_user, now=NOW)
    assert sorted(m.to for m in outbox("trainings.wish")) == sorted([contact.email, other.email])
    assert [w.topic for w in wishes_ranked()] == ["PressReader"]
    with pytest.raises(ValidationError, match="already arranged"):
        services.wish_support(wish=small, library=tammela, staff_count=1, by=other)
    assert big.votes.count() == 1
