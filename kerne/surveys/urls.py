"""HR pages for survey rounds and an employee's own invitations ("Mine målinger"),
mounted at /maalinger/ (namespace "surveys")."""

from django.urls import path

from kerne.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("ny/", views.round_create, name="round_create"),
    path("mine/", views.my_surveys, name="my_surveys"),
    path("mine/<int:invitation_pk>/svar/", views.my_survey_answer, name="my_survey_answer"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/rediger/", views.round_edit, name="round_edit"),
    path("<int:pk>/forhaandsvisning/", views.round_preview, name="round_preview"),
    path("<int:pk>/ledere/", views.round_evaluations, name="round_evaluations"),
    path("<int:pk>/ledere/<int:evaluation_pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/saet-i-gang/", views.round_launch, name="round_launch"),
    path("<int:pk>/svarprocenter/", views.round_rates, name="round_rates"),
    path("<int:pk>/paamind/", views.round_remind, name="round_remind"),
    path("<int:pk>/luk/", views.round_close, name="round_close"),
    path("<int:pk>/papirkoder/", views.paper_codes, name="paper_codes"),
    path("<int:pk>/links/", views.open_links, name="open_links"),
    path("<int:pk>/links/<int:link_pk>/plakat/", views.open_link_poster, name="open_link_poster"),
]
