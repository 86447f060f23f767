from django.urls import path

from . import views

app_name = "louna_events"

urlpatterns = [
    path("", views.coming, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    # Stable feed addresses for the web library's front page (?lang=sv for Swedish texts).
    path("feeds/rss/", views.rss, name="rss"),
    path("feeds/calendar.ics", views.ics, name="ics"),
    path("feeds/<str:code>/rss/", views.rss, name="municipality_rss"),
    path("feeds/<str:code>/calendar.ics", views.ics, name="municipality_ics"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="create"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/<int:pk>/approve/", views.approve, name="approve"),
    path("manage/<int:pk>/return/", views.return_item, name="return"),
    path("manage/<int:pk>/delete/", views.delete, name="delete"),
    path("counts/", views.counts, name="counts"),
    path("counts/<int:year>.xlsx", views.counts_xlsx, name="counts_xlsx"),
]
