from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = "传阅阅知"

    def ready(self):
        from tiexi_gov.workflow.registry import register_flow

        from .flow import RECEIPT_FLOW

        # An unread receipt waits in its recipient's 我的待办 until it is read (kernel tasks, issue 15.4).
        register_flow(RECEIPT_FLOW)
        # Its hourly sweep is in settings.CELERY_BEAT_SCHEDULE (circulation-unread-sweep).
