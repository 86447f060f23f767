from django.urls import path

from . import views

urlpatterns = [
    path("programme/", views.programme_list, name="programme_list"),
    path("programme/<int:year>/", views.programme_detail, name="programme_detail"),
    path("programme/<int:year>/position/", views.position_state, name="programme_position"),
    path("programme/<int:year>/manage/", views.programme_manage, name="programme_manage"),
    path("programme/<int:year>/action/", views.programme_action, name="programme_action"),
    path("programme/<int:year>/edit/", views.programme_edit, name="programme_edit"),
    path("programme/<int:year>/items/new/", views.item_edit, name="programme_item_create"),
    path("programme/<int:year>/items/from-tasks/", views.draft_from_tasks, name="programme_from_tasks"),
    path("programme/<int:year>/items/<int:pk>/", views.item_detail, name="programme_item"),
    path("programme/<int:year>/items/<int:pk>/edit/", views.item_edit, name="programme_item_edit"),
    path("programme/<int:year>/items/<int:pk>/amend/", views.item_amend, name="programme_item_amend"),
    path("programme/<int:year>/overview/", views.programme_overview, name="programme_overview"),
    path("programme/<int:year>/reports/", views.report_list, name="programme_reports"),
    path("programme/copies/<int:pk>.pdf", views.delivery_pdf, name="programme_delivery_pdf"),
    path("programme/reports/<int:pk>/", views.report_detail, name="programme_report"),
    path("programme/reports/<int:pk>.pdf", views.report_pdf, name="programme_report_pdf"),
]
