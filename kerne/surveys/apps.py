from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SurveysConfig(AppConfig):
    name = "kerne.surveys"
    label = "surveys"

    def ready(self) -> None:
        from kerne.cache import create_cache_tables

        # The open-survey rate limit counts in the shared database cache (kerne/cache.py):
        # `kerne migrate` creates its table, as it creates the surveys' own.
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="kerne.cache.create_cache_tables")
