from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.procurement_list, name="list"),
    path("our/", views.our_agreements, name="our_agreements"),
    path("overview/", views.staff_overview, name="overview"),
    path("new/", views.procurement_edit, name="create"),
    path("<int:pk>/", views.procurement_detail, name="detail"),
    path("<int:pk>/edit/", views.procurement_edit, name="edit"),
    path("<int:pk>/move/", views.procurement_move, name="move"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/award/", views.award_add, name="award_add"),
    path("<int:pk>/appeals/", views.appeal_add, name="appeal_add"),
    path("<int:pk>/agreements/new/", views.agreement_edit, name="agreement_create"),
    path("<int:pk>/agreements/<int:agreement_pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/opt-in/<int:library_pk>/", views.opt_in_edit, name="opt_in"),
    path("<int:pk>/audit/", views.audit_trail, name="audit"),
    path("<int:pk>/participants.xlsx", views.participants_xlsx, name="participants_xlsx"),
    path("<int:pk>/participants.csv", views.participants_csv, name="participants_csv"),
    # Open data: a stable URL per procurement.
    path("<int:pk>/ocds.json", views.procurement_ocds, name="ocds"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/notes/", views.contract_note_add, name="contract_note_add"),
    path("agreements/<int:pk>/join/<int:library_pk>/", views.agreement_join, name="agreement_join"),
]
