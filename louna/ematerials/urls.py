from django.urls import path

from . import views

app_name = "louna_ematerials"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:year>/", views.overview, name="overview_year"),
    path("<int:year>/principles/", views.principles, name="principles"),
    path("<int:year>/principles/new/", views.principle_add, name="principle_add"),
    path("<int:year>/budgets/new/", views.budget_add, name="budget_add"),
    path("budgets/<int:pk>/edit/", views.budget_edit, name="budget_edit"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_add, name="order_add"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/advance/", views.order_advance, name="order_advance"),
    path("cataloguing/", views.cataloguing, name="cataloguing"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
