"""The core's own front-page cards and navigation entries."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import JobRun, Library
from .permissions import can_see_jobs, can_see_outbox, has_a_role
from .registry import Card, CardItem, NavEntry, register_card, register_nav

register_nav(NavEntry("home", gettext_lazy("Home"), "home", has_a_role, order=0))
register_nav(NavEntry("libraries", gettext_lazy("Libraries"), "library_list", has_a_role, order=10))
register_nav(NavEntry("people", gettext_lazy("People"), "people_list", has_a_role, order=11))
register_nav(NavEntry("jobs", gettext_lazy("Background jobs"), "job_list",
                     can_see_jobs, order=90))
register_nav(NavEntry("outbox", gettext_lazy("Failed mail"), "outbox_failed", can_see_outbox, order=91))


@register_card
def my_libraries_card(request, roles):
    if not roles.library_ids:
        return None
    # Only what the card shows: a plain values query is the cheapest the front page can ask.
    libraries = Library.objects.filter(pk__in=roles.library_ids).order_by("name").values_list("pk", "name")
    items = []
    for pk, name in libraries:
        held = []
        if pk in roles.director_of:
            held.append(_("director"))
        if pk in roles.contact_of:
            held.append(_("contact"))
        items.append(CardItem(label=name, url=reverse("library_detail", args=[pk]), note=", ".join(held)))
    return Card(title=_("Your libraries"), items=items, order=10)


def job_attention(limit: int = 5) -> tuple[list[JobRun], int]:
    """The newest failed runs and the number of queued or running ones, in one query: failed
    runs sort first, and a window count over every matching row rides on each row.
    Plain SQL on purpose: it is on every staff front page, and the same query built from
    ORM expressions (Window, Case) costs ten times the CPU to compile."""
    failed, queued, running = JobRun.State.FAILED, JobRun.State.QUEUED, JobRun.State.RUNNING
    sql = (
        "SELECT id, label, task_name, state, created_at, "
        "SUM(CASE WHEN state IN (%s, %s) THEN 1 ELSE 0 END) OVER () AS active_total "
        f'FROM "{JobRun._meta.db_table}" WHERE state IN (%s, %s, %s) '
        "ORDER BY CASE WHEN state = %s THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT %s"
    )
    rows = list(JobRun.objects.raw(sql, [queued, running, failed, queued, running, failed, limit]))
    return [run for run in rows if run.state == failed], (int(rows[0].active_total) if rows else 0)


@register_card
def failed_jobs_card(request, roles):
    if not can_see_jobs(request.user):
        return None
    failed, running = job_attention()
    items = [CardItem(label=str(run), url=reverse("job_detail", args=[run.pk]), urgent=True) for run in failed]
    if running:
        items.append(CardItem(label=_("%(count)d jobs queued or running") % {"count": running},
                              url=reverse("job_list")))
    return Card(title=_("Background jobs"), items=items, empty_text=_("No failed or running jobs."),
                more_url=reverse("job_list"), more_label=_("All job runs"), order=90)
