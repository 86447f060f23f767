from django.urls import path

from . import views

app_name = "stats_sushi"
urlpatterns = [
    path("", views.grid, name="grid"),
    path("accounts/new/", views.account_edit, name="account_new"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/test/", views.account_test, name="account_test"),
    path("accounts/<int:pk>/harvest/", views.account_harvest, name="account_harvest"),
    path("harvests/<int:pk>/retry/", views.harvest_retry, name="harvest_retry"),
]
