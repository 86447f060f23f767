from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import PortalPasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(form_class=PortalPasswordResetForm),
         name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("language/", views.set_language, name="set_language"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("profile/", views.profile, name="profile"),
    path("libraries/", views.library_list, name="library_list"),
    path("libraries/new/", views.library_edit, name="library_create"),
    path("libraries/<int:pk>/", views.library_detail, name="library_detail"),
    path("libraries/<int:pk>/edit/", views.library_edit, name="library_edit"),
    path("libraries/<int:library_pk>/points/new/", views.service_point_edit, name="service_point_create"),
    path("libraries/<int:library_pk>/points/<int:pk>/", views.service_point_edit, name="service_point_edit"),
    path("people/", views.people_list, name="people_list"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/check-organisations/", views.job_start_organisation_check, name="job_start_organisation_check"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("outbox/", views.outbox_failed, name="outbox_failed"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
]
