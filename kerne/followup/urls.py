"""Follow-up pages, mounted at /opfoelgning/ (namespace "followup")."""

from django.urls import path

from kerne.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.index, name="index"),
    path("dialogmoede/<int:pk>/", views.case_detail, name="case"),
    path("dialogmoede/<int:pk>/guide/", views.guide, name="guide"),
    path("dialogmoede/<int:pk>/projektor/", views.projector, name="projector"),
    path("dialogmoede/<int:pk>/dagsorden.pdf", views.guide_pdf, name="guide_pdf"),
    path("dialogmoede/<int:pk>/registrer/", views.meeting_record, name="meeting_record"),
    path("handlinger/", views.action_list, name="actions"),
    path("handlinger/ny/", views.action_create, name="action_create"),
    path("handlinger/<int:pk>/", views.action_detail, name="action"),
    path("handlinger/<int:pk>/rediger/", views.action_edit, name="action_edit"),
    path("handlinger/<int:pk>/status/", views.action_status, name="action_status"),
    path("handlinger/<int:pk>/notat/", views.action_note, name="action_note"),
    path("runde/<int:pk>/", views.round_followup, name="round"),
    path("runde/<int:pk>/frist/", views.deadline_set, name="deadline"),
]
