from django.urls import path

from . import annual_views, import_views, service_views, views

app_name = "stats"
urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("<int:year>/", views.year_detail, name="year_detail"),
    path("<int:year>/municipalities/<int:pk>/", views.municipality_detail, name="municipality_detail"),
    path("<int:year>/municipalities/<int:pk>/export.xlsx", views.municipality_export, name="municipality_export"),
    path("<int:year>/imports/<int:pk>/revert/", views.import_revert, name="import_revert"),
    path("<int:year>/import/", views.import_file, name="import"),
    path("<int:year>/import/template-<str:kind>.csv", views.import_template, name="import_template"),
    # Large files, checked and saved by a background job (stats/import_jobs.py).
    path("<int:year>/import/drafts/<int:pk>/", import_views.import_draft, name="import_draft"),
    path("<int:year>/import/drafts/<int:pk>/confirm/", import_views.import_draft_confirm, name="import_draft_confirm"),
    path("<int:year>/import/drafts/<int:pk>/status/", import_views.import_draft_status, name="import_draft_status"),
    path("<int:year>/import/counter/", import_views.counter_import, name="counter_import"),
    path("<int:year>/ematerials/", import_views.ematerial_year, name="ematerial_year"),
    path("<int:year>/compute/", views.compute, name="compute"),
    path("<int:year>/report/", views.mark_reported, name="report"),
    path("<int:year>/export.xlsx", views.export, name="export"),
    path("<int:year>/keys/", views.allocation_keys, name="allocation_keys"),
    path("<int:year>/keys/<str:metric>/", views.allocation_key_edit, name="allocation_key_edit"),
    # The annual reports (stats/annual_views.py).
    path("<int:year>/overview/", annual_views.annual_overview, name="annual_overview"),
    path("<int:year>/reports/<int:pk>/deliver/", annual_views.annual_deliver, name="annual_deliver"),
    path("<int:year>/municipalities/<int:pk>/lock/", annual_views.annual_lock, name="annual_lock"),
    path("<int:year>/municipalities/<int:pk>/report/", annual_views.annual_municipality, name="annual_municipality"),
    path("<int:year>/municipalities/<int:pk>/report.xlsx", annual_views.annual_municipality_export,
         {"fmt": "xlsx"}, name="annual_municipality_xlsx"),
    path("<int:year>/municipalities/<int:pk>/report.csv", annual_views.annual_municipality_export,
         {"fmt": "csv"}, name="annual_municipality_csv"),
    # The web sites and e-material services (stats/service_views.py).
    path("services/", service_views.service_list, name="service_list"),
    path("services/new/", service_views.service_edit, name="service_create"),
    path("services/<int:pk>/", service_views.service_edit, name="service_edit"),
    path("national/", annual_views.national_index, name="national_index"),
    path("national/<int:year>/", annual_views.national, name="national"),
    path("national/<int:year>/export.xlsx", annual_views.national_export, name="national_export"),
]
