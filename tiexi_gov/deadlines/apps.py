from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "tiexi_gov.deadlines"
    label = "deadlines"
    verbose_name = "时限"

    def ready(self):
        # CAL-2: provisional clocks are recomputed the moment a year's calendar is entered.
        from tiexi_gov.workdays.signals import calendar_changed

        from .services import on_calendar_changed

        calendar_changed.connect(on_calendar_changed, dispatch_uid="deadlines.recompute_for_years")
