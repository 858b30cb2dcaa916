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
    path("forslag/", views.proposal_list, name="proposals"),
    path("forslag/nyt/", views.proposal_create, name="proposal_create"),
    path("forslag/<uuid:pk>/", views.proposal_detail, name="proposal"),
    path("forslag/<uuid:pk>/svar/", views.proposal_answer, name="proposal_answer"),
    path("forslag/<uuid:pk>/skjul/", views.proposal_hide, name="proposal_hide"),
    path("forslag/<uuid:pk>/stoet/", views.proposal_support, name="proposal_support"),
    path("runde/<int:pk>/", views.round_followup, name="round"),
    path("runde/<int:pk>/frist/", views.deadline_set, name="deadline"),
]
