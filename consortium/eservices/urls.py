from django.urls import path

from . import views

app_name = "eservices"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("offerings/new/", views.offering_edit, name="offering_create"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("offerings/<int:pk>/move/", views.offering_move, name="offering_move"),
    path("offerings/<int:pk>/take-up/", views.take_up, name="take_up"),
    path("take-ups.xlsx", views.take_ups_export, name="take_ups_export"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/summary/", views.group_summary, name="group_summary"),
    path("participations/<int:pk>/answer/", views.participation_answer, name="participation_answer"),
    path("participations/<int:pk>/evaluators/", views.evaluator_add, name="evaluator_add"),
    path("reports/write/<int:evaluator_pk>/", views.report_write, name="report_write"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/support/", views.proposal_support, name="proposal_support"),
    path("proposals/<int:pk>/triage/", views.proposal_triage, name="proposal_triage"),
    path("plan/", views.plan_detail, name="plan"),
    path("plan/<int:year>/", views.plan_detail, name="plan_year"),
    path("plan/<int:year>/items/new/", views.plan_item_add, name="plan_item_add"),
    path("plan/<int:year>/publish/", views.plan_publish, name="plan_publish"),
]
