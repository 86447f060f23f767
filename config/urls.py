from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("procurement/", include("procurement.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("louna/", include("louna.urls")),
    path("stats/", include("stats.urls")),
    path("", include("consortium.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
