from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "议事协调"

    def ready(self):
        from tiexi_gov.org.panels import register_unit_panel

        from .views_leave import unit_away_panel

        register_unit_panel(unit_away_panel, order=60)

        from tiexi_gov.deadlines.waiting import register_waiting

        from .waiting import waiting

        register_waiting(waiting, order=40)
