from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "kerne.followup"
    label = "followup"
