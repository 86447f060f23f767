from django.urls import path

from .programme.urls import urlpatterns as programme_urlpatterns

from . import views

app_name = "louna"

urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_edit, name="agreement_create"),
    path("agreements/<int:year>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:year>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:year>/copy/", views.agreement_copy, name="agreement_copy"),
    path("agreements/<int:year>/documents/", views.document_add, name="document_add"),
    path("agreements/<int:year>/areas/new/", views.area_edit, name="area_create"),
    path("agreements/<int:year>/areas/<int:pk>/", views.area_edit, name="area_edit"),
    path("agreements/<int:year>/board/", views.board, name="board"),
    path("agreements/<int:year>/tasks/new/", views.task_edit, name="task_create"),
    path("agreements/<int:year>/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_edit, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("decisions/<int:pk>/task/", views.decision_task, name="decision_task"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_create, name="feedback_create"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_edit, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:service_pk>/checks/new/", views.check_edit, name="check_create"),
    path("services/<int:service_pk>/checks/<int:pk>/", views.check_edit, name="check_edit"),
    path("checks/<int:check_pk>/findings/new/", views.finding_edit, name="finding_create"),
    path("checks/<int:check_pk>/findings/<int:pk>/", views.finding_edit, name="finding_edit"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_edit, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
]
urlpatterns += programme_urlpatterns  # the yearly action programme (issue 6)
