from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _index_existing_rows(sender, using="default", plan=None, **kwargs):
    """After `migrate`: an empty index over existing rows (the upgrade that adds search, or a `make run` database
    seeded before it) is filled once, so nobody has to remember `manage.py search reindex`. A fresh database has no
    rows, so tests and CI pay one query per source."""
    from django.apps import apps

    from . import services
    from .models import SearchEntry
    from .sources import SOURCES

    if SearchEntry.objects.using(using).exists():
        return
    if any(apps.get_model(s.model).objects.using(using).exists() for s in SOURCES):
        services.reindex()


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "全站搜索"

    def ready(self):
        # The index follows every save of an indexed row, in the row's own transaction (issue 15.2).
        from . import signals

        signals.connect()
        post_migrate.connect(_index_existing_rows, sender=self, dispatch_uid="search:index-existing")
