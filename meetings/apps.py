from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "会议"

    def ready(self):
        from tiexi_gov.workflow.registry import register_flow

        from .meeting.flow import FLOWS as MEETING_FLOWS
        from .minutes.flow import FLOWS as MINUTES_FLOWS
        from .schedule.flow import FLOWS as SCHEDULE_FLOWS

        for flow in (*MEETING_FLOWS, *MINUTES_FLOWS, *SCHEDULE_FLOWS):
            register_flow(flow)
