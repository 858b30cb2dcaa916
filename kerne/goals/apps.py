from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "kerne.goals"
    label = "goals"
