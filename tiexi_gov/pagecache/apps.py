from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    """Issue 14.2: the data generation and the page cache built on it."""

    name = "tiexi_gov.pagecache"
    label = "pagecache"
    verbose_name = "页面缓存"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import writes

        connection_created.connect(writes.watch_connection, dispatch_uid="pagecache-watch-writes")
        # While migrations run the generation table may not exist yet; the end of `migrate` bumps once instead.
        pre_migrate.connect(writes.pause, dispatch_uid="pagecache-pause")
        post_migrate.connect(writes.resume, dispatch_uid="pagecache-resume")
