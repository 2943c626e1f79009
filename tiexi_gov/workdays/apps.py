from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "tiexi_gov.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self):
        from tiexi_gov.workflow.registry import register_flow

        from . import signals  # noqa: F401  (connects the cache/recompute receivers)
        from .provisional import PROVISIONAL_YEARS

        register_flow(PROVISIONAL_YEARS)
