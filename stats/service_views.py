"""The web sites and e-material services whose figures come per service (stats/service_registry.py):
a list, and a form to add or change one. The coordinator and consortium staff only; the
services are shared by every year, so the pages sit beside the years, not under one."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from consortium.actions import run_service
from consortium.views import get_or_404, permission_required

from . import permissions, service_registry
from .forms import ServiceForm

can_manage = permission_required(permissions.can_manage)


@require_GET
@can_manage
def service_list(request):
    return render(request, "stats/service_list.html", {"services": service_registry.service_list()})


@can_manage
def service_edit(request, pk=None):
    service = get_or_404(service_registry.service_get, pk=pk) if pk is not None else None
    form = ServiceForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: service_registry.service_save(service=service, **form.cleaned_data),
                              form=form, success_message=_("%(name)s saved.") % {"name": form.cleaned_data["name"]})
        if outcome.ok:
            return redirect("stats:service_list")
    return render(request, "stats/service_form.html", {"service": service, "form": form})
