from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from tiexi_gov.org.panels import register_unit_panel

        from .panels import open_items_panel, outcomes_panel

        # The unit page shows the unit's open supervised items and the outcomes on its record (SUP-4).
        register_unit_panel(open_items_panel, order=30)
        register_unit_panel(outcomes_panel, order=31)

        from tiexi_gov.deadlines.waiting import register_waiting

        from .waiting import waiting

        register_waiting(waiting, order=20)
