"""Delivering the final programme: each library's PDF, kept on the portal and mailed to
its directors."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.outbox import enqueue_mail_to_user
from consortium.models import Library, User

from .. import permissions as perms
from ..models import (
    Programme,
    ProgrammeDelivery,
)


from ..pdf import programme_pdf
from ._common import _directors_of, final_version

__all__ = (
    "deliveries_make",
    "delivery_make",
    "programme_deliver",
)


def delivery_make(*, programme_id: int, library_id: int) -> ProgrammeDelivery:
    """Make the library's PDF of the latest final version, keep it on the portal and e-mail
    it to the library's directors. Run twice, it sends nothing new."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme_id)
        version = final_version(programme)
        if version is None:
            raise ValidationError(_("The programme is not final yet."))
        library = Library.objects.select_related("municipality").get(pk=library_id)
        delivery = ProgrammeDelivery.objects.filter(version=version, library=library).first()
        if delivery is None:
            data = programme_pdf(version=version, library=library)
            delivery = ProgrammeDelivery(programme=programme, version=version, library=library)
            delivery.pdf.save(f"toimenpideohjelma-{programme.year}-v{version.number}-{library.pk}.pdf",
                              ContentFile(data), save=False)
            delivery.save()
        if delivery.emailed_at:
            return delivery
        directors = _directors_of([library.pk])
        payload = delivery.pdf.open("rb").read()
        delivery.pdf.close()
        for assignment in directors:
            # Queued with the row, sent after commit: no SMTP while the programme is locked.
            enqueue_mail_to_user(
                user=assignment.user, key=f"louna.programme.delivery:{delivery.pk}:{assignment.user_id}",
                kind="louna.programme.delivery", template="louna/programme/mail/delivery", about=delivery,
                context={"programme": programme, "version": version, "library": library,
                         "url": settings.SITE_URL + reverse("louna:programme_detail", args=[programme.year])},
                attachments=[(delivery.pdf.name.rsplit("/", 1)[-1], payload, "application/pdf")],
            )
        if directors:  # a library without a director keeps its copy on the portal until one is named
            delivery.emailed_to = ", ".join(a.user.email for a in directors)
            delivery.emailed_at = timezone.now()
            delivery.save(update_fields=["emailed_to", "emailed_at"])
        return delivery


def deliveries_make(*, programme_id: int, progress=None) -> int:
    """Every Louna library's copy, one library at a time, each in its own transaction (the
    job `deliver_programme`). A worker killed midway leaves whole copies behind, never half
    of one (the PDF file may be written, its row and mail roll back); run again, the job
    skips the libraries already served (delivery_make finds their copy) and makes the
    rest. Returns how many libraries have their copy."""
    library_ids = [library.pk for library in perms.louna_libraries()]
    if progress:
        progress.total(len(library_ids))
    for done, library_id in enumerate(library_ids, start=1):
        delivery_make(programme_id=programme_id, library_id=library_id)
        if progress:
            progress.advance(done)
    return len(library_ids)


def programme_deliver(*, programme: Programme, by: User) -> list[int]:
    """Check the programme can be delivered and name the libraries to deliver to. The
    caller queues the job `deliver_programme` (a JobRun: services never import tasks),
    which makes and sends the copies after the request commits."""
    if final_version(programme) is None:
        raise ValidationError(_("The programme is not final yet."))
    return [library.pk for library in perms.louna_libraries()]
