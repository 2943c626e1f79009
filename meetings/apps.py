from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "会议"

    def ready(self):
        from tiexi_gov.deadlines.waiting import register_waiting

        from .waiting import waiting

        register_waiting(waiting, order=30)
