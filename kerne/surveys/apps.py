from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "kerne.surveys"
    label = "surveys"
