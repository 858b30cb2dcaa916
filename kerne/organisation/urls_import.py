from django.urls import path

from kerne.organisation import views_import

app_name = "org_import"
urlpatterns = [
    path("", views_import.upload, name="upload"),
    path("forhaandsvisning/", views_import.preview, name="preview"),
    path("bekraeft/", views_import.confirm, name="confirm"),
    path("annuller/", views_import.cancel, name="cancel"),
    path("arbejder/", views_import.progress, name="progress"),
    path("arbejder/status/", views_import.status, name="status"),
]
