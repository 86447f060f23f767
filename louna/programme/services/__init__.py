"""Writes of the action programme, one module per stage. Each validates its input, runs in
one transaction and refuses with a ValidationError naming the field. Nothing here changes a
final version: after finalising, only the follow-up (state, per cent, notes) and explicit
amendments (new versions marked as such, with their reason) are possible.

Services never import the tasks (the tasks call the services) and may read through the
selectors; the selectors never import the services."""

from ._common import final_version, latest_version
from .drafting import (
    programme_create,
    programme_update,
    item_save,
    item_remove,
    items_draft_from_tasks,
    items_carry_over,
)
from .review import (
    review_open,
    review_set_deadline,
    version_publish,
    version_notify,
    comment_add,
    comment_reply_notify,
    proposal_add,
    proposal_decide,
    position_state,
    position_record_no_answer,
    programme_finalise,
    programme_amend,
    version_mark_read,
    reminders_send,
)
from .delivery import (
    deliveries_make,
    delivery_make,
    programme_deliver,
)
from .following import (
    progress_record,
    followers_notify,
    item_follow,
)
from .reports import (
    reports_draft,
    reports_due,
    reports_programme_due,
    report_update,
    report_send,
)

__all__ = (
    "final_version",
    "latest_version",
    "programme_create",
    "programme_update",
    "item_save",
    "item_remove",
    "items_draft_from_tasks",
    "items_carry_over",
    "review_open",
    "review_set_deadline",
    "version_publish",
    "version_notify",
    "comment_add",
    "comment_reply_notify",
    "proposal_add",
    "proposal_decide",
    "position_state",
    "position_record_no_answer",
    "programme_finalise",
    "programme_amend",
    "version_mark_read",
    "reminders_send",
    "deliveries_make",
    "delivery_make",
    "programme_deliver",
    "progress_record",
    "followers_notify",
    "item_follow",
    "reports_draft",
    "reports_due",
    "reports_programme_due",
    "report_update",
    "report_send",
)
