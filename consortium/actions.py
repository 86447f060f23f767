"""Running a service from a view: the one place that turns a service's refusal into what
the person sees.

    outcome = run_service(request, lambda: services.task_note_add(task=task, by=request.user, **data),
                          form=form, success_message=_("The note was added."))
    if outcome:
        return redirect(...)
    return render(...)  # the form now carries the service's errors

A service refuses with a ValidationError. With a form, its field errors go to the fields
the form has and the rest to the top of the form, so no message is lost; without one (a
button with no fields) its messages become one `messages.error`. On success the success
message is shown and the outcome holds the service's result.
"""

from dataclasses import dataclass
from typing import Any, Callable

from django.contrib import messages
from django.core.exceptions import ValidationError

from .forms import add_service_errors

__all__ = ("Outcome", "run_service")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: Any = None

    def __bool__(self) -> bool:  # a service may return None or False and still have succeeded
        return self.ok


def run_service(request, call: Callable[[], Any], *, form=None, success_message: str = "",
                error_prefix: str = "") -> Outcome:
    """Run `call()`; on a ValidationError put it on `form` (or in messages, each prefixed
    with `error_prefix`, e.g. the row it is about) and return a failed Outcome."""
    try:
        result = call()
    except ValidationError as error:
        if form is not None:
            add_service_errors(form, error)
        else:
            messages.error(request, f"{error_prefix}{' '.join(error.messages)}")
        return Outcome(ok=False)
    if success_message:
        messages.success(request, success_message)
    return Outcome(ok=True, result=result)
