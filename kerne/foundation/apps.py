from django.apps import AppConfig


class FoundationConfig(AppConfig):
    name = "kerne.foundation"
    label = "foundation"
