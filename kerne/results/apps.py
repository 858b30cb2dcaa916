from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "kerne.results"
    label = "results"
