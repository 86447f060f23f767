import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("eservices/", include("consortium.eservices.urls")),
    path("procurement/", include("procurement.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("louna/ematerials/", include("louna.ematerials.urls")),
    path("louna/events/", include("louna.events.urls")),
    path("louna/", include("louna.urls")),
    path("stats/sushi/", include("stats.sushi.urls")),
    path("stats/", include("stats.urls")),
    path("trainings/", include("consortium.trainings.urls")),
    path("", include("consortium.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

if os.environ.get("BENCH_BARE_PAGE") == "1":
    # Only for bench/pages.py: the cheapest page Django can serve through the same middleware,
    # the yardstick the real pages are measured against. Never set in production.
    from django.http import HttpResponse

    def bench_bare_page(request):
        return HttpResponse("<!doctype html><html lang=\"fi\"><title>bare</title><h1>bare</h1></html>")

    urlpatterns.insert(0, path("__bench__/bare/", bench_bare_page))
