from django.urls import path

from kerne.goals import views

app_name = "goals"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("mine/", views.mine, name="mine"),
    path("vision/ny/", views.vision_create, name="vision_create"),
    path("vision/<int:pk>/", views.vision_edit, name="vision_edit"),
    path("vision/<int:vision_pk>/tema/ny/", views.theme_create, name="theme_create"),
    path("tema/<int:pk>/", views.theme_edit, name="theme_edit"),
    path("effektmaal/ny/", views.effect_goal_create, name="effect_goal_create"),
    path("effektmaal/<int:pk>/", views.effect_goal_detail, name="effect_goal_detail"),
    path("effektmaal/<int:pk>/rediger/", views.effect_goal_edit, name="effect_goal_edit"),
    path("enhedsmaal/ny/", views.unit_goal_create, name="unit_goal_create"),
    path("enhedsmaal/<int:pk>/", views.unit_goal_detail, name="unit_goal_detail"),
    path("enhedsmaal/<int:pk>/rediger/", views.unit_goal_edit, name="unit_goal_edit"),
    path("enhedsmaal/<int:pk>/tilknyt/", views.unit_goal_relink, name="unit_goal_relink"),
    path("enhedsmaal/<int:pk>/loeft/", views.unit_goal_lift, name="unit_goal_lift"),
    path("indsatser/", views.intervention_list, name="intervention_list"),
    path("indsatser/ny/", views.intervention_create, name="intervention_create"),
    path("indsatser/<int:pk>/", views.intervention_detail, name="intervention_detail"),
    path("indsatser/<int:pk>/rediger/", views.intervention_edit, name="intervention_edit"),
    path("indsatser/<int:pk>/kaede/", views.chain_edit, name="chain_edit"),
    path("indikatorer/", views.indicator_list, name="indicator_list"),
    path("indikatorer/ny/", views.indicator_create, name="indicator_create"),
    path("indikatorer/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indikatorer/<int:pk>/rediger/", views.indicator_edit, name="indicator_edit"),
    path("indikatorer/<int:pk>/maaling/", views.measurement_enter, name="measurement_enter"),
    path("indikatorer/<int:pk>/status/", views.status_override, name="status_override"),
    path("import/", views.measurement_import, name="measurement_import"),
    path("udrulninger/", views.rollout_list, name="rollout_list"),
    path("udrulninger/ny/", views.rollout_create, name="rollout_create"),
    path("udrulninger/<int:pk>/", views.rollout_detail, name="rollout_detail"),
    path("udrulninger/<int:pk>/rediger/", views.rollout_edit, name="rollout_edit"),
    path("udrulninger/<int:pk>/enhed/<int:unit_pk>/", views.rollout_state, name="rollout_state"),
    path("udrulninger/<int:pk>/paamind/", views.rollout_remind, name="rollout_remind"),
]
