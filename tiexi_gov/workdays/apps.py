from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "tiexi_gov.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache/recompute receivers)
