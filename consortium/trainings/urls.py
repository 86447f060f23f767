from django.urls import path

from . import views

app_name = "trainings"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/training.ics", views.training_ics_file, name="ics"),
    path("<int:pk>/register/", views.register, name="register"),
    path("r/<str:token>/", views.registration_page, name="registration"),
    path("mine/", views.my_trainings, name="mine"),
    path("feed/<str:token>.ics", views.personal_feed, name="feed"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="create"),
    path("manage/from-wish/<int:wish_pk>/", views.edit, name="create_from_wish"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/<int:pk>/<str:action>/", views.change_state, name="state"),
    path("<int:pk>/registrations/", views.registrations, name="registrations"),
    path("<int:pk>/registrations.xlsx", views.registrations_xlsx, name="registrations_xlsx"),
    path("<int:pk>/registrations/<int:registration_pk>/cancel/", views.cancel_registration,
         name="cancel_registration"),
    path("<int:pk>/message/", views.message, name="message"),
    path("wishes/", views.wishes, name="wishes"),
    path("wishes/<int:pk>/support/", views.wish_support, name="wish_support"),
]
